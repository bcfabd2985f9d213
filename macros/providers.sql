{#
  The one key each provider goes by in every table (billing, metrics, inventory, resources,
  recommendations): aws, azure, gcp, oci, or the provider's name in lower snake case. The
  provider's own name stays in FOCUS's ProviderName.
#}
{% macro provider_key(name) -%}
case
    when lower(trim({{ name }})) in ('aws', 'amazon web services', 'amazon', 'amazon web services, inc.') then 'aws'
    when lower(trim({{ name }})) in ('azure', 'microsoft', 'microsoft azure', 'microsoft corporation') then 'azure'
    when lower(trim({{ name }})) in ('gcp', 'google', 'google cloud', 'google cloud platform') then 'gcp'
    when lower(trim({{ name }})) in ('oci', 'oracle', 'oracle cloud infrastructure', 'oracle cloud') then 'oci'
    else trim({{ regexp_replace('lower(trim(' ~ name ~ '))', "'[^a-z0-9]+'", "'_'", "'g'") }}, '_')
end
{%- endmacro %}
