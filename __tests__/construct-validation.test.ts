import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Delivery, DeliveryFormat } from "../modules/delivery";
import { LogStream, StreamCapacity } from "../modules/log-stream";
import { ProcessorFunction } from "../modules/processor";
import { ArchiveBucket } from "../modules/archive-bucket";
import { AccessLogsBucket } from "../modules/access-logs-bucket";
import { RegionSubscriptions, SubscribedLogGroup } from "../modules/subscription";
import { DestinationRole, LogDestination } from "../modules/destination";
import { StateAccessRole } from "../modules/state-access";
import { serviceRole } from "../modules/service-role";
import { AlarmSpec, PipelineAlarms } from "../modules/alarms";
import { QueryResultsBucket } from "../modules/query-results-bucket";
import { accountProviders } from "../stacks/providers";
import { SearchWorkgroup } from "../modules/search-workgroup";
import { PolicyDocument, policyDocument, policySize } from "../lib/iam/policy";
import { accountPolicyExclusions, accountPolicySelectionCriteria } from "../lib/naming";
import {
  ALARM_MAX_EVALUATION_SECONDS,
  DESTINATION_POLICY_MAX_BYTES,
  FILTER_PATTERN_MAX_CHARS,
  FIREHOSE_BUFFER_MIB,
  FIREHOSE_BUFFER_SECONDS,
  FIREHOSE_PROCESSOR_MAX_TIMEOUT_SECONDS,
  IAM_ROLE_NAME_MAX_CHARS,
  KINESIS_RETENTION_HOURS,
  MIN_PARTITIONED_BUFFER_MIB,
  MIN_PARTITIONED_BUFFER_SECONDS,
  ROLE_INLINE_POLICIES_MAX_CHARS,
  ROLE_TRUST_POLICY_MAX_CHARS,
  SELECTION_CRITERIA_MAX_BYTES,
} from "../lib/aws-limits";

/**
 * Every AWS rule a construct checks of its own props (modules/validate.ts),
 * so a reuse outside the config fails at synth: exactly at the limit is
 * accepted, one past it is refused with a message naming the construct, the
 * prop, the value and the rule. The limits are AWS's (lib/aws-limits.ts);
 * the literal values below are the ones AWS documents, so a changed constant
 * fails here too.
 */

/** A fresh stack with one provider: each case builds its construct alone. */
function stack(): { scope: TerraformStack; provider: AwsProvider } {
  const scope = new TerraformStack(Testing.app(), "test");
  return { scope, provider: new AwsProvider(scope, "aws", { region: "eu-west-1" }) };
}

const ARN = (what: string) => `arn:aws:${what}:eu-west-1:111111111111:${what}/x`;
const ref = (what: string) => ({ arn: ARN(what) });

describe("the limits are AWS's documented values", () => {
  test("constants", () => {
    expect({
      MIN_PARTITIONED_BUFFER_MIB,
      MIN_PARTITIONED_BUFFER_SECONDS,
      FIREHOSE_BUFFER_MIB,
      FIREHOSE_BUFFER_SECONDS,
      FIREHOSE_PROCESSOR_MAX_TIMEOUT_SECONDS,
      KINESIS_RETENTION_HOURS,
      IAM_ROLE_NAME_MAX_CHARS,
      ROLE_TRUST_POLICY_MAX_CHARS,
      ROLE_INLINE_POLICIES_MAX_CHARS,
      DESTINATION_POLICY_MAX_BYTES,
      SELECTION_CRITERIA_MAX_BYTES,
      FILTER_PATTERN_MAX_CHARS,
      ALARM_MAX_EVALUATION_SECONDS,
    }).toEqual({
      MIN_PARTITIONED_BUFFER_MIB: 64,
      MIN_PARTITIONED_BUFFER_SECONDS: 60,
      FIREHOSE_BUFFER_MIB: { min: 1, max: 128 },
      FIREHOSE_BUFFER_SECONDS: { min: 0, max: 900 },
      FIREHOSE_PROCESSOR_MAX_TIMEOUT_SECONDS: 300,
      KINESIS_RETENTION_HOURS: { min: 24, max: 8760 },
      IAM_ROLE_NAME_MAX_CHARS: 64,
      ROLE_TRUST_POLICY_MAX_CHARS: 2048,
      ROLE_INLINE_POLICIES_MAX_CHARS: 10_240,
      DESTINATION_POLICY_MAX_BYTES: 5120,
      SELECTION_CRITERIA_MAX_BYTES: 25_000,
      FILTER_PATTERN_MAX_CHARS: 1024,
      ALARM_MAX_EVALUATION_SECONDS: 604_800,
    });
  });
});

describe("Delivery", () => {
  const events: DeliveryFormat = { kind: "events", processor: ref("lambda") };
  const raw: DeliveryFormat = { kind: "raw" };
  const delivery = (format: DeliveryFormat, bufferMiB: number, bufferSeconds: number) => () => {
    const { scope, provider } = stack();
    new Delivery(scope, "Delivery", {
      provider,
      partition: "aws",
      region: "eu-west-1",
      accountId: "111111111111",
      name: "d",
      roleName: "d",
      source: { stream: ref("kinesis"), key: ref("kms") },
      archive: { bucket: { arn: "arn:aws:s3:::b" }, key: ref("kms") },
      logGroupName: "/aws/kinesisfirehose/d",
      bufferMiB,
      bufferSeconds,
      format,
    });
  };

  test("events format: 64 MiB is accepted, 63 refused (dynamic partitioning)", () => {
    expect(delivery(events, 64, 300)).not.toThrow();
    expect(delivery(events, 63, 300)).toThrow(
      new Error(
        "Delivery test/Delivery: bufferMiB is 63, under 64: the events format uses Firehose dynamic partitioning, which needs a buffer of at least 64 MiB; raise it or use the raw format",
      ),
    );
  });

  test("events format: 60 s is accepted, 59 refused (no zero buffering)", () => {
    expect(delivery(events, 64, 60)).not.toThrow();
    expect(delivery(events, 64, 59)).toThrow(
      new Error(
        "Delivery test/Delivery: bufferSeconds is 59, under 60: the events format uses Firehose dynamic partitioning, which has no zero buffering (intervals under 60 s); raise it or use the raw format",
      ),
    );
  });

  test("raw format: Firehose's own ranges, 1-128 MiB and 0-900 s, at both ends", () => {
    expect(delivery(raw, 1, 0)).not.toThrow();
    expect(delivery(raw, 128, 900)).not.toThrow();
    expect(delivery(raw, 0, 300)).toThrow(
      new Error("Delivery test/Delivery: bufferMiB is 0, under 1: Firehose's buffering size range"),
    );
    expect(delivery(raw, 129, 300)).toThrow(
      new Error("Delivery test/Delivery: bufferMiB is 129, over 128: Firehose's buffering size range"),
    );
    expect(delivery(raw, 64, -1)).toThrow(
      new Error("Delivery test/Delivery: bufferSeconds is -1, under 0: Firehose's buffering interval range"),
    );
    expect(delivery(raw, 64, 901)).toThrow(
      new Error(
        "Delivery test/Delivery: bufferSeconds is 901, over 900: Firehose's buffering interval range",
      ),
    );
  });
});

describe("LogStream", () => {
  const logStream =
    (retentionHours: number, capacity: StreamCapacity = { mode: "on-demand" }) =>
    () => {
      const { scope, provider } = stack();
      new LogStream(scope, "Stream", {
        provider,
        name: "s",
        kmsKeyArn: ARN("kms"),
        capacity,
        retentionHours,
      });
    };

  test("retention 24-8760 hours, at both ends", () => {
    expect(logStream(24)).not.toThrow();
    expect(logStream(8760)).not.toThrow();
    expect(logStream(23)).toThrow(
      new Error("LogStream test/Stream: retentionHours is 23, under 24: Kinesis keeps records 24-8760 hours"),
    );
    expect(logStream(8761)).toThrow(
      new Error(
        "LogStream test/Stream: retentionHours is 8761, over 8760: Kinesis keeps records 24-8760 hours",
      ),
    );
  });

  test("a provisioned stream has at least one shard", () => {
    expect(logStream(24, { mode: "provisioned", shards: 1 })).not.toThrow();
    expect(logStream(24, { mode: "provisioned", shards: 0 })).toThrow(
      new Error("LogStream test/Stream: shards is 0, under 1: a provisioned stream has at least one shard"),
    );
  });
});

describe("ProcessorFunction", () => {
  const zip = join(mkdtempSync(join(tmpdir(), "seclog-validation-")), "code.zip");
  writeFileSync(zip, "not really a zip");
  const processor = (props: { timeoutSeconds?: number; reservedConcurrency?: number }) => () => {
    const { scope, provider } = stack();
    new ProcessorFunction(scope, "Processor", {
      provider,
      partition: "aws",
      functionName: "p",
      roleName: "p",
      logGroupName: "/aws/lambda/p",
      logKmsKeyArn: ARN("kms"),
      code: { path: zip, sha256: "x" },
      metricNamespace: "SecLog/test",
      ...props,
    });
  };

  test("timeout up to Firehose's 300 s wait", () => {
    expect(processor({ timeoutSeconds: 300 })).not.toThrow();
    expect(processor({ timeoutSeconds: 301 })).toThrow(
      new Error(
        "ProcessorFunction test/Processor: timeoutSeconds is 301, over 300: Firehose waits at most 5 minutes for a transformation Lambda",
      ),
    );
  });

  test("a reserved concurrency is at least 1", () => {
    expect(processor({ reservedConcurrency: 1 })).not.toThrow();
    expect(processor({ reservedConcurrency: 0 })).toThrow(
      new Error(
        "ProcessorFunction test/Processor: reservedConcurrency is 0, under 1: a reservation of 0 stops every invocation; omit it to use the unreserved pool",
      ),
    );
  });
});

describe("ArchiveBucket and AccessLogsBucket lifecycle", () => {
  const archive =
    (props: { glacierAfterDays: number; expireAfterDays?: number; lockDays?: number }) => () => {
      const { scope, provider } = stack();
      new ArchiveBucket(scope, "Archive", {
        provider,
        bucketName: "b",
        kmsKeyArn: ARN("kms"),
        glacierAfterDays: props.glacierAfterDays,
        expireAfterDays: props.expireAfterDays,
        objectLock: props.lockDays === undefined ? undefined : { mode: "GOVERNANCE", days: props.lockDays },
      });
    };

  test("transition after 0 days or more", () => {
    expect(archive({ glacierAfterDays: 0 })).not.toThrow();
    expect(archive({ glacierAfterDays: -1 })).toThrow(
      new Error(
        "ArchiveBucket test/Archive: glacierAfterDays is -1, under 0: S3 cannot transition an object before it exists",
      ),
    );
  });

  test("expiry strictly after the transition: one day after is accepted, the same day refused", () => {
    expect(archive({ glacierAfterDays: 90, expireAfterDays: 91 })).not.toThrow();
    expect(archive({ glacierAfterDays: 90, expireAfterDays: 90 })).toThrow(
      new Error(
        "ArchiveBucket test/Archive: expireAfterDays is 90, under 91: S3 rejects expiring objects before or when they transition (glacierAfterDays 90)",
      ),
    );
  });

  test("expiry after 1 day at the earliest", () => {
    expect(archive({ glacierAfterDays: 0, expireAfterDays: 1 })).not.toThrow();
    expect(archive({ glacierAfterDays: 0, expireAfterDays: 0 })).toThrow(
      new Error(
        "ArchiveBucket test/Archive: expireAfterDays is 0, under 1: S3 expiration days must be a non-zero positive integer",
      ),
    );
  });

  test("Object Lock retains at least 1 day", () => {
    expect(archive({ glacierAfterDays: 90, lockDays: 1 })).not.toThrow();
    expect(archive({ glacierAfterDays: 90, lockDays: 0 })).toThrow(
      new Error(
        "ArchiveBucket test/Archive: objectLock.days is 0, under 1: S3 Object Lock retains for at least 1 day",
      ),
    );
  });

  test("the access-log bucket checks the same rule", () => {
    const accessLogs = (expireAfterDays: number) => () => {
      const { scope, provider } = stack();
      new AccessLogsBucket(scope, "AccessLogs", {
        provider,
        bucketName: "l",
        partition: "aws",
        accountId: "111111111111",
        source: { name: "b", arn: "arn:aws:s3:::b" },
        glacierAfterDays: 30,
        expireAfterDays,
      });
    };
    expect(accessLogs(31)).not.toThrow();
    expect(accessLogs(30)).toThrow(
      new Error(
        "AccessLogsBucket test/AccessLogs: expireAfterDays is 30, under 31: S3 rejects expiring objects before or when they transition (glacierAfterDays 30)",
      ),
    );
  });
});

describe("RegionSubscriptions", () => {
  const group = (overrides: Partial<SubscribedLogGroup> = {}): SubscribedLogGroup => ({
    name: "/app",
    filterName: "f",
    filterPattern: "",
    create: false,
    ...overrides,
  });
  const subscriptions = (logGroups: SubscribedLogGroup[], exclude?: string[]) => () => {
    const { scope, provider } = stack();
    new RegionSubscriptions(scope, "Subscriptions", {
      provider,
      destinationArn: "arn:aws:logs:eu-west-1:999999999999:destination:d",
      logGroups,
      allLogGroups: exclude ? { policyName: "p", exclude } : undefined,
    });
  };

  test("two subscription filters per log group are accepted, three refused", () => {
    const two = [group({ filterName: "a" }), group({ filterName: "b", filterPattern: "ERROR" })];
    expect(subscriptions(two)).not.toThrow();
    expect(subscriptions([...two, group({ filterName: "c", filterPattern: "WARN" })])).toThrow(
      new Error(
        "RegionSubscriptions test/Subscriptions: subscription filters on /app is 3, over 2: CloudWatch Logs allows at most two per log group",
      ),
    );
  });

  test("a filter pattern of 1,024 characters is accepted, 1,025 refused", () => {
    expect(subscriptions([group({ filterPattern: "x".repeat(1024) })])).not.toThrow();
    expect(subscriptions([group({ filterPattern: "x".repeat(1025) })])).toThrow(
      /^RegionSubscriptions test\/Subscriptions: filterPattern of \/app "x+" is 1025 characters, over 1024: CloudWatch Logs' limit on a filter pattern$/,
    );
  });

  test("retention only in the values PutRetentionPolicy accepts", () => {
    expect(subscriptions([group({ create: true, retentionDays: 365 })])).not.toThrow();
    expect(subscriptions([group({ create: true, retentionDays: 364 })])).toThrow(
      new Error(
        "RegionSubscriptions test/Subscriptions: retentionDays of /app is 364; CloudWatch Logs accepts only 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
      ),
    );
  });

  test("an account policy's selection criteria of 25,000 bytes is accepted, 25,001 refused", () => {
    // One excluded name padded so the whole criteria is exactly `bytes` long.
    const excludeOf = (bytes: number) => {
      const overhead = Buffer.byteLength(accountPolicySelectionCriteria(["/"])!, "utf8") - 1;
      return ["/" + "a".repeat(bytes - overhead - 1)];
    };
    const size = (exclude: string[]) =>
      Buffer.byteLength(accountPolicySelectionCriteria(accountPolicyExclusions(exclude, []))!, "utf8");
    expect(size(excludeOf(25_000))).toBe(25_000);
    expect(subscriptions([], excludeOf(25_000))).not.toThrow();
    expect(subscriptions([], excludeOf(25_001))).toThrow(
      new Error(
        "RegionSubscriptions test/Subscriptions: account policy selection criteria (bytes) is 25001, over 25000: CloudWatch Logs caps selection criteria at 25 KB; exclude fewer log groups",
      ),
    );
  });
});

/** A policy of exactly `size` characters as IAM and CloudWatch Logs count them (compact JSON). */
function policyOfSize(size: number): PolicyDocument {
  const withSid = (sid: string) =>
    policyDocument({
      Sid: sid,
      Effect: "Allow",
      Principal: { Service: "logs.amazonaws.com" },
      Action: "sts:AssumeRole",
    });
  const policy = withSid("A".repeat(size - policySize(withSid(""))));
  expect(policySize(policy)).toBe(size);
  return policy;
}

describe("DestinationRole and LogDestination", () => {
  const role = (roleName: string, trustPolicy: PolicyDocument) => {
    const { scope, provider } = stack();
    return new DestinationRole(scope, "DestinationRole", {
      provider,
      roleName,
      trustPolicy,
      target: { stream: ref("kinesis"), key: ref("kms") },
    });
  };

  test("a trust policy of 2,048 characters is accepted, 2,049 refused", () => {
    expect(() => role("r", policyOfSize(2048))).not.toThrow();
    expect(() => role("r", policyOfSize(2049))).toThrow(
      new Error(
        "DestinationRole test/DestinationRole: trustPolicy size is 2049, over 2048: IAM's quota for a role trust policy (characters, white space not counted); admit an organization instead of listing accounts",
      ),
    );
  });

  test("a role name of 64 characters is accepted, 65 refused", () => {
    expect(() => role("r".repeat(64), policyOfSize(200))).not.toThrow();
    expect(() => role("r".repeat(65), policyOfSize(200))).toThrow(
      new Error(
        `DestinationRole test/DestinationRole: name "${"r".repeat(65)}" is 65 characters, over 64: IAM's limit on a role name`,
      ),
    );
  });

  test("an access policy of 5,120 bytes is accepted, 5,121 refused", () => {
    const destination = (accessPolicy: PolicyDocument) => () => {
      const { scope, provider } = stack();
      const destinationRole = new DestinationRole(scope, "DestinationRole", {
        provider,
        roleName: "r",
        trustPolicy: policyOfSize(200),
        target: { stream: ref("kinesis"), key: ref("kms") },
      });
      new LogDestination(scope, "Destination", {
        provider,
        name: "d",
        role: destinationRole,
        stream: ref("kinesis"),
        accessPolicy,
      });
    };
    expect(destination(policyOfSize(5120))).not.toThrow();
    expect(destination(policyOfSize(5121))).toThrow(
      new Error(
        "LogDestination test/Destination: accessPolicy size is 5121, over 5120: PutDestinationPolicy's limit in bytes; admit an organization instead of listing accounts",
      ),
    );
  });
});

describe("serviceRole", () => {
  test("an inline policy of 10,240 characters is accepted, 10,241 refused", () => {
    const role = (permissions: PolicyDocument) => () => {
      const { scope, provider } = stack();
      serviceRole(scope, {
        provider,
        name: "r",
        description: "d",
        trust: policyOfSize(200),
        policyName: "p",
        permissions,
      });
    };
    expect(role(policyOfSize(10_240))).not.toThrow();
    expect(role(policyOfSize(10_241))).toThrow(
      new Error(
        "TerraformStack test: permissions size is 10241, over 10240: IAM's quota for a role's inline policies",
      ),
    );
  });
});

describe("StateAccessRole", () => {
  test("a role name of 64 characters is accepted, 65 refused", () => {
    const stateRole = (roleName: string) => () => {
      const { scope, provider } = stack();
      new StateAccessRole(scope, "StateAccess", {
        provider,
        location: { partition: "aws", bucket: "state", region: "eu-west-1", keyPrefix: "seclog" },
        stack: "web",
        accountId: "222222222222",
        roleName,
      });
    };
    expect(stateRole("s".repeat(64))).not.toThrow();
    expect(stateRole("s".repeat(65))).toThrow(
      new Error(
        `StateAccessRole test/StateAccess: roleName "${"s".repeat(65)}" is 65 characters, over 64: IAM's limit on a role name`,
      ),
    );
  });
});

describe("PipelineAlarms", () => {
  test("7 days of evaluation are accepted, one more period refused", () => {
    const spec = (evaluationPeriods: number): AlarmSpec => ({
      id: "silent",
      description: "d",
      namespace: "AWS/Kinesis",
      metricName: "IncomingRecords",
      dimensions: { StreamName: "s" },
      statistic: "Sum",
      periodSeconds: 3600,
      evaluationPeriods,
      comparison: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
    });
    const alarms = (evaluationPeriods: number) => () => {
      const { scope, provider } = stack();
      new PipelineAlarms(scope, "Alarms", {
        provider,
        topicArn: ARN("sns"),
        namePrefix: "p",
        specs: [spec(evaluationPeriods)],
      });
    };
    expect(alarms(168)).not.toThrow();
    expect(alarms(169)).toThrow(
      new Error(
        "alarm silent: 169 periods of 3600 s evaluate 608400 s, over CloudWatch's 604800 s (7 days); use fewer or shorter periods",
      ),
    );
  });
});

describe("QueryResultsBucket and SearchWorkgroup", () => {
  test("results expire after 1 day at the earliest", () => {
    const results = (expireAfterDays: number) => () => {
      const { scope, provider } = stack();
      new QueryResultsBucket(scope, "Results", {
        provider,
        bucketName: "r",
        key: ref("kms"),
        expireAfterDays,
      });
    };
    expect(results(1)).not.toThrow();
    expect(results(0)).toThrow(
      new Error(
        "QueryResultsBucket test/Results: expireAfterDays is 0, under 1: S3 expiration days must be a non-zero positive integer",
      ),
    );
  });

  test("a per-query cutoff of 10,000,000 bytes is accepted, 9,999,999 refused", () => {
    const workgroup = (bytesScannedCutoff: number) => () => {
      const { scope, provider } = stack();
      new SearchWorkgroup(scope, "Search", {
        provider,
        name: "w",
        databaseName: "d",
        results: { bucket: { name: "r", arn: ARN("s3") }, key: ref("kms") },
        bytesScannedCutoff,
        hunts: [],
      });
    };
    expect(workgroup(10_000_000)).not.toThrow();
    expect(workgroup(9_999_999)).toThrow(
      new Error(
        "SearchWorkgroup test/Search: bytesScannedCutoff is 9999999, under 10000000: Athena's minimum per-query data usage control",
      ),
    );
  });
});

describe("accountProviders", () => {
  test("an alias names one region's provider: accepted with one region, refused with two", () => {
    const providers = (regions: string[]) => () =>
      accountProviders(new TerraformStack(Testing.app(), "test"), {
        accountId: "111111111111",
        regions,
        tags: {},
        sessionName: "s",
        alias: "one",
      });
    expect(providers(["eu-west-1"])).not.toThrow();
    expect(providers(["eu-west-1"])().get("eu-west-1")!.alias).toBe("one");
    expect(providers(["eu-west-1", "us-east-1"])).toThrow(
      new Error("accountProviders: an alias names one region's provider"),
    );
  });
});
