/**
 * Limits, quotas and defaults that AWS imposes, one home each, with the page
 * that states it. The config schema and rules, the constructs, the alarms and
 * the capacity model all read them from here; a number below is AWS's, never
 * a choice of this app (those stay with the code that makes them).
 */

const MIB = 1024 ** 2;

/** An inclusive range AWS accepts. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

// ---------------------------------------------------------------- Amazon Data Firehose

/**
 * BufferingHints: IntervalInSeconds 0-900, SizeInMBs 1-128 (Amazon Data
 * Firehose API Reference, BufferingHints,
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html).
 */
export const FIREHOSE_BUFFER_SECONDS: Range = { min: 0, max: 900 };
export const FIREHOSE_BUFFER_MIB: Range = { min: 1, max: 128 };

/**
 * Firehose rejects a buffer size under 64 MiB on a stream with dynamic
 * partitioning (Amazon Data Firehose Developer Guide, "Partition streaming
 * data in Amazon Data Firehose",
 * https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html).
 */
export const MIN_PARTITIONED_BUFFER_MIB = 64;

/**
 * "Zero buffering feature is not available for dynamic partitioning" (Amazon
 * Data Firehose Developer Guide, "Buffer data for dynamic partitioning",
 * https://docs.aws.amazon.com/firehose/latest/dev/buffering.html); zero
 * buffering is any interval under 60 s ("Understand buffering hints",
 * https://docs.aws.amazon.com/firehose/latest/dev/buffering-hints.html).
 */
export const MIN_PARTITIONED_BUFFER_SECONDS = 60;

/**
 * The Lambda buffering size hint of data transformation "ranges between 0.2
 * MB and 3MB"; the interval hint defaults to sixty seconds (Amazon Data
 * Firehose Developer Guide, "Transform source data in Amazon Data Firehose",
 * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html).
 */
export const FIREHOSE_PROCESSOR_BUFFER_MIB: Range = { min: 0.2, max: 3 };
export const FIREHOSE_PROCESSOR_DEFAULT_INTERVAL_SECONDS = 60;

/**
 * Firehose waits at most 5 minutes for one invocation of the transformation
 * Lambda (same page, "Lambda invocation duration").
 */
export const FIREHOSE_PROCESSOR_MAX_TIMEOUT_SECONDS = 300;

/**
 * Active partitions per Firehose stream: 500 by default; past it records go
 * to the error prefix (activePartitionExceeded); raisable to 5,000 ("Buffer
 * data for dynamic partitioning", https://docs.aws.amazon.com/firehose/latest/dev/buffering.html).
 */
export const FIREHOSE_ACTIVE_PARTITION_QUOTA = 500;
export const FIREHOSE_ACTIVE_PARTITION_QUOTA_MAX = 5000;

/**
 * AWS recommends a buffer size above the data of 10 seconds (BufferingHints
 * SizeInMBs: "We recommend setting this parameter to a value greater than the
 * amount of data you typically ingest into the Firehose stream in 10 seconds",
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html).
 */
export const FIREHOSE_BUFFER_RECOMMENDED_SECONDS = 10;

// ---------------------------------------------------------------- Amazon Kinesis Data Streams

/**
 * "A Kinesis data stream stores records from 24 hours by default, up to 8760
 * hours (365 days)"; the retention cannot go under 24 hours (Amazon Kinesis
 * Data Streams Developer Guide, "Change the data retention period",
 * https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html).
 */
export const KINESIS_RETENTION_HOURS: Range = { min: 24, max: 8760 };

/**
 * Per-shard writes: 1 MiB/s and 1,000 records/s, in both capacity modes
 * (Amazon Kinesis Data Streams Developer Guide, "Quotas and limits",
 * https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html).
 */
export const KINESIS_SHARD_WRITE_BYTES_PER_SECOND = MIB;
export const KINESIS_SHARD_WRITE_RECORDS_PER_SECOND = 1000;

/**
 * A new on-demand stream takes 4 MiB/s and 4,000 records/s of writes, then
 * serves up to twice its peak of the last 30 days ("Choose the data stream
 * capacity mode", https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html).
 */
export const KINESIS_ON_DEMAND_INITIAL_WRITE_BYTES_PER_SECOND = 4 * MIB;
export const KINESIS_ON_DEMAND_INITIAL_WRITE_RECORDS_PER_SECOND = 4000;

// ---------------------------------------------------------------- Amazon CloudWatch Logs

/**
 * "Each log group can have up to two subscription filters associated with it"
 * (CloudWatch Logs API Reference, PutSubscriptionFilter,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutSubscriptionFilter.html).
 */
export const MAX_SUBSCRIPTION_FILTERS_PER_LOG_GROUP = 2;

/** PutSubscriptionFilter filterPattern: at most 1,024 characters (same page). */
export const FILTER_PATTERN_MAX_CHARS = 1024;

/**
 * Log group names: 1-512 characters of `[\.\-_/#A-Za-z0-9]` (CloudWatch Logs
 * API Reference, CreateLogGroup,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html).
 */
export const LOG_GROUP_NAME_MAX_CHARS = 512;

/**
 * The retention values PutRetentionPolicy accepts (CloudWatch Logs API
 * Reference, PutRetentionPolicy, retentionInDays,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
 */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * PutDestinationPolicy: the access policy "can be up to 5120 bytes"
 * (CloudWatch Logs API Reference, PutDestinationPolicy,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDestinationPolicy.html).
 */
export const DESTINATION_POLICY_MAX_BYTES = 5120;

/**
 * A service control policy document: "Service control policies: 5120
 * characters" (AWS Organizations user guide, Quotas and service limits,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html;
 * some versions of that page say bytes). Every character counts, white space
 * included ("SCP syntax", same guide,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_scp-syntax.html),
 * so lib/scp.ts measures exactly the text `npm run scp` prints (compact JSON),
 * in UTF-8 bytes, never fewer than its characters.
 */
export const SCP_MAX_BYTES = 5120;

/**
 * CloudWatch Logs caps an account policy's selection criteria at 25 KB,
 * measured in UTF-8 bytes ("The selectionCriteria string can be up to 25KB in
 * length. The length is determined by using its UTF-8 bytes", PutAccountPolicy,
 * CloudWatch Logs API reference,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutAccountPolicy.html;
 * "Selection criteria has a size limit of 25 KB", CloudWatch Logs user guide,
 * subscription concepts, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/subscription-concepts.html).
 * Neither page says whether a KB is 1,000 or 1,024 bytes: the smaller reading
 * is the limit here, so a policy the config check accepts fits either way.
 */
export const SELECTION_CRITERIA_MAX_BYTES = 25_000;

/**
 * CloudWatch Logs counts each event as its UTF-8 message plus 26 bytes
 * (CloudWatch Logs API Reference, PutLogEvents, batch size,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html).
 */
export const CLOUDWATCH_LOGS_BYTES_PER_EVENT_OVERHEAD = 26;

/**
 * CloudWatch Logs retries a throttled delivery to a subscription destination
 * for up to 24 hours, then drops it (CloudWatch Logs User Guide, "Real-time
 * processing of log data with subscriptions",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html).
 */
export const CLOUDWATCH_LOGS_RETRY_HOURS = 24;

// ---------------------------------------------------------------- Amazon CloudWatch alarms

/**
 * "An alarm's total current evaluation period can be no longer than seven
 * days, so Period multiplied by EvaluationPeriods can't be more than 604,800
 * seconds" (CloudWatch API Reference, PutMetricAlarm, Period,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
 */
export const ALARM_MAX_EVALUATION_SECONDS = 7 * 24 * 3600;

// ---------------------------------------------------------------- IAM

/**
 * IAM and AWS STS quotas (IAM User Guide,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
 * role names up to 64 characters; a role trust policy up to 2,048 characters
 * by default; all inline policies of one role together up to 10,240
 * characters ("Role policy size cannot exceed 10,240 characters"). IAM does
 * not count white space in policy sizes.
 */
export const IAM_ROLE_NAME_MAX_CHARS = 64;
export const ROLE_TRUST_POLICY_MAX_CHARS = 2048;
export const ROLE_INLINE_POLICIES_MAX_CHARS = 10_240;

// ---------------------------------------------------------------- Amazon S3

/**
 * Bucket names are 3-63 characters (Amazon S3 User Guide, "General purpose
 * bucket naming rules",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 */
export const S3_BUCKET_NAME_CHARS: Range = { min: 3, max: 63 };

/**
 * A GLACIER transition after 0 or more days ("valid values are 0 or positive
 * integers", S3 API Reference, Transition,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_Transition.html; the
 * NoncurrentVersionTransition reference sets no lower bound,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_NoncurrentVersionTransition.html);
 * expiration (Days, NoncurrentDays) after 1 or more ("must be a non-zero
 * positive integer", LifecycleExpiration,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html;
 * NoncurrentVersionExpiration,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_NoncurrentVersionExpiration.html).
 */
export const S3_TRANSITION_MIN_DAYS = 0;
export const S3_EXPIRATION_MIN_DAYS = 1;

/**
 * S3 Replication Time Control's threshold, and the metrics' event threshold
 * that must come with it: 15 minutes, the only value S3 accepts
 * ("ReplicationTimeValue", Minutes: "Valid value: 15", S3 API Reference,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ReplicationTimeValue.html).
 */
export const S3_RTC_MINUTES = 15;

/**
 * Per object archived to Glacier Flexible Retrieval, S3 bills 8 KB at
 * Standard and 32 KB at Glacier rates (Amazon S3 User Guide, "Understanding
 * archival storage in S3 Glacier",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/archival-storage.html).
 */
export const GLACIER_STANDARD_OVERHEAD_BYTES = 8 * 1024;
export const GLACIER_ARCHIVE_OVERHEAD_BYTES = 32 * 1024;

// ---------------------------------------------------------------- AWS KMS, Amazon SQS, tags

/**
 * A key scheduled for deletion waits 7-30 days (AWS KMS API Reference,
 * ScheduleKeyDeletion, PendingWindowInDays,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html).
 */
export const KMS_DELETION_WINDOW_DAYS: Range = { min: 7, max: 30 };

/**
 * An SQS queue keeps a message for at most 14 days (Amazon SQS API Reference,
 * SetQueueAttributes, MessageRetentionPeriod: 60 to 1,209,600 seconds,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html).
 */
export const SQS_MAX_MESSAGE_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * Tag keys up to 128 characters, values up to 256 (Tagging AWS resources,
 * "Tag naming limits and requirements",
 * https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html).
 */
export const TAG_KEY_MAX_CHARS = 128;
export const TAG_VALUE_MAX_CHARS = 256;

// ---------------------------------------------------------------- Amazon Athena

/**
 * A workgroup's per-query data usage control: "BytesScannedCutoffPerQuery ...
 * Valid Range: Minimum value of 10000000" bytes (Athena API Reference,
 * WorkGroupConfiguration,
 * https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfiguration.html).
 */
export const ATHENA_MIN_BYTES_SCANNED_CUTOFF = 10_000_000;

/**
 * Athena's price, in USD per TB scanned, "rounded up to the nearest megabyte,
 * with a 10 MB minimum per query" (Amazon Athena pricing, SQL queries,
 * https://aws.amazon.com/athena/pricing/, us-east-1). For the README's cost notes.
 */
export const ATHENA_USD_PER_TB_SCANNED = 5;
