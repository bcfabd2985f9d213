{% set export = source('gcp_billing_export', 'billing_export_lines') -%}
-- GCP billing export rows, flattened. Credits (CUD, SUD, promotions) are summed per row:
-- what the invoice charges is cost + credits.
{% set labels_object %}(
        select coalesce({{ json_object_agg(struct_field('l', 'key'), struct_field('l', 'value')) }}, '{}')
        from {{ unnest_records('labels', 'l') }}
    ){% endset -%}
select
    'gcp'                                                   as provider,
    billing_account_id,
    {{ struct_field('project', 'id') }}                                        as sub_account_id,
    {{ struct_field('project', 'name') }}                                      as sub_account_name,
    {{ gcp_export_billing_period() }}                                         as billing_period,
    {{ gcp_export_timestamp('usage_start_time') }}        as usage_start,
    {{ gcp_export_timestamp('usage_end_time') }}          as usage_end,
    coalesce({{ struct_field('invoice', 'month') }}, replace({{ gcp_export_billing_period() }}, '-', '')) as invoice_month,
    cost_type,
    {{ struct_field('service', 'id') }}                                        as service_code,
    {{ struct_field('service', 'description') }}                               as service_name,
    {{ struct_field('sku', 'id') }}                                            as sku_id,
    {{ struct_field('sku', 'description') }}                                   as sku_description,
    {{ struct_field('resource', 'name') }}                                     as resource_name,
    {{ struct_field('location', 'zone') }}                                     as zone,
    coalesce({{ struct_field('resource', 'global_name') }}, {{ struct_field('resource', 'name') }}) as resource_id,
    {{ struct_field('location', 'region') }}                                   as region,
    -- The machine type of a VM's rows (resource-level and standard exports' system labels).
    {{ first_record('system_label_records', 'l', struct_field('l', 'value'),
        struct_field('l', 'key') ~ " = 'compute.googleapis.com/machine_spec'") }}        as machine_spec,
    {{ money(struct_field('usage', 'amount_in_pricing_units')) }}      as usage_quantity,
    {{ struct_field('usage', 'pricing_unit') }}                                as unit,
    {{ money(struct_field('usage', 'amount')) }}                       as usage_amount,
    {{ struct_field('usage', 'unit') }}                                        as usage_unit,
    -- Newer exports price the row at list (cost_at_list) beside what the contract charges (cost).
    {{ money('cost_at_list') }}                             as cost_at_list,
    currency,
    {{ money('cost') }}                                     as cost,
    {{ sum_records('credit_records', 'c', money(struct_field('c', 'amount'))) }} as credits,
    -- Committed use discounts (resource- and spend-based) apart, with the commitment they draw on.
    -- Exports from before credit types (2019) name them "Committed Usage Discount: …" instead.
    {{ sum_records('credit_records', 'c', money(struct_field('c', 'amount')), gcp_is_cud_credit('c')) }} as cud_credits,
    {{ first_record('credit_records', 'c', struct_field('c', 'id'), gcp_is_cud_credit('c')) }} as cud_commitment_id,
    {{ typecast(labels_object, 'json') }}                                                 as tags,
    {{ gcp_export_load_id() }}                                                as load_id,
    {{ gcp_export_source_file(export) }}                                            as source_file
-- Credits and system labels parsed once per row.
from (
    select *, {{ records('credits') }} as credit_records, {{ records('system_labels') }} as system_label_records
    from {{ export }}
) as export_rows
