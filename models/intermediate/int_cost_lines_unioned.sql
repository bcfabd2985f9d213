-- Every provider's line items in one shape, with the three FOCUS cost measures:
--   billed_cost     what the invoice charges for the line
--   effective_cost  amortized: commitment purchases spread over the usage they cover
--   list_cost       on-demand price of the usage
with aws as (
    select * from {{ ref('stg_aws__cur2_line_items') }}
    union all by name
    select * from {{ ref('stg_aws__cur_legacy_line_items') }}
),

aws_lines as (
    select
        provider, billing_account_id, sub_account_id, sub_account_name, billing_period, invoice_id,
        usage_start::date as charge_date,
        case
            when line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation') then 'Usage'
            when line_item_type in ('Fee', 'RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee') then 'Purchase'
            when line_item_type = 'Tax' then 'Tax'
            when line_item_type in ('Credit', 'EdpDiscount', 'BundledDiscount', 'PrivateRateDiscount') then 'Credit'
            else 'Adjustment'
        end as charge_category,
        service_name, region, resource_id,
        case
            when usage_type like '%BoxUsage%' then 'virtual_machine'
            when usage_type like '%EBS:VolumeUsage%' then 'volume'
            when usage_type like '%SnapshotUsage%' then 'snapshot'
            when usage_type like '%IdleAddress%' or usage_type like '%InUseAddress%' then 'public_ip'
            when usage_type like '%TimedStorage%' then 'bucket'
        end as resource_type,
        coalesce(instance_type, case when usage_type like '%EBS:VolumeUsage.%' then split_part(usage_type, 'EBS:VolumeUsage.', 2) end) as sku,
        unblended_cost as billed_cost,
        case line_item_type
            when 'SavingsPlanCoveredUsage' then savings_plan_effective_cost
            when 'SavingsPlanNegation' then 0
            when 'SavingsPlanRecurringFee' then savings_plan_total_commitment - savings_plan_used_commitment
            when 'DiscountedUsage' then reservation_effective_cost
            when 'RIFee' then reservation_unused_recurring_fee
            when 'Fee' then 0
            else unblended_cost
        end as effective_cost,
        case
            when line_item_type = 'SavingsPlanNegation' then 0
            when line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') then public_on_demand_cost
            else unblended_cost
        end as list_cost,
        case when line_item_type = 'SavingsPlanNegation' then 0 else usage_quantity end as usage_quantity,
        currency, tags
    from aws
),

azure_lines as (
    select
        provider, billing_account_id, sub_account_id, sub_account_name, billing_period, invoice_id,
        usage_date as charge_date,
        case charge_type
            when 'Purchase' then 'Purchase' when 'Tax' then 'Tax' when 'Refund' then 'Adjustment'
            else 'Usage'
        end as charge_category,
        service_name, region, resource_id,
        case
            when resource_id like '%/virtualmachines/%' then 'virtual_machine'
            when resource_id like '%/disks/%' then 'volume'
            when resource_id like '%/snapshots/%' then 'snapshot'
            when resource_id like '%/publicipaddresses/%' then 'public_ip'
            when resource_id like '%/storageaccounts/%' then 'bucket'
        end as resource_type,
        meter_name as sku,
        -- Actual rows carry what is billed; amortized rows what is effective. Each row counts once per measure.
        case when cost_kind = 'actual' then cost else 0 end as billed_cost,
        case when cost_kind = 'amortized' then cost else 0 end as effective_cost,
        case when cost_kind = 'actual' then payg_cost else 0 end as list_cost,
        case when cost_kind = 'actual' then usage_quantity else 0 end as usage_quantity,
        currency, tags
    from {{ ref('stg_azure__cost_lines') }}
),

gcp_lines as (
    select
        provider, billing_account_id, sub_account_id, sub_account_name, billing_period, null as invoice_id,
        usage_start::date as charge_date,
        case
            when cost_type = 'tax' then 'Tax'
            when sku_description like 'Commitment%' then 'Purchase'
            when cost_type = 'adjustment' then 'Adjustment'
            else 'Usage'
        end as charge_category,
        service_name, region, resource_id,
        case
            when resource_id like '%/instances/%' then 'virtual_machine'
            when resource_id like '%/disks/%' then 'volume'
            when resource_id like '%/snapshots/%' then 'snapshot'
            when resource_id like '%/addresses/%' then 'public_ip'
            when resource_id like '%/buckets/%' then 'bucket'
        end as resource_type,
        nullif(regexp_extract(sku_description, '\(([^)]+)\)', 1), '') as sku,
        cost + credits as billed_cost,
        cost + credits as effective_cost,
        cost as list_cost,
        usage_quantity, currency, tags
    from {{ ref('stg_gcp__billing_export_lines') }}
),

focus_lines as (
    select
        provider, billing_account_id, sub_account_id, sub_account_name, billing_period, invoice_id,
        charge_period_start::date as charge_date,
        charge_category, service_name, region, resource_id,
        case resource_type
            when 'Instance' then 'virtual_machine' when 'Block Volume' then 'volume' when 'Volume Backup' then 'snapshot'
            when 'Public IP' then 'public_ip' when 'Bucket' then 'bucket'
        end as resource_type,
        sku_meter as sku,
        billed_cost, effective_cost, list_cost, usage_quantity, currency, tags
    from {{ ref('stg_focus__cost_lines') }}
)

select * from aws_lines
union all by name select * from azure_lines
union all by name select * from gcp_lines
union all by name select * from focus_lines
