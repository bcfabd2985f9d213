{#
  The key a billed resource and an inventory row match on, within one provider. Mostly the id
  itself; where one resource is spelled more than one way, the part every spelling shares:
  - aws: the EC2 id (i-…, vol-…, snap-…, eipalloc-…), bare or at the end of an ARN (CUR names
    snapshots by ARN, arn:aws:ec2:<region>:<account>:snapshot/snap-…; inventories often by id);
  - gcp: the numeric id that ends a Compute Engine resource name (the detailed export's
    resource.global_name ends in it; the path before it names the project by number or by id);
  - azure: the ARM id in lower case.
#}
{% macro resource_match_key(resource_id, provider) -%}
case
    when {{ provider }} = 'aws' and {{ regexp_contains(resource_id, "'(^|/)(i|vol|snap|eipalloc|ami)-[0-9a-f]+$'") }}
        then {{ regexp_extract(resource_id, "'(?:i|vol|snap|eipalloc|ami)-[0-9a-f]+$'") }}
    when {{ provider }} = 'gcp' and {{ regexp_contains(resource_id, "'^//compute\\.googleapis\\.com/.*/[0-9]+$'") }}
        then 'compute:' || {{ regexp_extract(resource_id, "'[0-9]+$'") }}
    when {{ provider }} = 'azure' then lower({{ resource_id }})
    else {{ resource_id }}
end
{%- endmacro %}

{#
  The focus_costs lines that are a resource's billed usage (commitments' unused rows are not), in
  the billing periods an incremental build of `target` must rebuild: the rows int_resources__days
  and int_resources__periods read, so the two always describe the same usage.
#}
{% macro billed_resource_usage(target) -%}
from {{ ref('focus_costs') }}
where ResourceId is not null and ChargeCategory = 'Usage' and CommitmentDiscountStatus is distinct from 'Unused'
{%- if is_incremental() %}
    and x_BillingPeriod in ({{ billing_periods_literal(ref('focus_costs'), target) }})
{%- endif %}
{%- endmacro %}
