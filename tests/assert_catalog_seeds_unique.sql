-- The price catalogue's seeds hold one row per key: a price per size, region and currency, a unit
-- price per storage type, region, currency and unit, a discount per commitment type, term and payment.
select 'catalog_vm_prices' as seed, provider || '/' || size || '/' || region || '/' || currency as row_key
from {{ ref('catalog_vm_prices') }}
group by all having count(*) > 1
union all
select 'catalog_storage_prices', provider || '/' || storage_type || '/' || region || '/' || currency || '/' || unit
from {{ ref('catalog_storage_prices') }}
group by all having count(*) > 1
union all
select 'catalog_commitment_discounts', provider || '/' || commitment_type || '/' || {{ as_text('term_years') }} || '/' || payment_option
from {{ ref('catalog_commitment_discounts') }}
group by all having count(*) > 1
