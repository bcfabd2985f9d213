{#
  Shared FOCUS mappings. ServiceCategory / ServiceSubcategory come from the provider's
  service name alone (FOCUS: one category per service); anything unrecognised is
  "Other" / "Other (Other)", which FOCUS allows.
#}
{% macro focus_service_subcategory(service_name) -%}
case
    -- Exact names first: a string comparison per row, where the patterns below cost a regex each.
    when {{ service_name }} in ('Amazon Elastic Compute Cloud', 'Virtual Machines', 'Compute Engine', 'Compute') then 'Virtual Machines'
    when {{ service_name }} in ('Amazon Simple Storage Service', 'Cloud Storage', 'Storage', 'Object Storage') then 'Object Storage'
    when {{ service_name }} in ('AWS Lambda', 'Functions', 'Cloud Run', 'Cloud Functions') then 'Serverless Compute'
    when {{ service_name }} in ('AWS Data Transfer', 'Bandwidth') then 'Network Connectivity'
    when {{ service_name }} in ('Virtual Network', 'Networking', 'Amazon Virtual Private Cloud') then 'Network Infrastructure'
    when {{ service_name }} in ('BigQuery', 'Amazon Redshift') then 'Data Warehouses'
    when {{ service_name }} in ('Block Storage', 'Amazon Elastic Block Store') then 'Block Storage'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'lambda|function|cloud run'") }} then 'Serverless Compute'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'kubernetes|container|\\beks\\b|\\baks\\b|\\bgke\\b'") }} then 'Containers'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'elastic compute|virtual machine|compute engine|^compute$'") }} then 'Virtual Machines'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'block storage|disk|elastic block'") }} then 'Block Storage'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'simple storage|cloud storage|object storage|^storage$'") }} then 'Object Storage'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'backup'") }} then 'Backup Storage'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'bigquery|redshift|synapse|snowflake'") }} then 'Data Warehouses'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'\\brds\\b|relational database|sql database|cloud sql|aurora'") }} then 'Relational Databases'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'dynamodb|cosmos|firestore|bigtable'") }} then 'NoSQL Databases'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'data transfer|bandwidth|egress'") }} then 'Network Connectivity'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'cloudfront|\\bcdn\\b|front door'") }} then 'Content Delivery'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'virtual network|\\bvpc\\b|networking|load balanc|nat gateway'") }} then 'Network Infrastructure'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'cloudwatch|monitor|logging|log analytics'") }} then 'Observability'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'support'") }} then 'Support'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'savings plan|reservation|commitment'") }} then 'Other (Compute)'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'key vault|\\bkms\\b|secrets manager|secret manager'") }} then 'Secret Management'
    when {{ regexp_contains('lower(' ~ service_name ~ ')', "'\\biam\\b|entra|active directory|identity'") }} then 'Identity and Access Management'
    else 'Other (Other)'
end
{%- endmacro %}

{# The category a subcategory belongs to (FOCUS 1.2 appendix). #}
{% macro focus_service_category(subcategory) -%}
case
    when {{ subcategory }} in ('Virtual Machines', 'Serverless Compute', 'Containers', 'End User Computing', 'Quantum Compute', 'Other (Compute)') then 'Compute'
    when {{ subcategory }} in ('Block Storage', 'Object Storage', 'Backup Storage', 'File Storage', 'Storage Platforms', 'Other (Storage)') then 'Storage'
    when {{ subcategory }} in ('Data Warehouses', 'Relational Databases', 'NoSQL Databases', 'Caching', 'Ledger Databases', 'Time Series Databases', 'Other (Databases)') then 'Databases'
    when {{ subcategory }} in ('Network Connectivity', 'Content Delivery', 'Network Infrastructure', 'Application Networking', 'Network Routing', 'Network Security', 'Other (Networking)') then 'Networking'
    when {{ subcategory }} in ('Observability', 'Support', 'Cost Management', 'Other (Management and Governance)') then 'Management and Governance'
    when {{ subcategory }} in ('Secret Management', 'Other (Security)') then 'Security'
    when {{ subcategory }} in ('Identity and Access Management', 'Other (Identity)') then 'Identity'
    else 'Other'
end
{%- endmacro %}

{# Unit price from a cost and its pricing quantity, so that price x quantity = cost holds (FOCUS ListCost-C-009). #}
{% macro focus_unit_price(cost, quantity) -%}
case
    when {{ quantity }} is null then null
    when {{ quantity }} <> 0 then {{ cast(cast(cost, 'double') ~ ' / ' ~ cast(quantity, 'double'), 'decimal(38, 18)') }}
    when {{ cost }} = 0 then {{ cast('0', 'decimal(38, 18)') }}
end
{%- endmacro %}

{# FOCUS ResourceType display value for the resource kinds the marts know; null for others. #}
{% macro focus_resource_type(resource_kind) -%}
case {{ resource_kind }}
    when 'virtual_machine' then 'Virtual Machine'
    when 'volume' then 'Disk'
    when 'snapshot' then 'Snapshot'
    when 'public_ip' then 'Public IP Address'
    when 'bucket' then 'Storage Bucket'
end
{%- endmacro %}

{# An export's unit rate, kept only where rate x quantity gives the cost (within FOCUS's tolerance). #}
{% macro consistent_rate(rate, quantity, cost) -%}
case
    when abs({{ cast(rate, 'double') }} * {{ cast(quantity, 'double') }} - {{ cast(cost, 'double') }})
        <= 0.000001 + 0.000001 * abs({{ cast(cost, 'double') }})
    then {{ rate }}
end
{%- endmacro %}

{#
  FOCUS rows from a provider API's daily cost per account and service (AWS Cost Explorer, Azure
  Cost Management Query): Usage rows (Tax for the Tax service) at service level, no resources,
  priced per service-day (the APIs' quantities, where given, add up unlike units: kept as the
  consumed quantity only). `lines` has usage_date, billing_period, sub_account_id, service_name,
  currency, usage_quantity, load_id, source_file. An account's period that a detailed export of
  the provider (`detailed`: relations with billing_period and sub_account_id) covers is left out:
  the export has the same cost in detail, and counting both would double it. Other accounts keep
  their API rows in that period (e.g. a second organisation without an export).
#}
{% macro service_level_focus_rows(lines, detailed, billing_account, billed, effective, p) -%}
select
    {{ billed }}                                                        as BilledCost,
    {{ billing_account }}                                               as BillingAccountId,
    '{{ p.billing_account_type }}'                                      as BillingAccountType,
    currency                                                            as BillingCurrency,
    {{ dateadd('month', 1, parse_datetime('billing_period', "'%Y-%m'")) }}                as BillingPeriodEnd,
    {{ parse_datetime('billing_period', "'%Y-%m'") }}                                   as BillingPeriodStart,
    case when service_name = 'Tax' then 'Tax' else 'Usage' end          as ChargeCategory,
    service_name                                                        as ChargeDescription,
    case when service_name = 'Tax' then 'One-Time' else 'Usage-Based' end as ChargeFrequency,
    {{ dateadd('day', 1, 'usage_date') }}                                         as ChargePeriodEnd,
    {{ typecast('usage_date', 'timestamp') }}                                               as ChargePeriodStart,
    case when service_name <> 'Tax' then coalesce(usage_quantity, 0) end as ConsumedQuantity,
    case when service_name <> 'Tax' then 'Units' end                    as ConsumedUnit,
    -- The APIs give no list or negotiated prices: both are what was charged.
    {{ billed }}                                                        as ContractedCost,
    {{ effective }}                                                     as EffectiveCost,
    '{{ p.provider_name }}'                                             as InvoiceIssuerName,
    {{ billed }}                                                        as ListCost,
    case when service_name <> 'Tax' then 'Standard' end                 as PricingCategory,
    -- A row is a day of a service; the APIs' quantities add up unlike units, so the price is per day.
    case when service_name <> 'Tax' then 1 end                          as PricingQuantity,
    case when service_name <> 'Tax' then 'Days' end                     as PricingUnit,
    '{{ p.provider_name }}'                                             as ProviderName,
    '{{ p.provider_name }}'                                             as PublisherName,
    service_name                                                        as ServiceName,
    -- The service is the finest product the APIs name: it stands as the SKU and its price.
    case when service_name <> 'Tax' then service_name end              as SkuId,
    case when service_name <> 'Tax' then service_name end              as SkuMeter,
    case when service_name <> 'Tax' then service_name || ':Days' end   as SkuPriceId,
    sub_account_id                                                      as SubAccountId,
    sub_account_id                                                      as SubAccountName,
    '{{ p.sub_account_type }}'                                          as SubAccountType,
    {{ typecast("'{}'", 'json') }}                                                          as Tags,
    '{{ p.provider }}'                                                  as x_Provider,
    billing_period                                                      as x_BillingPeriod,
    '{{ p.dataset }}'                                                   as x_SourceDataset,
    source_file                                                         as x_SourceFile,
    load_id                                                             as x_LoadId
from {{ lines }} as api
where not exists (
    select 1
    from ({% for relation in detailed %}
        select billing_period, sub_account_id from {{ relation }}{% if not loop.last %} union all{% endif %}
    {%- endfor %}
    ) as covered
    where covered.billing_period = api.billing_period and covered.sub_account_id = api.sub_account_id
)
{%- endmacro %}
