import {
  baseConfig,
  chinaConfig,
  fullConfig,
  PAYMENTS_ACCOUNT,
  SECURITY_ACCOUNT,
  WEB_ACCOUNT,
} from "./support/fixtures";
import { decide, matches, notificationsKeyRows, simulateRows } from "./support/iam-rows";
import { notificationsKeyPolicies } from "./support/planned-policies";
import { denyInsecureTransport } from "./support/policies";
import { onlyResource, policyOf, resourceUnder, resourcesOf, StackJson, synthStacks } from "./support/synth";
import { eventsMetricLines } from "../functions/processor/metrics";
import { ConfigError, parseConfig } from "../lib/config/load";
import { iteratorAgeSeconds } from "../modules/alarms";

const alarmsOf = (stack: StackJson): Record<string, Record<string, any>> =>
  Object.fromEntries(
    resourcesOf(stack, "aws_cloudwatch_metric_alarm").map(([, a]) => [
      a.alarm_name.replace("secops-security-logs-", ""),
      a,
    ]),
  );

describe("health alarms", () => {
  const stack = synthStacks(fullConfig()).security;
  const alarms = alarmsOf(stack);

  test("a KMS-encrypted topic that only this account's CloudWatch alarms may publish to, with the email subscribed", () => {
    const topic = onlyResource(stack, "aws_sns_topic");
    expect(topic.name).toBe("secops-security-logs-alarms");
    expect(topic.kms_master_key_id).toMatch(/aws_kms_key\.NotificationsKey_/);
    expect(policyOf(onlyResource(stack, "aws_sns_topic_policy").policy).Statement).toEqual([
      {
        Sid: "CloudWatchAlarmsOfThisAccount",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: expect.stringMatching(/^\$\{aws_sns_topic\.AlarmTopic_[0-9A-F]+\.arn\}$/),
        Condition: {
          StringEquals: { "aws:SourceAccount": SECURITY_ACCOUNT },
          ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:us-east-1:${SECURITY_ACCOUNT}:alarm:*` },
        },
      },
    ]);
    expect(onlyResource(stack, "aws_sns_topic_subscription")).toMatchObject({
      protocol: "email",
      endpoint: "secops@example.com",
    });
  });

  test("one alarm per pipeline signal and per application account, all notifying the topic on alarm and on recovery", () => {
    expect(Object.keys(alarms).sort()).toEqual(
      [
        "delivery-failing",
        "delivery-freshness",
        "delivery-partitions-exceeded",
        "delivery-read-throttled",
        "processor-errors",
        "processor-throttled",
        "silent-payments-prod",
        "silent-web-prod",
        "stream-iterator-age",
        "stream-near-capacity",
        "stream-silent",
        "stream-write-throttled",
      ].sort(),
    );
    for (const alarm of Object.values(alarms)) {
      expect(alarm.alarm_actions).toEqual([expect.stringMatching(/aws_sns_topic\.AlarmTopic_/)]);
      expect(alarm.ok_actions).toEqual(alarm.alarm_actions);
      expect(alarm.alarm_description.length).toBeGreaterThan(20);
    }
  });

  test("each alarm's metric, statistic and evaluation, whole (buffer 300 s, 2 shards, silence 12 h)", () => {
    const stream = { StreamName: "secops-security-logs" };
    // The delivery stream by reference (its logical id is a contract): the alarms follow a replacement.
    const delivery = {
      DeliveryStreamName: "${aws_kinesis_firehose_delivery_stream.Delivery_DeliveryStream_59941FF5.name}",
    };
    const processor = { FunctionName: "secops-logs-processor" };
    // Silence: hourly sums, missing data is the problem. Sustained: 3 x 5 min. Any occurrence: one 5 min period over 0.
    const silence = {
      period: 3600,
      evaluation_periods: 12,
      datapoints_to_alarm: 12,
      comparison_operator: "LessThanThreshold",
      threshold: 1,
      treat_missing_data: "breaching",
    };
    const sustained = {
      period: 300,
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
      treat_missing_data: "notBreaching",
    };
    const anyOccurrence = {
      period: 300,
      evaluation_periods: 1,
      datapoints_to_alarm: 1,
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
      treat_missing_data: "notBreaching",
    };
    const over = (threshold: number) => ({ comparison_operator: "GreaterThanThreshold", threshold });
    const expected: Record<string, Record<string, unknown>> = {
      "stream-iterator-age": {
        namespace: "AWS/Kinesis",
        metric_name: "GetRecords.IteratorAgeMilliseconds",
        dimensions: stream,
        statistic: "Maximum",
        ...sustained,
        ...over(900_000),
      },
      "stream-silent": {
        namespace: "AWS/Kinesis",
        metric_name: "IncomingRecords",
        dimensions: stream,
        statistic: "Sum",
        ...silence,
      },
      "delivery-freshness": {
        namespace: "AWS/Firehose",
        metric_name: "DeliveryToS3.DataFreshness",
        dimensions: delivery,
        statistic: "Maximum",
        ...sustained,
        ...over(600),
      },
      // A success rate: its average over the period is below 1 as soon as one delivery fails.
      "delivery-failing": {
        namespace: "AWS/Firehose",
        metric_name: "DeliveryToS3.Success",
        dimensions: delivery,
        statistic: "Average",
        ...sustained,
        comparison_operator: "LessThanThreshold",
        threshold: 1,
      },
      "delivery-read-throttled": {
        namespace: "AWS/Firehose",
        metric_name: "ThrottledGetRecords",
        dimensions: delivery,
        statistic: "Sum",
        ...sustained,
        ...over(0),
      },
      "stream-write-throttled": {
        namespace: "AWS/Kinesis",
        metric_name: "WriteProvisionedThroughputExceeded",
        dimensions: stream,
        statistic: "Sum",
        ...sustained,
        ...over(0),
      },
      // 80% of 2 shards x 1 MiB/s over a 5 minute sum.
      "stream-near-capacity": {
        namespace: "AWS/Kinesis",
        metric_name: "IncomingBytes",
        dimensions: stream,
        statistic: "Sum",
        ...sustained,
        ...over(Math.floor(2 * 1024 * 1024 * 300 * 0.8)),
      },
      // 1 or 0 per period: Maximum sees any breach.
      "delivery-partitions-exceeded": {
        namespace: "AWS/Firehose",
        metric_name: "PartitionCountExceeded",
        dimensions: delivery,
        statistic: "Maximum",
        ...anyOccurrence,
      },
      "processor-errors": {
        namespace: "AWS/Lambda",
        metric_name: "Errors",
        dimensions: processor,
        statistic: "Sum",
        ...anyOccurrence,
      },
      "processor-throttled": {
        namespace: "AWS/Lambda",
        metric_name: "Throttles",
        dimensions: processor,
        statistic: "Sum",
        ...anyOccurrence,
      },
      "silent-payments-prod": {
        namespace: "SecLog/secops",
        metric_name: "Events",
        dimensions: { Account: PAYMENTS_ACCOUNT },
        statistic: "Sum",
        ...silence,
      },
      "silent-web-prod": {
        namespace: "SecLog/secops",
        metric_name: "Events",
        dimensions: { Account: WEB_ACCOUNT },
        statistic: "Sum",
        ...silence,
      },
    };
    const evaluation = (alarm: Record<string, any>) =>
      Object.fromEntries(Object.keys(expected["stream-silent"]).map((field) => [field, alarm[field]]));
    expect(Object.fromEntries(Object.entries(alarms).map(([id, alarm]) => [id, evaluation(alarm)]))).toEqual(
      expected,
    );
  });

  // The whole bodies are the alarm table's test above; here only what the config varies.
  test("thresholds follow the config: buffer interval 300 s, 2 shards, silence 12 h", () => {
    expect({
      iteratorAge: alarms["stream-iterator-age"].threshold,
      freshness: alarms["delivery-freshness"].threshold,
      nearCapacity: alarms["stream-near-capacity"].threshold,
      silentPeriods: [
        alarms["stream-silent"].evaluation_periods,
        alarms["stream-silent"].datapoints_to_alarm,
      ],
    }).toEqual({
      iteratorAge: 900_000,
      freshness: 600,
      nearCapacity: Math.floor(2 * 1024 * 1024 * 300 * 0.8),
      silentPeriods: [12, 12],
    });
  });

  test("per-account silence watches the processor's events metric for that account, missing data breaching", () => {
    expect(alarms["silent-payments-prod"]).toMatchObject({
      namespace: "SecLog/secops",
      metric_name: "Events",
      dimensions: { Account: PAYMENTS_ACCOUNT },
      statistic: "Sum",
      period: 3600,
      evaluation_periods: 12,
      treat_missing_data: "breaching",
      threshold: 1,
      comparison_operator: "LessThanThreshold",
    });
    expect(alarms["silent-web-prod"].dimensions).toEqual({ Account: WEB_ACCOUNT });
    expect(onlyResource(stack, "aws_lambda_function").environment).toEqual({
      variables: { METRIC_NAMESPACE: "SecLog/secops" },
    });
  });

  test("the processor reports events per account in Embedded Metric Format, the metric those alarms watch", () => {
    const [line] = eventsMetricLines("SecLog/secops", new Map([[PAYMENTS_ACCOUNT, 42]]), 1764226800000);
    expect(JSON.parse(line)).toEqual({
      _aws: {
        Timestamp: 1764226800000,
        CloudWatchMetrics: [
          {
            Namespace: "SecLog/secops",
            Dimensions: [["Account"]],
            Metrics: [{ Name: "Events", Unit: "Count" }],
          },
        ],
      },
      Account: PAYMENTS_ACCOUNT,
      Events: 42,
    });
  });

  test("on-demand stream: no shard-capacity alarm (write throttling is alarmed in both modes); raw format: no processor, partition or per-account alarms", () => {
    const config = baseConfig();
    config.alarms = {};
    config.delivery = { format: "raw" };
    const names = Object.keys(alarmsOf(synthStacks(config).security)).sort();
    expect(names).toEqual([
      "delivery-failing",
      "delivery-freshness",
      "delivery-read-throttled",
      "stream-iterator-age",
      "stream-silent",
      "stream-write-throttled",
    ]);
  });

  test("an alarms block without an email: the topic and its alarms, no subscription", () => {
    const config = fullConfig();
    delete config.alarms.email;
    const quiet = synthStacks(config).security;
    expect(resourcesOf(quiet, "aws_sns_topic")).toHaveLength(1);
    expect(resourcesOf(quiet, "aws_sns_topic_subscription")).toEqual([]);
  });

  // Three buffer intervals, at least 15 minutes: the floor and the multiple meet at 300 s.
  test.each([
    [60, 900],
    [299, 900],
    [300, 900],
    [301, 903],
    [900, 2700],
  ])("iterator age threshold for a %i s buffer: %i s", (bufferSeconds, seconds) => {
    expect(iteratorAgeSeconds(bufferSeconds)).toBe(seconds);
  });

  test("no alarms block, no alarm resources and no notifications key", () => {
    const plain = synthStacks(baseConfig()).security;
    for (const type of ["aws_sns_topic", "aws_cloudwatch_metric_alarm", "aws_sqs_queue"])
      expect(resourcesOf(plain, type)).toHaveLength(0);
    expect(
      resourcesOf(plain, "aws_kms_key")
        .map(([id]) => id)
        .sort(),
    ).toEqual([
      expect.stringMatching(/^ArchiveKey_/),
      expect.stringMatching(/^SearchResultsKey_/),
      expect.stringMatching(/^StreamKey_/),
    ]);
  });

  test("the notifications key lets exactly CloudWatch (alarms) and S3 (events) use it", () => {
    const key = resourcesOf(stack, "aws_kms_key").find(([id]) => id.startsWith("NotificationsKey"))![1];
    const statements = policyOf(key.policy).Statement;
    expect(statements.map((s) => [s.Sid, s.Principal])).toEqual([
      ["AccountRootAdministersKey", { AWS: `arn:aws:iam::${SECURITY_ACCOUNT}:root` }],
      ["CloudWatchAlarmsPublishToTopic", { Service: "cloudwatch.amazonaws.com" }],
      ["S3NotifiesQueue", { Service: "s3.amazonaws.com" }],
    ]);
    // It encrypts messages in flight only: turning alarms and notifications off may delete it (KMS waits 30 days).
    expect(key.lifecycle).toEqual({ prevent_destroy: false });
    expect(key.deletion_window_in_days).toBe(30);
  });
});

describe("object notifications for SIEMs", () => {
  const stack = synthStacks(fullConfig()).security;

  test("ObjectCreated events of the data prefix go to a KMS-encrypted queue with a dead-letter queue", () => {
    const queues: Record<string, Record<string, any>> = Object.fromEntries(
      resourcesOf(stack, "aws_sqs_queue").map(([, q]) => [q.name, q]),
    );
    expect(Object.keys(queues).sort()).toEqual([
      "secops-security-logs-objects",
      "secops-security-logs-objects-dlq",
    ]);
    for (const queue of Object.values(queues))
      expect(queue.kms_master_key_id).toMatch(/aws_kms_key\.NotificationsKey_/);
    expect(JSON.parse(queues["secops-security-logs-objects"].redrive_policy)).toEqual({
      deadLetterTargetArn: expect.stringMatching(/aws_sqs_queue\.ObjectNotifications_DeadLetterQueue_/),
      maxReceiveCount: 5,
    });
    const notification = onlyResource(stack, "aws_s3_bucket_notification");
    expect(notification.queue).toEqual([
      {
        queue_arn: expect.stringMatching(/aws_sqs_queue\.ObjectNotifications_Queue_/),
        events: ["s3:ObjectCreated:*"],
        filter_prefix: "events/",
      },
    ]);
    expect(notification.depends_on).toEqual([expect.stringMatching(/^aws_sqs_queue_policy\./)]);
  });

  test("only the archive bucket of this account may send to the queue", () => {
    expect(policyOf(onlyResource(stack, "aws_sqs_queue_policy").policy).Statement).toEqual([
      {
        Sid: "ArchiveBucketEvents",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: expect.stringMatching(/aws_sqs_queue\.ObjectNotifications_Queue_.*\.arn\}$/),
        Condition: {
          ArnEquals: {
            "aws:SourceArn": expect.stringMatching(/aws_s3_bucket\.Archive_Bucket_DB32D495\.arn/),
          },
          StringEquals: { "aws:SourceAccount": SECURITY_ACCOUNT },
        },
      },
    ]);
    expect(Object.keys(stack.output ?? {})).toEqual(
      expect.arrayContaining(["object_queue_url", "object_queue_arn", "alarm_topic_arn"]),
    );
  });
});

describe("archive access logs", () => {
  const stack = synthStacks(baseConfig()).security;

  test("a separate, private, SSE-S3 bucket receives the archive's server access logs (on by default)", () => {
    const bucket = resourceUnder(stack, "aws_s3_bucket", "AccessLogs_");
    expect(bucket.bucket).toBe(`secops-access-logs-${SECURITY_ACCOUNT}`);
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    expect(
      resourceUnder(stack, "aws_s3_bucket_server_side_encryption_configuration", "AccessLogs_").rule,
    ).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }]);
    const pab = resourceUnder(stack, "aws_s3_bucket_public_access_block", "AccessLogs_");
    expect([
      pab.block_public_acls,
      pab.block_public_policy,
      pab.ignore_public_acls,
      pab.restrict_public_buckets,
    ]).toEqual([true, true, true, true]);
    expect(resourcesOf(stack, "aws_s3_bucket_object_lock_configuration")).toHaveLength(0);
    expect(
      resourceUnder(stack, "aws_s3_bucket_lifecycle_configuration", "AccessLogs_").rule[0].transition,
    ).toEqual([{ days: 90, storage_class: "GLACIER" }]);
    const logging = onlyResource(stack, "aws_s3_bucket_logging");
    expect(logging.bucket).toMatch(/aws_s3_bucket\.Archive_Bucket_DB32D495\.bucket/);
    expect(logging.target_prefix).toBe("archive/");
    // Logging is switched on only once the target's policy admits log delivery: no log is refused meanwhile.
    expect(logging.depends_on).toEqual([
      expect.stringMatching(/^aws_s3_bucket_policy\.AccessLogs_Policy_[0-9A-F]+$/),
    ]);
  });

  test("log delivery is admitted for the archive bucket of this account only, and TLS is required", () => {
    const statements = policyOf(resourceUnder(stack, "aws_s3_bucket_policy", "AccessLogs_").policy).Statement;
    const bucketArn = "${aws_s3_bucket.AccessLogs_Bucket_FB91B785.arn}";
    expect(statements[0]).toStrictEqual({
      Sid: "S3ServerAccessLogDelivery",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${bucketArn}/archive/*`,
      Condition: {
        ArnLike: { "aws:SourceArn": "${aws_s3_bucket.Archive_Bucket_DB32D495.arn}" },
        StringEquals: { "aws:SourceAccount": SECURITY_ACCOUNT },
      },
    });
    expect(statements.slice(1)).toStrictEqual([denyInsecureTransport(bucketArn)]);
  });

  test("archive.accessLogs: false leaves them out", () => {
    const config = baseConfig();
    config.archive = { accessLogs: false };
    const security = synthStacks(config).security;
    expect(resourcesOf(security, "aws_s3_bucket").map(([id]) => id)).toEqual([
      "Archive_Bucket_DB32D495",
      "SearchResults_Bucket_69000AC3",
    ]);
    expect(resourcesOf(security, "aws_s3_bucket_logging")).toHaveLength(0);
  });
});

describe("alarms the README implies: throttling in both stream modes, the partition quota, an opt-out of per-account silence", () => {
  const TOPIC_ARN = expect.stringMatching(/^\$\{aws_sns_topic\.AlarmTopic_[0-9A-F]+\.arn\}$/);
  const DELIVERY_STREAM = expect.stringMatching(
    /^\$\{aws_kinesis_firehose_delivery_stream\.Delivery_DeliveryStream_[0-9A-F]+\.name\}$/,
  );
  /** The whole synthesized alarm: what it watches, when it fires, whom it tells (on alarm and on recovery). */
  const alarmBody = (name: string, body: Record<string, any>) => ({
    provider: "aws.us_east_1",
    alarm_name: `secops-security-logs-${name}`,
    alarm_actions: [TOPIC_ARN],
    ok_actions: [TOPIC_ARN],
    datapoints_to_alarm: body.evaluation_periods,
    ...body,
  });
  const withAlarms = (change: (config: Record<string, any>) => void = () => undefined) => {
    const config = baseConfig();
    config.alarms = {};
    change(config);
    return synthStacks(config).security;
  };
  const alarmResource = (stack: StackJson, name: string) =>
    resourcesOf(stack, "aws_cloudwatch_metric_alarm").filter(
      ([, a]) => a.alarm_name === `secops-security-logs-${name}`,
    );
  /** The provisioned alarm's logical id before on-demand streams had one: it must not change. */
  const WRITE_THROTTLED_ID = "Alarms_Alarm_stream_write_throttled_6fd748a2_A5C97FC6";
  const WRITE_THROTTLED = {
    namespace: "AWS/Kinesis",
    metric_name: "WriteProvisionedThroughputExceeded",
    dimensions: { StreamName: "secops-security-logs" },
    statistic: "Sum",
    period: 300,
    evaluation_periods: 3,
    comparison_operator: "GreaterThanThreshold",
    threshold: 0,
    treat_missing_data: "notBreaching",
  };

  test("on-demand stream: write throttling (above twice the previous peak within 15 minutes) alarms like a provisioned stream's", () => {
    const stack = withAlarms();
    expect(alarmResource(stack, "stream-write-throttled")).toEqual([
      [
        WRITE_THROTTLED_ID,
        alarmBody("stream-write-throttled", {
          alarm_description:
            "Writes to the on-demand stream are throttled (traffic above twice its previous peak within 15 minutes): CloudWatch Logs retries for up to 24 h, then drops events",
          ...WRITE_THROTTLED,
        }),
      ],
    ]);
    expect(alarmResource(stack, "stream-near-capacity")).toEqual([]); // no shards to be near
  });

  test("provisioned stream: the write-throttled alarm keeps its construct id, name and body, so nothing is replaced", () => {
    expect(alarmResource(synthStacks(fullConfig()).security, "stream-write-throttled")).toEqual([
      [
        WRITE_THROTTLED_ID,
        alarmBody("stream-write-throttled", {
          alarm_description:
            "Writes to the stream are throttled: CloudWatch Logs retries for up to 24 h, then drops events",
          ...WRITE_THROTTLED,
        }),
      ],
    ]);
  });

  test("events format: Firehose's PartitionCountExceeded (records past the active-partition quota go to errors/) alarms on any breach", () => {
    expect(alarmResource(withAlarms(), "delivery-partitions-exceeded")).toEqual([
      [
        expect.stringMatching(/^Alarms_Alarm_delivery_partitions_exceeded_[0-9a-f]{8}_[0-9A-F]{8}$/),
        alarmBody("delivery-partitions-exceeded", {
          alarm_description:
            "Firehose is over its active-partition quota (500 per stream by default): records go to errors/ instead of events/; request a quota increase",
          namespace: "AWS/Firehose",
          metric_name: "PartitionCountExceeded",
          dimensions: { DeliveryStreamName: DELIVERY_STREAM },
          statistic: "Maximum",
          period: 300,
          evaluation_periods: 1,
          comparison_operator: "GreaterThanThreshold",
          threshold: 0,
          treat_missing_data: "notBreaching",
        }),
      ],
    ]);
    // Raw format has no dynamic partitioning, so no partition metric to watch.
    expect(
      alarmResource(
        withAlarms((c) => (c.delivery = { format: "raw" })),
        "delivery-partitions-exceeded",
      ),
    ).toEqual([]);
  });

  test("accounts[].silenceAlarm defaults to true; false drops that account's silence alarm and nothing else", () => {
    expect(parseConfig(baseConfig()).accounts.map((a) => [a.name, a.silenceAlarm])).toEqual([
      ["payments-prod", true],
      ["web-prod", true],
    ]);
    const byDefault = alarmsOf(withAlarms());
    const explicit = alarmsOf(
      withAlarms((c) => c.accounts.forEach((a: Record<string, any>) => (a.silenceAlarm = true))),
    );
    expect(explicit).toEqual(byDefault);
    const quiet = alarmsOf(withAlarms((c) => (c.accounts[1].silenceAlarm = false)));
    const { ["silent-web-prod"]: dropped, ...rest } = byDefault;
    expect(dropped).toBeDefined();
    expect(quiet).toEqual(rest);
    expect(quiet["silent-payments-prod"]).toEqual(
      alarmBody("silent-payments-prod", {
        alarm_description: `No log event from payments-prod (${PAYMENTS_ACCOUNT}) for 24 h`,
        namespace: "SecLog/secops",
        metric_name: "Events",
        dimensions: { Account: PAYMENTS_ACCOUNT },
        statistic: "Sum",
        period: 3600,
        evaluation_periods: 24,
        comparison_operator: "LessThanThreshold",
        threshold: 1,
        treat_missing_data: "breaching",
      }),
    );
    // Both quiet: no per-account alarm at all, the pipeline-wide silence alarm stays.
    const none = alarmsOf(
      withAlarms((c) => c.accounts.forEach((a: Record<string, any>) => (a.silenceAlarm = false))),
    );
    expect(Object.keys(none).filter((name) => name.startsWith("silent-"))).toEqual([]);
    expect(none["stream-silent"]).toEqual(byDefault["stream-silent"]);
  });

  test("accounts[].silenceAlarm must be a boolean", () => {
    const config = baseConfig();
    config.accounts[1].silenceAlarm = "no";
    let problems: Array<{ path: string; message: string }> = [];
    try {
      parseConfig(config);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = [...error.problems];
    }
    expect(problems).toEqual([
      { path: "accounts[1].silenceAlarm", message: expect.stringMatching(/boolean/) },
    ]);
  });
});

describe("notifications key: CloudWatch and S3 may use it only for this account's alarms and the archive bucket", () => {
  const OUTSIDER = "999999999999";
  const keyStatements = (stack: StackJson) =>
    policyOf(resourcesOf(stack, "aws_kms_key").find(([id]) => id.startsWith("NotificationsKey_"))![1].policy)
      .Statement;
  const ROOT = {
    Sid: "AccountRootAdministersKey",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${SECURITY_ACCOUNT}:root` },
    Action: "kms:*",
    Resource: "*",
  };
  const ALARMS = {
    Sid: "CloudWatchAlarmsPublishToTopic",
    Effect: "Allow",
    Principal: { Service: "cloudwatch.amazonaws.com" },
    Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
    Resource: "*",
    Condition: {
      StringEquals: { "aws:SourceAccount": SECURITY_ACCOUNT },
      ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:us-east-1:${SECURITY_ACCOUNT}:alarm:*` },
    },
  };
  const BUCKET_EVENTS = {
    Sid: "S3NotifiesQueue",
    Effect: "Allow",
    Principal: { Service: "s3.amazonaws.com" },
    Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
    Resource: "*",
    Condition: {
      StringEquals: { "aws:SourceAccount": SECURITY_ACCOUNT },
      ArnLike: { "aws:SourceArn": "${aws_s3_bucket.Archive_Bucket_DB32D495.arn}" },
    },
  };
  const stack = synthStacks(fullConfig()).security;

  test("exact key policy with alarms and SQS notifications: root, then each service with aws:SourceAccount and aws:SourceArn", () => {
    expect(keyStatements(stack)).toEqual([ROOT, ALARMS, BUCKET_EVENTS]);
  });

  test("alarms only: the CloudWatch statement alone; SQS notifications only: the S3 statement alone", () => {
    const alarmsOnly = fullConfig();
    delete alarmsOnly.notifications;
    expect(keyStatements(synthStacks(alarmsOnly).security)).toEqual([ROOT, ALARMS]);
    const queueOnly = fullConfig();
    delete queueOnly.alarms;
    expect(keyStatements(synthStacks(queueOnly).security)).toEqual([ROOT, BUCKET_EVENTS]);
  });

  test("the alarm region and partition follow security.region (aws-cn: the same principals, arn:aws-cn alarms)", () => {
    const china = synthStacks(chinaConfig()).security;
    const [, alarms, bucket] = keyStatements(china);
    expect(alarms.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": SECURITY_ACCOUNT },
      ArnLike: { "aws:SourceArn": `arn:aws-cn:cloudwatch:cn-north-1:${SECURITY_ACCOUNT}:alarm:*` },
    });
    expect([alarms.Principal, bucket.Principal]).toEqual([
      { Service: "cloudwatch.amazonaws.com" },
      { Service: "s3.amazonaws.com" },
    ]);
  });

  const policies = notificationsKeyPolicies(stack, SECURITY_ACCOUNT);
  const rows = notificationsKeyRows(OUTSIDER);

  test("the policies the rows run on: the synthesized key policy with the archive bucket's ARN", () => {
    expect(policies.arns.bucket).toBe(`arn:aws:s3:::secops-security-logs-${SECURITY_ACCOUNT}`);
    expect(policies.keyPolicy.Statement[2].Condition.ArnLike).toEqual({
      "aws:SourceArn": policies.arns.bucket,
    });
  });

  simulateRows("IAM simulation: %s", rows, policies);

  test("the key policy without the source conditions (as before) flips the rows that need them", async () => {
    const unconditioned = {
      ...policies,
      keyPolicy: {
        ...policies.keyPolicy,
        Statement: policies.keyPolicy.Statement.map(({ Condition: _c, ...s }) => s),
      },
    };
    const flipped: string[] = [];
    for (const row of rows)
      if (!matches(row.expected, await decide(row, unconditioned))) flipped.push(row.rule);
    expect(flipped).toEqual([
      "CloudWatch cannot use the notifications key for another account's alarm",
      "CloudWatch cannot use the notifications key for an alarm outside the home region",
      "CloudWatch cannot use the notifications key without a source",
      "S3 cannot use the notifications key for another bucket",
      "S3 cannot use the notifications key for the archive bucket's name in another account",
      "S3 cannot use the notifications key without a source",
      "S3 cannot use the notifications key on behalf of an alarm",
      "CloudWatch cannot use the notifications key on behalf of the archive bucket",
    ]);
  });
});
