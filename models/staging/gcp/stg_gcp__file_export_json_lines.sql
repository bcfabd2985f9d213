-- GCP's retired billing file export (JSON), renamed and cast to one shape with the CSV export.
-- It names no billing account: the project number stands in (as ingest keys it).
select
    {{ typecast('projectNumber', 'varchar') }}                                  as billing_account_id,
    {{ typecast('projectNumber', 'varchar') }}                                  as sub_account_id,
    {{ typecast('null', 'varchar') }}                                           as sub_account_name,
    _billing_period                                         as billing_period,
    {{ typecast('startTime', 'timestamp') }}                                    as usage_start,
    {{ typecast('endTime', 'timestamp') }}                                      as usage_end,
    lineItemId                                              as line_item,
    {{ typecast('null', 'varchar') }}                                           as description,
    {{ money(list_element('measurements', 1) ~ '.sum') }}                      as usage_quantity,
    {{ list_element('measurements', 1) }}.unit                                    as unit,
    cost_currency                                           as currency,
    {{ money('cost_amount') }}                              as cost,
    {{ cast('0', 'decimal(38, 10)') }}                              as credits,
    {{ typecast('null', 'varchar') }}                                           as project_labels,
    _load_id                                                as load_id,
    _source_file                                            as source_file
from {{ source('gcp', 'file_export_json_lines') }}
