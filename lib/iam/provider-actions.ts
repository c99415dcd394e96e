/**
 * The IAM actions the AWS provider v5.100.0 (hashicorp/terraform-provider-aws) calls for each resource type
 * this project declares, so that least-privilege policies for Terraform runs can be derived from the types
 * a configuration uses.
 *
 * `read` is what the resource's Read function calls: everything `terraform plan` (with refresh) and
 * `terraform import` need, including tag listing. `write` is what its Create, Update and Delete functions
 * call beyond `read` (waiters that poll with read actions are covered by `read`). API operations are given
 * as their IAM action names from the AWS Service Authorization Reference, which differ from the operation
 * names for S3 (e.g. DeleteBucketLifecycle -> s3:PutLifecycleConfiguration, DeletePublicAccessBlock ->
 * s3:PutBucketPublicAccessBlock, HeadBucket -> s3:ListBucket).
 *
 * `source` names the provider file (internal/service/<svc>/<resource>.go) whose Create/Read/Update/Delete
 * functions were read, or "knowledge" where the list comes from knowledge of the provider rather than a
 * reading. The stored copies read were not all pinned to the v5.100.0 tag; calls added after v5.100.0
 * (e.g. Kinesis UpdateMaxRecordSize, Lambda durable executions) are left out.
 *
 * Conditional paths that are included: aws_s3_bucket's Update for its deprecated inline arguments (acl,
 * cors_rule, website, ...) and its force_destroy emptying (ListObjectVersions, DeleteObjects); not included:
 * force_destroy of Object Lock buckets (s3:BypassGovernanceRetention) and the EC2 calls of Lambda VPC
 * security-group replacement on destroy.
 */
export interface ProviderActions {
  /** IAM actions the resource's Read calls: all a plan (refresh) needs. */
  readonly read: readonly string[];
  /** IAM actions its Create, Update and Delete call beyond `read`. */
  readonly write: readonly string[];
  /** Where the calls were read: a provider source path, or "knowledge" when not read. */
  readonly source: string;
}

export const PROVIDER_ACTIONS: Readonly<Record<string, ProviderActions>> = {
  aws_athena_named_query: {
    read: ["athena:GetNamedQuery"],
    write: ["athena:CreateNamedQuery", "athena:DeleteNamedQuery"],
    source: "knowledge",
  },
  aws_athena_workgroup: {
    read: ["athena:GetWorkGroup", "athena:ListTagsForResource"],
    write: [
      "athena:CreateWorkGroup",
      "athena:DeleteWorkGroup",
      "athena:TagResource",
      "athena:UntagResource",
      "athena:UpdateWorkGroup",
    ],
    source: "knowledge",
  },
  aws_cloudwatch_log_account_policy: {
    read: ["logs:DescribeAccountPolicies"],
    write: [
      "iam:PassRole",
      "logs:DeleteAccountPolicy",
      "logs:DeleteSubscriptionFilter",
      "logs:PutAccountPolicy",
      "logs:PutSubscriptionFilter",
    ],
    source: "internal/service/logs/account_policy.go",
  },
  aws_cloudwatch_log_destination: {
    read: ["logs:DescribeDestinations", "logs:ListTagsForResource"],
    write: [
      "iam:PassRole",
      "logs:DeleteDestination",
      "logs:PutDestination",
      "logs:TagResource",
      "logs:UntagResource",
    ],
    source: "internal/service/logs/destination.go",
  },
  aws_cloudwatch_log_destination_policy: {
    read: ["logs:DescribeDestinations"],
    write: ["logs:PutDestinationPolicy"],
    source: "internal/service/logs/destination_policy.go",
  },
  aws_cloudwatch_log_group: {
    read: ["logs:DescribeLogGroups", "logs:ListTagsForResource"],
    write: [
      "logs:AssociateKmsKey",
      "logs:CreateLogGroup",
      "logs:DeleteLogGroup",
      "logs:DeleteRetentionPolicy",
      "logs:DisassociateKmsKey",
      "logs:PutRetentionPolicy",
      "logs:TagResource",
      "logs:UntagResource",
    ],
    source: "internal/service/logs/group.go",
  },
  aws_cloudwatch_log_stream: {
    read: ["logs:DescribeLogStreams"],
    write: ["logs:CreateLogStream", "logs:DeleteLogStream"],
    source: "knowledge",
  },
  aws_cloudwatch_log_subscription_filter: {
    read: ["logs:DescribeSubscriptionFilters"],
    write: ["iam:PassRole", "logs:DeleteSubscriptionFilter", "logs:PutSubscriptionFilter"],
    source: "internal/service/logs/subscription_filter.go",
  },
  aws_cloudwatch_metric_alarm: {
    read: ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"],
    write: [
      "cloudwatch:DeleteAlarms",
      "cloudwatch:PutMetricAlarm",
      "cloudwatch:TagResource",
      "cloudwatch:UntagResource",
    ],
    source: "knowledge",
  },
  aws_glue_catalog_database: {
    read: ["glue:GetDatabase", "glue:GetTags"],
    write: [
      "glue:CreateDatabase",
      "glue:DeleteDatabase",
      "glue:TagResource",
      "glue:UntagResource",
      "glue:UpdateDatabase",
    ],
    source: "knowledge",
  },
  aws_glue_catalog_table: {
    read: ["glue:GetPartitionIndexes", "glue:GetTable"],
    write: ["glue:CreateTable", "glue:DeleteTable", "glue:UpdateTable"],
    source: "internal/service/glue/catalog_table.go",
  },
  aws_iam_openid_connect_provider: {
    read: ["iam:GetOpenIDConnectProvider"],
    write: [
      "iam:AddClientIDToOpenIDConnectProvider",
      "iam:CreateOpenIDConnectProvider",
      "iam:DeleteOpenIDConnectProvider",
      "iam:RemoveClientIDFromOpenIDConnectProvider",
      "iam:TagOpenIDConnectProvider",
      "iam:UntagOpenIDConnectProvider",
      "iam:UpdateOpenIDConnectProviderThumbprint",
    ],
    source: "knowledge",
  },
  aws_iam_role: {
    read: [
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:ListRolePolicies",
      "iam:ListRoleTags",
    ],
    write: [
      "iam:AttachRolePolicy",
      "iam:CreateRole",
      "iam:DeleteRole",
      "iam:DeleteRolePermissionsBoundary",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:ListInstanceProfilesForRole",
      "iam:PutRolePermissionsBoundary",
      "iam:PutRolePolicy",
      "iam:RemoveRoleFromInstanceProfile",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
    ],
    source: "internal/service/iam/role.go",
  },
  aws_iam_role_policy: {
    read: ["iam:GetRolePolicy"],
    write: ["iam:DeleteRolePolicy", "iam:PutRolePolicy"],
    source: "knowledge",
  },
  aws_kinesis_firehose_delivery_stream: {
    read: ["firehose:DescribeDeliveryStream", "firehose:ListTagsForDeliveryStream"],
    write: [
      "firehose:CreateDeliveryStream",
      "firehose:DeleteDeliveryStream",
      "firehose:StartDeliveryStreamEncryption",
      "firehose:StopDeliveryStreamEncryption",
      "firehose:TagDeliveryStream",
      "firehose:UntagDeliveryStream",
      "firehose:UpdateDestination",
      "iam:PassRole",
    ],
    source: "knowledge",
  },
  aws_kinesis_stream: {
    read: ["kinesis:DescribeStreamSummary", "kinesis:ListTagsForStream"],
    write: [
      "kinesis:AddTagsToStream",
      "kinesis:CreateStream",
      "kinesis:DecreaseStreamRetentionPeriod",
      "kinesis:DeleteStream",
      "kinesis:DisableEnhancedMonitoring",
      "kinesis:EnableEnhancedMonitoring",
      "kinesis:IncreaseStreamRetentionPeriod",
      "kinesis:RemoveTagsFromStream",
      "kinesis:StartStreamEncryption",
      "kinesis:StopStreamEncryption",
      "kinesis:UpdateShardCount",
      "kinesis:UpdateStreamMode",
    ],
    source: "internal/service/kinesis/stream.go",
  },
  aws_kms_alias: {
    read: ["kms:ListAliases"],
    write: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
    source: "knowledge",
  },
  aws_kms_key: {
    read: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
    write: [
      "kms:CreateKey",
      "kms:DisableKey",
      "kms:DisableKeyRotation",
      "kms:EnableKey",
      "kms:EnableKeyRotation",
      "kms:PutKeyPolicy",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:UpdateKeyDescription",
    ],
    source: "internal/service/kms/key.go",
  },
  aws_lambda_function: {
    read: ["lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:ListVersionsByFunction"],
    write: [
      "iam:PassRole",
      "lambda:CreateFunction",
      "lambda:DeleteFunction",
      "lambda:DeleteFunctionCodeSigningConfig",
      "lambda:DeleteFunctionConcurrency",
      "lambda:GetFunctionConfiguration",
      "lambda:PublishVersion",
      "lambda:PutFunctionCodeSigningConfig",
      "lambda:PutFunctionConcurrency",
      "lambda:TagResource",
      "lambda:UntagResource",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
    ],
    source: "internal/service/lambda/function.go",
  },
  aws_s3_bucket: {
    read: [
      "s3:GetAccelerateConfiguration",
      "s3:GetBucketAcl",
      "s3:GetBucketCORS",
      "s3:GetBucketLogging",
      "s3:GetBucketObjectLockConfiguration",
      "s3:GetBucketPolicy",
      "s3:GetBucketRequestPayment",
      "s3:GetBucketTagging",
      "s3:GetBucketVersioning",
      "s3:GetBucketWebsite",
      "s3:GetEncryptionConfiguration",
      "s3:GetLifecycleConfiguration",
      "s3:GetReplicationConfiguration",
      "s3:ListBucket",
    ],
    write: [
      "s3:CreateBucket",
      "s3:DeleteBucket",
      "s3:DeleteBucketPolicy",
      "s3:DeleteBucketWebsite",
      "s3:DeleteObject",
      "s3:DeleteObjectVersion",
      "s3:ListBucketVersions",
      "s3:PutAccelerateConfiguration",
      "s3:PutBucketAcl",
      "s3:PutBucketCORS",
      "s3:PutBucketLogging",
      "s3:PutBucketObjectLockConfiguration",
      "s3:PutBucketPolicy",
      "s3:PutBucketRequestPayment",
      "s3:PutBucketTagging",
      "s3:PutBucketVersioning",
      "s3:PutBucketWebsite",
      "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
      "s3:PutReplicationConfiguration",
    ],
    source: "internal/service/s3/bucket.go",
  },
  aws_s3_bucket_lifecycle_configuration: {
    read: ["s3:GetLifecycleConfiguration"],
    write: ["s3:PutLifecycleConfiguration"],
    source: "knowledge",
  },
  aws_s3_bucket_logging: {
    read: ["s3:GetBucketLogging"],
    write: ["s3:PutBucketLogging"],
    source: "knowledge",
  },
  aws_s3_bucket_notification: {
    read: ["s3:GetBucketNotification"],
    write: ["s3:PutBucketNotification"],
    source: "knowledge",
  },
  aws_s3_bucket_object_lock_configuration: {
    read: ["s3:GetBucketObjectLockConfiguration"],
    write: ["s3:PutBucketObjectLockConfiguration"],
    source: "knowledge",
  },
  aws_s3_bucket_ownership_controls: {
    read: ["s3:GetBucketOwnershipControls"],
    write: ["s3:PutBucketOwnershipControls"],
    source: "knowledge",
  },
  aws_s3_bucket_policy: {
    read: ["s3:GetBucketPolicy"],
    write: ["s3:DeleteBucketPolicy", "s3:PutBucketPolicy"],
    source: "knowledge",
  },
  aws_s3_bucket_public_access_block: {
    read: ["s3:GetBucketPublicAccessBlock"],
    write: ["s3:PutBucketPublicAccessBlock"],
    source: "knowledge",
  },
  aws_s3_bucket_replication_configuration: {
    read: ["s3:GetReplicationConfiguration"],
    write: ["iam:PassRole", "s3:PutReplicationConfiguration"],
    source: "knowledge",
  },
  aws_s3_bucket_server_side_encryption_configuration: {
    read: ["s3:GetEncryptionConfiguration"],
    write: ["s3:PutEncryptionConfiguration"],
    source: "knowledge",
  },
  aws_s3_bucket_versioning: {
    read: ["s3:GetBucketVersioning"],
    write: ["s3:PutBucketVersioning"],
    source: "knowledge",
  },
  aws_sns_topic: {
    read: ["sns:GetTopicAttributes", "sns:ListTagsForResource"],
    write: [
      "sns:CreateTopic",
      "sns:DeleteTopic",
      "sns:SetTopicAttributes",
      "sns:TagResource",
      "sns:UntagResource",
    ],
    source: "knowledge",
  },
  aws_sns_topic_policy: {
    read: ["sns:GetTopicAttributes"],
    write: ["sns:SetTopicAttributes"],
    source: "knowledge",
  },
  aws_sns_topic_subscription: {
    read: ["sns:GetSubscriptionAttributes"],
    write: ["sns:SetSubscriptionAttributes", "sns:Subscribe", "sns:Unsubscribe"],
    source: "internal/service/sns/topic_subscription.go",
  },
  aws_sqs_queue: {
    read: ["sqs:GetQueueAttributes", "sqs:ListQueueTags"],
    write: ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"],
    source: "knowledge",
  },
  aws_sqs_queue_policy: {
    read: ["sqs:GetQueueAttributes"],
    write: ["sqs:SetQueueAttributes"],
    source: "knowledge",
  },
};
