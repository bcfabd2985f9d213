-- GCP's retired billing file export (CSV), renamed and cast to one shape with the JSON export.
select
    "Account ID"                                            as billing_account_id,
    coalesce(nullif("Project ID", ''), nullif("Project", '')) as sub_account_id,
    nullif("Project Name", '')                              as sub_account_name,
    _billing_period                                         as billing_period,
    {{ parse_timestamp('"Start Time"') }}::timestamp        as usage_start,
    {{ parse_timestamp('"End Time"') }}::timestamp          as usage_end,
    "Line Item"                                             as line_item,
    nullif("Description", '')                               as description,
    {{ money('nullif("Measurement1 Total Consumption", \'\')') }} as usage_quantity,
    nullif("Measurement1 Units", '')                        as unit,
    "Currency"                                              as currency,
    {{ money('"Cost"') }}                                   as cost,
    coalesce({{ money('nullif("Credit1 Amount", \'\')') }}, 0) as credits,
    nullif("Project Labels", '')                            as project_labels,
    _load_id                                                as load_id,
    _source_file                                            as source_file
from {{ source('gcp', 'file_export_csv_lines') }}
