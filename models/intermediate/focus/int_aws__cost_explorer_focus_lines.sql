-- AWS Cost Explorer's daily service-level cost as FOCUS 1.2 rows, for accounts without a CUR:
-- an account's period that a CUR covers comes from the CUR only. Cost Explorer answers for the
-- payer the credentials belong to without naming it: the billing account reads 'cost-explorer'
-- (as the ingest ledger keys it).
{{ service_level_focus_rows(
    ref('stg_aws__cost_explorer_days'),
    [ref('stg_aws__cur2_line_items'), ref('stg_aws__cur_legacy_line_items')],
    "'cost-explorer'",
    'unblended_cost',
    'coalesce(amortized_cost, unblended_cost)',
    {'provider': 'aws', 'provider_name': 'AWS', 'billing_account_type': 'Payer Account',
     'sub_account_type': 'Linked Account', 'dataset': 'aws_cost_explorer'}
) }}
