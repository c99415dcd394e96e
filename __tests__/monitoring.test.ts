import { baseConfig, fullConfig, PAYMENTS_ACCOUNT, SECURITY_ACCOUNT, WEB_ACCOUNT } from "./support/fixtures";
import { onlyResource, policyOf, resourceUnder, resourcesOf, StackJson, synthStacks } from "./support/synth";
import { eventsMetricLines } from "../functions/processor/metrics";

const alarmsOf = (stack: StackJson): Record<string, Record<string, any>> => Object.fromEntries(resourcesOf(stack, "aws_cloudwatch_metric_alarm").map(([, a]) => [a.alarm_name.replace("secops-security-logs-", ""), a]));

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
        Condition: { StringEquals: { "aws:SourceAccount": SECURITY_ACCOUNT }, ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:us-east-1:${SECURITY_ACCOUNT}:alarm:*` } },
      },
    ]);
    expect(onlyResource(stack, "aws_sns_topic_subscription")).toMatchObject({ protocol: "email", endpoint: "secops@example.com" });
  });

  test("one alarm per pipeline signal and per application account, all notifying the topic on alarm and on recovery", () => {
    expect(Object.keys(alarms).sort()).toEqual(
      [
        "delivery-failing", "delivery-freshness", "delivery-read-throttled", "processor-errors", "processor-throttled",
        "silent-payments-prod", "silent-web-prod", "stream-iterator-age", "stream-near-capacity", "stream-silent", "stream-write-throttled",
      ].sort(),
    );
    for (const alarm of Object.values(alarms)) {
      expect(alarm.alarm_actions).toEqual([expect.stringMatching(/aws_sns_topic\.AlarmTopic_/)]);
      expect(alarm.ok_actions).toEqual(alarm.alarm_actions);
      expect(alarm.alarm_description.length).toBeGreaterThan(20);
    }
  });

  test("thresholds follow the config: buffer interval 300 s, 2 shards, silence 12 h", () => {
    expect(alarms["stream-iterator-age"]).toMatchObject({ metric_name: "GetRecords.IteratorAgeMilliseconds", statistic: "Maximum", threshold: 900_000 });
    expect(alarms["delivery-freshness"]).toMatchObject({ metric_name: "DeliveryToS3.DataFreshness", threshold: 600, comparison_operator: "GreaterThanThreshold" });
    expect(alarms["delivery-failing"]).toMatchObject({ metric_name: "DeliveryToS3.Success", threshold: 1, comparison_operator: "LessThanThreshold" });
    expect(alarms["stream-near-capacity"]).toMatchObject({ metric_name: "IncomingBytes", threshold: Math.floor(2 * 1024 * 1024 * 300 * 0.8) });
    expect(alarms["stream-write-throttled"]).toMatchObject({ metric_name: "WriteProvisionedThroughputExceeded", threshold: 0 });
    expect(alarms["stream-silent"]).toMatchObject({
      namespace: "AWS/Kinesis", metric_name: "IncomingRecords", period: 3600, evaluation_periods: 12, datapoints_to_alarm: 12,
      comparison_operator: "LessThanThreshold", threshold: 1, treat_missing_data: "breaching",
    });
  });

  test("per-account silence watches the processor's events metric for that account, missing data breaching", () => {
    expect(alarms["silent-payments-prod"]).toMatchObject({
      namespace: "SecLog/secops", metric_name: "Events", dimensions: { Account: PAYMENTS_ACCOUNT }, statistic: "Sum",
      period: 3600, evaluation_periods: 12, treat_missing_data: "breaching", threshold: 1, comparison_operator: "LessThanThreshold",
    });
    expect(alarms["silent-web-prod"].dimensions).toEqual({ Account: WEB_ACCOUNT });
    expect(onlyResource(stack, "aws_lambda_function").environment).toEqual({ variables: { METRIC_NAMESPACE: "SecLog/secops" } });
  });

  test("the processor reports events per account in Embedded Metric Format, the metric those alarms watch", () => {
    const [line] = eventsMetricLines("SecLog/secops", new Map([[PAYMENTS_ACCOUNT, 42]]), 1764226800000);
    expect(JSON.parse(line)).toEqual({
      _aws: { Timestamp: 1764226800000, CloudWatchMetrics: [{ Namespace: "SecLog/secops", Dimensions: [["Account"]], Metrics: [{ Name: "Events", Unit: "Count" }] }] },
      Account: PAYMENTS_ACCOUNT,
      Events: 42,
    });
  });

  test("on-demand stream: no shard alarms; raw format: no processor or per-account alarms", () => {
    const config = baseConfig();
    config.alarms = {};
    config.delivery = { format: "raw" };
    const names = Object.keys(alarmsOf(synthStacks(config).security)).sort();
    expect(names).toEqual(["delivery-failing", "delivery-freshness", "delivery-read-throttled", "stream-iterator-age", "stream-silent"]);
  });

  test("no alarms block, no alarm resources and no notifications key", () => {
    const plain = synthStacks(baseConfig()).security;
    for (const type of ["aws_sns_topic", "aws_cloudwatch_metric_alarm", "aws_sqs_queue"]) expect(resourcesOf(plain, type)).toHaveLength(0);
    expect(resourcesOf(plain, "aws_kms_key").map(([id]) => id).sort()).toEqual([expect.stringMatching(/^ArchiveKey_/), expect.stringMatching(/^StreamKey_/)]);
  });

  test("the notifications key lets exactly CloudWatch (alarms) and S3 (events) use it", () => {
    const key = resourcesOf(stack, "aws_kms_key").find(([id]) => id.startsWith("NotificationsKey"))![1];
    const statements = policyOf(key.policy).Statement;
    expect(statements.map((s) => [s.Sid, s.Principal])).toEqual([
      ["AccountRootAdministersKey", { AWS: `arn:aws:iam::${SECURITY_ACCOUNT}:root` }],
      ["CloudWatchAlarmsPublishToTopic", { Service: "cloudwatch.amazonaws.com" }],
      ["S3NotifiesQueue", { Service: "s3.amazonaws.com" }],
    ]);
    expect(key.lifecycle).toEqual({ prevent_destroy: true });
  });
});

describe("object notifications for SIEMs", () => {
  const stack = synthStacks(fullConfig()).security;

  test("ObjectCreated events of the data prefix go to a KMS-encrypted queue with a dead-letter queue", () => {
    const queues: Record<string, Record<string, any>> = Object.fromEntries(resourcesOf(stack, "aws_sqs_queue").map(([, q]) => [q.name, q]));
    expect(Object.keys(queues).sort()).toEqual(["secops-security-logs-objects", "secops-security-logs-objects-dlq"]);
    for (const queue of Object.values(queues)) expect(queue.kms_master_key_id).toMatch(/aws_kms_key\.NotificationsKey_/);
    expect(JSON.parse(queues["secops-security-logs-objects"].redrive_policy)).toEqual({
      deadLetterTargetArn: expect.stringMatching(/aws_sqs_queue\.ObjectNotifications_DeadLetterQueue_/),
      maxReceiveCount: 5,
    });
    const notification = onlyResource(stack, "aws_s3_bucket_notification");
    expect(notification.queue).toEqual([{ queue_arn: expect.stringMatching(/aws_sqs_queue\.ObjectNotifications_Queue_/), events: ["s3:ObjectCreated:*"], filter_prefix: "events/" }]);
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
        Condition: { ArnEquals: { "aws:SourceArn": expect.stringMatching(/aws_s3_bucket\.Archive_Bucket_DB32D495\.arn/) }, StringEquals: { "aws:SourceAccount": SECURITY_ACCOUNT } },
      },
    ]);
    expect(Object.keys(stack.output ?? {})).toEqual(expect.arrayContaining(["object_queue_url", "object_queue_arn", "alarm_topic_arn"]));
  });
});

describe("archive access logs", () => {
  const stack = synthStacks(baseConfig()).security;

  test("a separate, private, SSE-S3 bucket receives the archive's server access logs (on by default)", () => {
    const bucket = resourceUnder(stack, "aws_s3_bucket", "AccessLogs_");
    expect(bucket.bucket).toBe(`secops-access-logs-${SECURITY_ACCOUNT}`);
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    expect(resourceUnder(stack, "aws_s3_bucket_server_side_encryption_configuration", "AccessLogs_").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    const pab = resourceUnder(stack, "aws_s3_bucket_public_access_block", "AccessLogs_");
    expect([pab.block_public_acls, pab.block_public_policy, pab.ignore_public_acls, pab.restrict_public_buckets]).toEqual([true, true, true, true]);
    expect(resourcesOf(stack, "aws_s3_bucket_object_lock_configuration")).toHaveLength(0);
    expect(resourceUnder(stack, "aws_s3_bucket_lifecycle_configuration", "AccessLogs_").rule[0].transition).toEqual([{ days: 90, storage_class: "GLACIER" }]);
    const logging = onlyResource(stack, "aws_s3_bucket_logging");
    expect(logging.bucket).toMatch(/aws_s3_bucket\.Archive_Bucket_DB32D495\.bucket/);
    expect(logging.target_prefix).toBe("archive/");
  });

  test("log delivery is admitted for the archive bucket of this account only, and TLS is required", () => {
    const statements = policyOf(resourceUnder(stack, "aws_s3_bucket_policy", "AccessLogs_").policy).Statement;
    expect(statements[0]).toEqual({
      Sid: "S3ServerAccessLogDelivery",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: expect.stringMatching(/aws_s3_bucket\.AccessLogs_Bucket_.*\.arn\}\/archive\/\*$/),
      Condition: { ArnLike: { "aws:SourceArn": expect.stringMatching(/Archive_Bucket_DB32D495\.arn/) }, StringEquals: { "aws:SourceAccount": SECURITY_ACCOUNT } },
    });
    expect(statements[1]).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
  });

  test("archive.accessLogs: false leaves them out", () => {
    const config = baseConfig();
    config.archive = { accessLogs: false };
    const security = synthStacks(config).security;
    expect(resourcesOf(security, "aws_s3_bucket")).toHaveLength(1);
    expect(resourcesOf(security, "aws_s3_bucket_logging")).toHaveLength(0);
  });
});
