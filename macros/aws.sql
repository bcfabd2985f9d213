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
