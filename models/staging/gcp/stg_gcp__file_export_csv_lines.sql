-- GCP's retired billing file export (CSV), renamed and cast to one shape with the JSON export.
select
    {{ raw_column('Account ID') }}                                            as billing_account_id,
    coalesce(nullif({{ raw_column('Project ID') }}, ''), nullif({{ raw_column('Project') }}, '')) as sub_account_id,
    nullif({{ raw_column('Project Name') }}, '')                              as sub_account_name,
    _billing_period                                         as billing_period,
    {{ typecast(parse_timestamp(raw_column('Start Time')), 'timestamp') }}        as usage_start,
    {{ typecast(parse_timestamp(raw_column('End Time')), 'timestamp') }}          as usage_end,
    {{ raw_column('Line Item') }}                                             as line_item,
    nullif({{ raw_column('Description') }}, '')                               as description,
    {{ money('nullif(' ~ raw_column('Measurement1 Total Consumption') ~ ", '')") }} as usage_quantity,
    nullif({{ raw_column('Measurement1 Units') }}, '')                        as unit,
    {{ raw_column('Currency') }}                                              as currency,
    {{ money(raw_column('Cost')) }}                                   as cost,
    coalesce({{ money('nullif(' ~ raw_column('Credit1 Amount') ~ ", '')") }}, 0) as credits,
    nullif({{ raw_column('Project Labels') }}, '')                            as project_labels,
    _load_id                                                as load_id,
    _source_file                                            as source_file
from {{ source('gcp', 'file_export_csv_lines') }}
