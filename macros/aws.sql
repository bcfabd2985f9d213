{#
  AWS service names for their product codes: CUR 2.0 has no product_product_name column (the name
  is product['product_name'] in its product map), and some exports carry neither. The names are
  the ones AWS's own reports print; a code not listed stands as its own name (FOCUS ServiceName
  must not be null).
#}
{% macro aws_service_name(code) -%}
case {{ code }}
    when 'AmazonEC2' then 'Amazon Elastic Compute Cloud'
    when 'AmazonS3' then 'Amazon Simple Storage Service'
    when 'AWSDataTransfer' then 'AWS Data Transfer'
    when 'AmazonRDS' then 'Amazon Relational Database Service'
    when 'AWSLambda' then 'AWS Lambda'
    when 'AmazonCloudWatch' then 'AmazonCloudWatch'
    when 'AmazonVPC' then 'Amazon Virtual Private Cloud'
    when 'AmazonDynamoDB' then 'Amazon DynamoDB'
    when 'AmazonEKS' then 'Amazon Elastic Container Service for Kubernetes'
    when 'AmazonECS' then 'Amazon Elastic Container Service'
    when 'AmazonRedshift' then 'Amazon Redshift'
    when 'AmazonElastiCache' then 'Amazon ElastiCache'
    when 'AmazonEFS' then 'Amazon Elastic File System'
    when 'AmazonCloudFront' then 'Amazon CloudFront'
    when 'AmazonRoute53' then 'Amazon Route 53'
    when 'AmazonSNS' then 'Amazon Simple Notification Service'
    when 'AWSQueueService' then 'Amazon Simple Queue Service'
    when 'AmazonKinesis' then 'Amazon Kinesis'
    when 'AmazonAthena' then 'Amazon Athena'
    when 'AWSGlue' then 'AWS Glue'
    when 'AWSKMS' then 'AWS Key Management Service'
    when 'AWSSecretsManager' then 'AWS Secrets Manager'
    when 'AWSCloudTrail' then 'AWS CloudTrail'
    when 'AWSConfig' then 'AWS Config'
    when 'AWSELB' then 'Elastic Load Balancing'
    when 'AWSBackup' then 'AWS Backup'
    when 'ComputeSavingsPlans' then 'Savings Plans for AWS Compute usage'
    when 'AWSSupportBusiness' then 'AWS Support (Business)'
    when 'AWSSupportEnterprise' then 'AWS Support (Enterprise)'
    when 'AWSSupportDeveloper' then 'AWS Support (Developer)'
    else {{ code }}
end
{%- endmacro %}

{#
  Legacy CUR's tag columns vary per report (resourceTags/user:<key>, and resourceTags/aws:<key>
  for the AWS-generated ones): each row's columns as one JSON value (tag_columns), from which
  cur_legacy_tags keeps the tags. DuckDB picks the columns by pattern (_source_file is always
  present, so the pattern never matches nothing); BigQuery takes the whole row as JSON, where the
  columns are named resourceTags_user_<key> (raw_column).
#}
{% macro cur_legacy_landed(relation) -%}{{ return(adapter.dispatch('cur_legacy_landed', 'cco')(relation)) }}{%- endmacro %}
{% macro duckdb__cur_legacy_landed(relation) -%}
select *, to_json(struct_pack(*columns('^(resourceTags/.*|_source_file)$'))) as tag_columns
    from {{ relation }}
{%- endmacro %}
{% macro bigquery__cur_legacy_landed(relation) -%}
select *, to_json(landed_row) as tag_columns
    from {{ relation }} as landed_row
{%- endmacro %}

{# The row's non-empty tag columns as a JSON object, keys without their resourceTags/ and user: prefixes. #}
{% macro cur_legacy_tags(tag_columns) -%}{{ return(adapter.dispatch('cur_legacy_tags', 'cco')(tag_columns)) }}{%- endmacro %}
{% macro duckdb__cur_legacy_tags(tag_columns) -%}
select json_group_object(regexp_replace(key, '^resourceTags/(user:)?', ''), value ->> '$')
        from json_each({{ tag_columns }})
        where key <> '_source_file' and coalesce(value ->> '$', '') <> ''
{%- endmacro %}
{% macro bigquery__cur_legacy_tags(tag_columns) -%}
select {{ json_object_agg("regexp_replace(tag_key, r'^resourceTags_(user_)?', '')", 'json_value(' ~ tag_columns ~ '[tag_key])') }}
        from unnest(json_keys({{ tag_columns }}, 1)) as tag_key
        where starts_with(tag_key, 'resourceTags_') and coalesce(json_value({{ tag_columns }}[tag_key]), '') <> ''
{%- endmacro %}
