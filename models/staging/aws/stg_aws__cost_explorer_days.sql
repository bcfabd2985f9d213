-- AWS Cost Explorer daily cost per linked account and service (costexplorer://), renamed and cast.
select
    {{ typecast('linked_account_id', 'varchar') }}                              as sub_account_id,
    service                                                 as service_name,
    _billing_period                                         as billing_period,
    {{ typecast('usage_date', 'date') }}                                        as usage_date,
    {{ money('unblended_cost') }}                           as unblended_cost,
    {{ money('amortized_cost') }}                           as amortized_cost,
    {{ money('nullif(usage_quantity, \'\')') }}             as usage_quantity,
    currency,
    lower({{ typecast('estimated', 'varchar') }}) = 'true'                      as is_estimated,
    _load_id                                                as load_id,
    _source_file                                            as source_file
from {{ source('aws', 'cost_explorer_daily') }}
