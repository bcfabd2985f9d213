-- Azure Cost Management Query's daily service-level cost as FOCUS 1.2 rows, for subscriptions
-- without cost details exports: a subscription's period that a cost details export covers comes
-- from the export only. The billing account is the query's scope (as the ingest ledger keys it).
{{ service_level_focus_rows(
    ref('stg_azure__cost_management_days'),
    [ref('stg_azure__cost_lines')],
    'scope',
    'actual_cost',
    'coalesce(amortized_cost, actual_cost)',
    {'provider': 'azure', 'provider_name': 'Microsoft', 'billing_account_type': 'Billing Account',
     'sub_account_type': 'Subscription', 'dataset': 'azure_cost_management'}
) }}
