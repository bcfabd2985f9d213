-- Azure Cost Management Query daily cost per subscription and service (azurecost://), renamed and cast.
select
    scope                                                   as scope,
    subscription_id                                         as sub_account_id,
    service_name,
    _billing_period                                         as billing_period,
    {{ typecast('usage_date', 'date') }}                                        as usage_date,
    {{ money('actual_cost') }}                              as actual_cost,
    {{ money('amortized_cost') }}                           as amortized_cost,
    -- The query returns cost only, no quantities.
    {{ typecast('null', 'decimal(38, 10)') }}                                   as usage_quantity,
    currency,
    _load_id                                                as load_id,
    _source_file                                            as source_file
from {{ source('azure', 'cost_management_daily') }}
