import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { policyDocument, policyJson } from "../lib/iam/policy";
import { shortHash } from "../lib/hash";
import { Partition } from "../lib/config/regions";
import { servicePrincipal } from "../lib/partition";
import { ACCOUNT_DIMENSION, EVENTS_METRIC } from "../functions/processor/metrics";
import {
  ALARM_MAX_EVALUATION_SECONDS,
  CLOUDWATCH_LOGS_RETRY_HOURS,
  FIREHOSE_ACTIVE_PARTITION_QUOTA,
  KINESIS_SHARD_WRITE_BYTES_PER_SECOND,
} from "../lib/aws-limits";
import { ERROR_PREFIX, EVENTS_PREFIX, STREAM_CAPACITY_TARGET } from "../lib/pipeline";

export interface AlarmTopicProps {
  readonly provider: AwsProvider;
  readonly partition: Partition;
  readonly region: string;
  readonly accountId: string;
  readonly name: string;
  readonly kmsKeyArn: string;
  /** @default no subscription */
  readonly email?: string;
}

/** The SNS topic every alarm notifies: KMS-encrypted, publishable only by this account's CloudWatch alarms. */
export class AlarmTopic extends Construct {
  readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, "Topic", {
      provider: props.provider,
      name: props.name,
      kmsMasterKeyId: props.kmsKeyArn,
    });
    new SnsTopicPolicy(this, "Policy", {
      provider: props.provider,
      arn: this.topic.arn,
      policy: policyJson(alarmTopicPolicy(this.topic.arn, props)),
    });
    if (props.email) {
      new SnsTopicSubscription(this, "Email", {
        provider: props.provider,
        topicArn: this.topic.arn,
        protocol: "email",
        endpoint: props.email,
      });
    }
  }
}

/** CloudWatch alarms of this account (aws:SourceAccount, aws:SourceArn) may publish; nobody else. */
export function alarmTopicPolicy(
  topicArn: string,
  props: Pick<AlarmTopicProps, "partition" | "region" | "accountId">,
) {
  return policyDocument({
    Sid: "CloudWatchAlarmsOfThisAccount",
    Effect: "Allow",
    Principal: { Service: servicePrincipal("cloudwatch", props.partition) },
    Action: "sns:Publish",
    Resource: topicArn,
    Condition: {
      StringEquals: { "aws:SourceAccount": props.accountId },
      ArnLike: {
        "aws:SourceArn": `arn:${props.partition}:cloudwatch:${props.region}:${props.accountId}:alarm:*`,
      },
    },
  });
}

/** One alarm, as data: what it watches, when it fires, and what to do. */
export interface AlarmSpec {
  readonly id: string;
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly statistic: "Sum" | "Average" | "Maximum";
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly comparison: "GreaterThanThreshold" | "LessThanThreshold";
  readonly threshold: number;
  readonly treatMissingData: "breaching" | "notBreaching" | "missing";
  /**
   * The region CloudWatch has the metric in: an alarm watches only its own
   * region's metrics, so it must be created there. `replica`: the replica
   * bucket's region (`archive.replica.region`), where S3 publishes
   * ReplicationLatency (replicationAlarmSpecs).
   * @default "home", the security account's home region
   */
  readonly metricRegion?: "home" | "replica";
}

export interface PipelineAlarmInput {
  readonly streamName: string;
  /** @default an on-demand stream */
  readonly shards?: number;
  readonly deliveryStreamName: string;
  readonly bufferSeconds: number;
  /** @default no processor alarms (raw format) */
  readonly processorName?: string;
  /** Firehose partitions by account and log group (events format). @default false */
  readonly dynamicPartitioning?: boolean;
  readonly silenceHours: number;
  /**
   * Accounts watched for silence through the processor's per-account metric
   * (events format only); `silenceAlarm: false` (a sandbox meant to be quiet)
   * leaves that account out.
   */
  readonly accounts: ReadonlyArray<{
    readonly name: string;
    readonly accountId: string;
    readonly silenceAlarm?: boolean;
  }>;
  readonly metricNamespace: string;
  /** Replication into the vault (S3 replication metrics, one rule per prefix). @default none */
  readonly replication?: ReplicationAlarmInput;
}

export interface ReplicationAlarmInput {
  readonly sourceBucket: string;
  readonly destinationBucket: string;
  readonly ruleIds: readonly string[];
  /** RTC promises 15 minutes; without it, S3 makes no promise and the alarm waits an hour. */
  readonly replicationTimeControl: boolean;
}

/** Replication latency worth waking someone for: RTC's 15 minutes, else an hour. */
export function replicationLatencySeconds(replicationTimeControl: boolean): number {
  return replicationTimeControl ? 900 : 3600;
}

/** Fires when Firehose's writes to the archive fail; the Object Lock warning names it. */
export const DELIVERY_FAILING_ALARM = "delivery-failing";

const FIVE_MINUTES = 300;
const HOUR = 3600;

/**
 * Every health alarm of the pipeline, with thresholds derived from the config.
 * The README's alarm table explains each and what to do when it fires.
 */
export function pipelineAlarmSpecs(input: PipelineAlarmInput): AlarmSpec[] {
  const stream = { StreamName: input.streamName };
  const firehose = { DeliveryStreamName: input.deliveryStreamName };
  // The three evaluation shapes every alarm uses: silence (missing data is the
  // problem), a condition sustained for 15 minutes, and any occurrence at all.
  const silence = {
    periodSeconds: HOUR,
    evaluationPeriods: input.silenceHours,
    comparison: "LessThanThreshold" as const,
    threshold: 1,
    treatMissingData: "breaching" as const,
  };
  const sustained = {
    periodSeconds: FIVE_MINUTES,
    evaluationPeriods: 3,
    treatMissingData: "notBreaching" as const,
  };
  const anyOccurrence = {
    periodSeconds: FIVE_MINUTES,
    evaluationPeriods: 1,
    comparison: "GreaterThanThreshold" as const,
    threshold: 0,
    treatMissingData: "notBreaching" as const,
  };
  const specs: AlarmSpec[] = [
    {
      id: "stream-iterator-age",
      description: `Firehose is falling behind: records wait in the stream longer than ${iteratorAgeSeconds(input.bufferSeconds)} s`,
      namespace: "AWS/Kinesis",
      metricName: "GetRecords.IteratorAgeMilliseconds",
      dimensions: stream,
      statistic: "Maximum",
      ...sustained,
      comparison: "GreaterThanThreshold",
      threshold: iteratorAgeSeconds(input.bufferSeconds) * 1000,
    },
    {
      id: "stream-silent",
      description: `No record has reached the stream for ${input.silenceHours} h: every sender may be cut off`,
      namespace: "AWS/Kinesis",
      metricName: "IncomingRecords",
      dimensions: stream,
      statistic: "Sum",
      ...silence,
    },
    {
      id: "delivery-freshness",
      description: `Objects reach S3 later than ${freshnessSeconds(input.bufferSeconds)} s (2x the buffer interval)`,
      namespace: "AWS/Firehose",
      metricName: "DeliveryToS3.DataFreshness",
      dimensions: firehose,
      statistic: "Maximum",
      ...sustained,
      comparison: "GreaterThanThreshold",
      threshold: freshnessSeconds(input.bufferSeconds),
    },
    {
      id: DELIVERY_FAILING_ALARM,
      description: "Firehose deliveries to S3 are failing (success rate below 1)",
      namespace: "AWS/Firehose",
      metricName: "DeliveryToS3.Success",
      dimensions: firehose,
      statistic: "Average",
      ...sustained,
      comparison: "LessThanThreshold",
      threshold: 1,
    },
    {
      id: "delivery-read-throttled",
      description: "Firehose reads from the stream are throttled",
      namespace: "AWS/Firehose",
      metricName: "ThrottledGetRecords",
      dimensions: firehose,
      statistic: "Sum",
      ...sustained,
      comparison: "GreaterThanThreshold",
      threshold: 0,
    },
  ];
  // Both capacity modes throttle writes, and report it as the stream-level
  // WriteProvisionedThroughputExceeded: an on-demand stream "accommodates up to
  // double the peak write throughput observed in the previous 30 days", and
  // "write throttling can occur if your traffic increases to more than double
  // the previous peak within a 15-minute duration" (Amazon Kinesis Data Streams
  // Developer Guide, "Choose the data stream capacity mode",
  // https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html;
  // metric: "Monitor the Amazon Kinesis Data Streams service with Amazon
  // CloudWatch", https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html).
  // CloudWatch Logs retries a throttled delivery for up to 24 hours (CloudWatch
  // Logs User Guide, "Real-time processing of log data with subscriptions",
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html).
  // One spec id in both modes: the provisioned alarm keeps its construct id,
  // name and body, so switching modes or upgrading replaces nothing.
  specs.push({
    id: "stream-write-throttled",
    description:
      input.shards === undefined
        ? `Writes to the on-demand stream are throttled (traffic above twice its previous peak within 15 minutes): CloudWatch Logs retries for up to ${CLOUDWATCH_LOGS_RETRY_HOURS} h, then drops events`
        : `Writes to the stream are throttled: CloudWatch Logs retries for up to ${CLOUDWATCH_LOGS_RETRY_HOURS} h, then drops events`,
    namespace: "AWS/Kinesis",
    metricName: "WriteProvisionedThroughputExceeded",
    dimensions: stream,
    statistic: "Sum",
    ...sustained,
    comparison: "GreaterThanThreshold",
    threshold: 0,
  });
  if (input.shards !== undefined) {
    specs.push({
      id: "stream-near-capacity",
      description: `Writes exceed ${Math.round(STREAM_CAPACITY_TARGET * 100)}% of what ${input.shards} shard(s) can take: add shards or switch to on-demand`,
      namespace: "AWS/Kinesis",
      metricName: "IncomingBytes",
      dimensions: stream,
      statistic: "Sum",
      ...sustained,
      comparison: "GreaterThanThreshold",
      threshold: Math.floor(
        input.shards * KINESIS_SHARD_WRITE_BYTES_PER_SECOND * FIVE_MINUTES * STREAM_CAPACITY_TARGET,
      ),
    });
  }
  if (input.dynamicPartitioning) {
    // Past the active-partition quota (FIREHOSE_ACTIVE_PARTITION_QUOTA) "the
    // rest of the records in the Firehose stream are delivered to the specified
    // S3 error bucket prefix" (Amazon Data Firehose Developer Guide, "Buffer data
    // for dynamic partitioning", https://docs.aws.amazon.com/firehose/latest/dev/buffering.html).
    // PartitionCountExceeded "emits 1 or 0 based on whether limit is breached or
    // not", dimension DeliveryStreamName (same guide, "Monitor Amazon Data
    // Firehose with CloudWatch metrics", dynamic partitioning metrics,
    // https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html).
    specs.push({
      id: "delivery-partitions-exceeded",
      description: `Firehose is over its active-partition quota (${FIREHOSE_ACTIVE_PARTITION_QUOTA} per stream by default): records go to ${ERROR_PREFIX} instead of ${EVENTS_PREFIX}; request a quota increase`,
      namespace: "AWS/Firehose",
      metricName: "PartitionCountExceeded",
      dimensions: firehose,
      statistic: "Maximum",
      ...anyOccurrence,
    });
  }
  if (input.processorName) {
    const fn = { FunctionName: input.processorName };
    specs.push(
      {
        id: "processor-errors",
        description: `The processor Lambda fails: Firehose retries, then stores the records under ${ERROR_PREFIX}`,
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: fn,
        statistic: "Sum",
        ...anyOccurrence,
      },
      {
        id: "processor-throttled",
        description: "The processor Lambda is throttled: raise delivery.processorConcurrency",
        namespace: "AWS/Lambda",
        metricName: "Throttles",
        dimensions: fn,
        statistic: "Sum",
        ...anyOccurrence,
      },
      ...input.accounts
        .filter((account) => account.silenceAlarm !== false)
        .map((account): AlarmSpec => ({
          id: `silent-${account.name}`,
          description: `No log event from ${account.name} (${account.accountId}) for ${input.silenceHours} h`,
          namespace: input.metricNamespace,
          metricName: EVENTS_METRIC,
          dimensions: { [ACCOUNT_DIMENSION]: account.accountId },
          statistic: "Sum",
          ...silence,
        })),
    );
  }
  if (input.replication) specs.push(...replicationAlarmSpecs(input.replication, sustained, anyOccurrence));
  return specs;
}

/**
 * Per replication rule: any failed replication, and latency above
 * replicationLatencySeconds for 15 minutes. S3 publishes these only with
 * replication metrics on (modules/replication.ts turns them on), as metrics of
 * the source bucket (the security account's archive), in the AWS/S3
 * namespace, with the dimensions SourceBucket, DestinationBucket and RuleId:
 * OperationsFailedReplication ("the number of operations that were eligible
 * for replication but that failed to replicate") and ReplicationLatency, in
 * seconds (Amazon S3 User Guide, "Metrics and dimensions", "S3 Replication
 * metrics",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/metrics-dimensions.html#s3-cloudwatch-replication-metrics).
 * They are not published in the same region: OperationsFailedReplication "is
 * published in the Region of the source bucket" (the home region), while
 * Replication Latency (like Bytes and Operations Pending Replication) is
 * "published in the Region of the destination bucket" (Amazon S3 User Guide,
 * "Using S3 Replication metrics", "Which Region is this metric published in?",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html):
 * the latency alarm is marked `metricRegion: "replica"`, and the security
 * stack creates it in the replica bucket's region.
 */
function replicationAlarmSpecs(
  replication: ReplicationAlarmInput,
  sustained: Pick<AlarmSpec, "periodSeconds" | "evaluationPeriods" | "treatMissingData">,
  anyOccurrence: Pick<
    AlarmSpec,
    "periodSeconds" | "evaluationPeriods" | "comparison" | "threshold" | "treatMissingData"
  >,
): AlarmSpec[] {
  const latency = replicationLatencySeconds(replication.replicationTimeControl);
  return replication.ruleIds.flatMap((ruleId): AlarmSpec[] => {
    const dimensions = {
      SourceBucket: replication.sourceBucket,
      DestinationBucket: replication.destinationBucket,
      RuleId: ruleId,
    };
    return [
      {
        id: `replication-failed-${ruleId}`,
        description: `Objects under ${ruleId}/ failed to replicate to the vault: the replica is missing evidence (check the replication role, the vault bucket policy and the replica key policy)`,
        namespace: "AWS/S3",
        metricName: "OperationsFailedReplication",
        dimensions,
        statistic: "Sum",
        ...anyOccurrence,
      },
      {
        id: `replication-latency-${ruleId}`,
        description: `Objects under ${ruleId}/ reach the vault later than ${latency / 60} minutes`,
        namespace: "AWS/S3",
        metricName: "ReplicationLatency",
        dimensions,
        statistic: "Maximum",
        ...sustained,
        comparison: "GreaterThanThreshold",
        threshold: latency,
        metricRegion: "replica",
      },
    ];
  });
}

/** Iterator age worth waking someone for: 3 buffer intervals, at least 15 minutes. */
export function iteratorAgeSeconds(bufferSeconds: number): number {
  return Math.max(3 * bufferSeconds, 900);
}

/** Data freshness limit: 2x the buffer interval, at least 5 minutes (a 0 s buffer would alarm on every object). */
export function freshnessSeconds(bufferSeconds: number): number {
  return Math.max(2 * bufferSeconds, 300);
}

export interface PipelineAlarmsProps {
  readonly provider: AwsProvider;
  readonly topicArn: string;
  readonly namePrefix: string;
  readonly specs: readonly AlarmSpec[];
}

/** The alarms, each notifying the topic when it fires and when it recovers. */
export class PipelineAlarms extends Construct {
  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    for (const spec of props.specs) {
      requireEvaluationFits(spec);
      new CloudwatchMetricAlarm(
        this,
        `Alarm_${spec.id.replace(/[^A-Za-z0-9]/g, "_")}_${shortHash(spec.id)}`,
        {
          provider: props.provider,
          alarmName: `${props.namePrefix}-${spec.id}`,
          alarmDescription: spec.description,
          namespace: spec.namespace,
          metricName: spec.metricName,
          dimensions: spec.dimensions,
          statistic: spec.statistic,
          period: spec.periodSeconds,
          evaluationPeriods: spec.evaluationPeriods,
          datapointsToAlarm: spec.evaluationPeriods,
          comparisonOperator: spec.comparison,
          threshold: spec.threshold,
          treatMissingData: spec.treatMissingData,
          alarmActions: [props.topicArn],
          okActions: [props.topicArn],
        },
      );
    }
  }
}

/**
 * CloudWatch rejects an alarm that evaluates more than 7 days of data
 * (ALARM_MAX_EVALUATION_SECONDS, lib/aws-limits.ts): refuse it here, where the
 * spec is known, rather than at apply.
 */
function requireEvaluationFits(spec: AlarmSpec): void {
  const seconds = spec.periodSeconds * spec.evaluationPeriods;
  if (seconds > ALARM_MAX_EVALUATION_SECONDS)
    throw new Error(
      `alarm ${spec.id}: ${spec.evaluationPeriods} periods of ${spec.periodSeconds} s evaluate ${seconds} s, over CloudWatch's ${ALARM_MAX_EVALUATION_SECONDS} s (7 days); use fewer or shorter periods`,
    );
}
