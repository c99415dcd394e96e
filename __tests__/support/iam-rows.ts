import { runSimulation, Simulation } from "@cloud-copilot/iam-simulate";
import { ExistingBucketPolicies, PipelinePolicies, Policy, StatePolicies } from "./planned-policies";

/** What a row expects AWS to decide. `Denied` accepts either kind of denial. */
export type Expectation = "Allowed" | "Denied" | "ExplicitlyDenied";

export interface Row<P = PipelinePolicies> {
  /** The rule this row proves, as a reviewer would state it. */
  readonly rule: string;
  readonly expected: Expectation;
  readonly simulation: (p: P) => Simulation;
}

const ADMIN: Policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

interface RequestSpec {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly identity?: Policy;
  readonly resourcePolicy?: Policy;
  readonly context?: Record<string, string | string[]>;
}

export function request(spec: RequestSpec): Simulation {
  return {
    request: {
      principal: spec.principal,
      action: spec.action,
      resource: { resource: spec.resource, accountId: spec.resourceAccount },
      contextVariables: { "aws:SecureTransport": "true", ...spec.context },
    },
    identityPolicies: spec.identity ? [{ name: "policy", policy: spec.identity }] : [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: spec.resourcePolicy,
  } as Simulation;
}

/** Runs one row; returns AWS's decision, or throws if the simulator rejects the request as malformed. */
export async function decide<P>(row: Row<P>, policies: P): Promise<string> {
  const result = await runSimulation(withEncryptionContextEvaluated(row.simulation(policies)), {});
  if (result.resultType === "error")
    throw new Error(`${row.rule}: simulator rejected the request: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/**
 * Condition keys the simulator does not know: KMS encryption-context keys,
 * and the keys IAM makes from an OIDC token, `<issuer host>:aud` and
 * `<issuer host>:sub` (the Terraform Cloud run roles, lib/policies/run-role.ts).
 */
const ENCRYPTION_CONTEXT = /^(kms:encryptioncontext:|[a-z0-9-]+(\.[a-z0-9-]+)+:(aud|sub)$)/i;

/**
 * iam-simulate only understands variable context keys written with a slash
 * (`aws:PrincipalTag/x`); KMS encryption-context keys such as
 * `kms:EncryptionContext:aws:s3:arn`, and an OIDC provider's
 * `app.terraform.io:sub`, reach it as missing. Those conditions are
 * evaluated here instead, with IAM's StringEquals/StringLike semantics, before
 * the rest of the request goes to the simulator, in identity and resource
 * policies alike: a statement whose encryption context does not match is
 * dropped, one that matches loses only that condition.
 */
export function withEncryptionContextEvaluated(simulation: Simulation): Simulation {
  const context = simulation.request.contextVariables;
  const contextValue = (key: string) =>
    Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  const rewrite = (policy: Policy): Policy => ({
    ...policy,
    Statement: policy.Statement.flatMap((statement) => {
      if (!statement.Condition) return [statement];
      const condition: Record<string, Record<string, unknown>> = {};
      for (const [operator, entries] of Object.entries(
        statement.Condition as Record<string, Record<string, unknown>>,
      )) {
        for (const [key, expected] of Object.entries(entries)) {
          if (!ENCRYPTION_CONTEXT.test(key)) {
            condition[operator] = { ...condition[operator], [key]: expected };
            continue;
          }
          // ArnEquals and ArnLike match alike, with wildcards (IAM User Guide, "Amazon Resource Name (ARN) condition operators").
          const wildcards = operator === "StringLike" || operator === "ArnLike" || operator === "ArnEquals";
          if (operator !== "StringEquals" && !wildcards)
            throw new Error(`unsupported operator ${operator} on ${key}`);
          const actual = contextValue(key);
          const patterns = [expected].flat().map(String);
          const ok =
            actual !== undefined &&
            [actual].flat().some((v) => patterns.some((p) => (wildcards ? wildcard(p).test(v) : p === v)));
          if (!ok) return [];
        }
      }
      // Without a key rather than `Condition: undefined`, which the simulator rejects as malformed.
      const { Condition: _evaluated, ...rest } = statement;
      return [Object.keys(condition).length ? { ...rest, Condition: condition } : rest];
    }),
  });
  return {
    ...simulation,
    identityPolicies: simulation.identityPolicies.map((p) => ({ ...p, policy: rewrite(p.policy as Policy) })),
    // A key policy conditions on the encryption context the same way (the replica key's, lib/policies/replication.ts).
    resourcePolicy: simulation.resourcePolicy && rewrite(simulation.resourcePolicy as Policy),
  };
}

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
}

export function matches(expected: Expectation, actual: string): boolean {
  return expected === "Denied"
    ? actual === "ImplicitlyDenied" || actual === "ExplicitlyDenied"
    : actual === expected;
}

/**
 * One test a row, named by `title` with `%s` as "<expected>: <rule>": runs the
 * row against `policies` through the simulator and expects AWS's decision to
 * match. A failure shows the rule and the decision AWS would make.
 */
export function simulateRows<P>(title: string, rows: readonly Row<P>[], policies: P): void {
  test.each(rows.map((row): [string, Row<P>] => [`${row.expected}: ${row.rule}`, row]))(
    title,
    async (_name, row) => {
      const actual = await decide(row, policies);
      expect({ rule: row.rule, decision: actual, matches: matches(row.expected, actual) }).toEqual({
        rule: row.rule,
        decision: actual,
        matches: true,
      });
    },
  );
}

const SERVICE = (
  service: string,
  role: string,
  trust: Policy,
  context: Record<string, string>,
  account: string,
): Simulation =>
  request({
    principal: service,
    action: "sts:AssumeRole",
    resource: role,
    resourceAccount: account,
    resourcePolicy: trust,
    context,
  });

/** Rows for a config that lists accounts (no organizationId). */
export function accountListRows(ids: { listed: string; usEastOnly: string; outsider: string }): Row[] {
  const subscribe = (principalAccount: string, region: string) => (p: PipelinePolicies) =>
    request({
      principal: `arn:aws:iam::${principalAccount}:role/Admin`,
      action: "logs:PutSubscriptionFilter",
      resource: p.arns.destination(region),
      resourceAccount: p.accountId,
      identity: ADMIN,
      resourcePolicy: p.destinationAccess[region],
    });
  const logsAssumes = (sourceAccount: string, region: string) => (p: PipelinePolicies) =>
    SERVICE(
      "logs.amazonaws.com",
      p.arns.destinationRole,
      p.destinationTrust,
      { "aws:SourceArn": `arn:aws:logs:${region}:${sourceAccount}:log-group:/var/log/messages:*` },
      p.accountId,
    );
  return [
    {
      rule: "a listed account may subscribe to the destination of a region it ships from",
      expected: "Allowed",
      simulation: subscribe(ids.listed, "us-east-1"),
    },
    {
      rule: "a listed account may subscribe in each of its regions",
      expected: "Allowed",
      simulation: subscribe(ids.listed, "eu-west-1"),
    },
    {
      rule: "an account not in the list cannot subscribe",
      expected: "Denied",
      simulation: subscribe(ids.outsider, "us-east-1"),
    },
    {
      rule: "a listed account cannot subscribe in a region it does not ship from",
      expected: "Denied",
      simulation: subscribe(ids.usEastOnly, "eu-west-1"),
    },
    {
      rule: "CloudWatch Logs may assume the destination role for a listed sender's log group",
      expected: "Allowed",
      simulation: logsAssumes(ids.listed, "eu-west-1"),
    },
    {
      rule: "CloudWatch Logs may assume the destination role for the recipient's own test record",
      expected: "Allowed",
      simulation: (p) => logsAssumes(p.accountId, "us-east-1")(p),
    },
    {
      rule: "CloudWatch Logs cannot assume the destination role for an unknown account",
      expected: "Denied",
      simulation: logsAssumes(ids.outsider, "us-east-1"),
    },
    {
      rule: "CloudWatch Logs cannot assume the destination role for a sender outside its regions",
      expected: "Denied",
      simulation: logsAssumes(ids.usEastOnly, "eu-west-1"),
    },
  ];
}

/** Rows for the SNS topic, SQS queue and access-log bucket policies (configs with alarms, notifications, access logs). */
export function monitoringRows(outsider: string): Row[] {
  const publish =
    (account: (p: PipelinePolicies) => string, region = "us-east-1") =>
    (p: PipelinePolicies) =>
      request({
        principal: "cloudwatch.amazonaws.com",
        action: "sns:Publish",
        resource: p.arns.alarmTopic!,
        resourceAccount: p.accountId,
        resourcePolicy: p.alarmTopicPolicy,
        context: {
          "aws:SourceAccount": account(p),
          "aws:SourceArn": `arn:aws:cloudwatch:${region}:${account(p)}:alarm:secops-security-logs-stream-silent`,
        },
      });
  const notify =
    (bucketArn: (p: PipelinePolicies) => string, account: (p: PipelinePolicies) => string) =>
    (p: PipelinePolicies) =>
      request({
        principal: "s3.amazonaws.com",
        action: "sqs:SendMessage",
        resource: p.arns.objectQueue!,
        resourceAccount: p.accountId,
        resourcePolicy: p.objectQueuePolicy,
        context: { "aws:SourceArn": bucketArn(p), "aws:SourceAccount": account(p) },
      });
  const deliverLog = (bucketArn: (p: PipelinePolicies) => string) => (p: PipelinePolicies) =>
    request({
      principal: "logging.s3.amazonaws.com",
      action: "s3:PutObject",
      resource: `${p.arns.accessLogsBucket!}/archive/2026-11-27-07-00-00-ABCDEF`,
      resourceAccount: p.accountId,
      resourcePolicy: p.accessLogsPolicy,
      context: { "aws:SourceArn": bucketArn(p), "aws:SourceAccount": p.accountId },
    });
  const own = (p: PipelinePolicies) => p.accountId;
  const other = () => outsider;
  const archive = (p: PipelinePolicies) => p.arns.bucket;
  const otherBucket = () => "arn:aws:s3:::someone-elses-bucket";
  return [
    {
      rule: "CloudWatch alarms of this account may publish to the alarm topic",
      expected: "Allowed",
      simulation: publish(own),
    },
    {
      rule: "CloudWatch alarms of another account cannot publish to the alarm topic",
      expected: "Denied",
      simulation: publish(other),
    },
    {
      rule: "S3 may announce archive objects on the queue",
      expected: "Allowed",
      simulation: notify(archive, own),
    },
    {
      rule: "S3 cannot announce another bucket's objects on the queue",
      expected: "Denied",
      simulation: notify(otherBucket, own),
    },
    {
      rule: "S3 cannot announce objects of another account on the queue",
      expected: "Denied",
      simulation: notify(archive, other),
    },
    {
      rule: "S3 log delivery may write the archive's access logs",
      expected: "Allowed",
      simulation: deliverLog(archive),
    },
    {
      rule: "S3 log delivery cannot write another bucket's logs there",
      expected: "Denied",
      simulation: deliverLog(otherBucket),
    },
  ];
}

/** Rows for organization mode. */
export function organizationRows(ids: { member: string; organizationId: string }): Row[] {
  const subscribe = (orgId: string) => (p: PipelinePolicies) =>
    request({
      principal: `arn:aws:iam::${ids.member}:role/Admin`,
      action: "logs:PutSubscriptionFilter",
      resource: p.arns.destination(p.homeRegion),
      resourceAccount: p.accountId,
      identity: ADMIN,
      resourcePolicy: p.destinationAccess[p.homeRegion],
      context: { "aws:PrincipalOrgID": orgId },
    });
  const logsAssumes = (region: string) => (p: PipelinePolicies) =>
    SERVICE(
      "logs.amazonaws.com",
      p.arns.destinationRole,
      p.destinationTrust,
      { "aws:SourceArn": `arn:aws:logs:${region}:${ids.member}:log-group:/var/log/messages:*` },
      p.accountId,
    );
  return [
    {
      rule: "any account of the organization may subscribe",
      expected: "Allowed",
      simulation: subscribe(ids.organizationId),
    },
    {
      rule: "an account outside the organization cannot subscribe",
      expected: "Denied",
      simulation: subscribe("o-zzzzzzzzzz"),
    },
    {
      rule: "CloudWatch Logs may assume the destination role for a member's log group in a destination region",
      expected: "Allowed",
      simulation: logsAssumes("eu-west-1"),
    },
    {
      rule: "CloudWatch Logs cannot assume the destination role from a region without a destination",
      expected: "Denied",
      simulation: logsAssumes("sa-east-1"),
    },
  ];
}

/** Rows about the security account's own roles, keys and bucket; the same in either mode. */
export function pipelineRows(outsider: string): Row[] {
  const asDestinationRole =
    (
      action: string,
      resource: (p: PipelinePolicies) => string,
      keyPolicy?: (p: PipelinePolicies) => Policy,
      context: Record<string, string> = {},
    ) =>
    (p: PipelinePolicies) =>
      request({
        principal: p.arns.destinationRole,
        action,
        resource: resource(p),
        resourceAccount: p.accountId,
        identity: p.destinationPermissions,
        resourcePolicy: keyPolicy?.(p),
        context,
      });
  const asFirehose =
    (
      action: string,
      resource: (p: PipelinePolicies) => string,
      resourcePolicy?: (p: PipelinePolicies) => Policy,
      context: (p: PipelinePolicies) => Record<string, string> = () => ({}),
    ) =>
    (p: PipelinePolicies) =>
      request({
        principal: p.arns.firehoseRole,
        action,
        resource: resource(p),
        resourceAccount: p.accountId,
        identity: p.firehosePermissions,
        resourcePolicy: resourcePolicy?.(p),
        context: context(p),
      });
  const otherStream = (p: PipelinePolicies) =>
    p.arns.stream.replace(/stream\/.*/, "stream/someone-elses-stream");
  const viaKinesis = (p: PipelinePolicies) => ({
    "kms:ViaService": `kinesis.${p.homeRegion}.amazonaws.com`,
    "kms:EncryptionContext:aws:kinesis:arn": p.arns.stream,
  });
  const viaS3 = (p: PipelinePolicies) => ({
    "kms:ViaService": `s3.${p.homeRegion}.amazonaws.com`,
    "kms:EncryptionContext:aws:s3:arn": p.arns.bucket,
  });
  const object = (path: string) => (p: PipelinePolicies) => `${p.arns.bucket}/${path}`;
  const bucketPolicy = (p: PipelinePolicies) => p.bucketPolicy;
  return [
    {
      rule: "the destination role may put records into the stream",
      expected: "Allowed",
      simulation: asDestinationRole("kinesis:PutRecord", (p) => p.arns.stream),
    },
    {
      rule: "the destination role may generate data keys with the stream key",
      expected: "Allowed",
      simulation: asDestinationRole(
        "kms:GenerateDataKey",
        (p) => p.arns.streamKey,
        (p) => p.streamKeyPolicy,
      ),
    },
    {
      rule: "the destination role cannot write another stream",
      expected: "Denied",
      simulation: asDestinationRole("kinesis:PutRecord", otherStream),
    },
    {
      rule: "the destination role cannot read the stream",
      expected: "Denied",
      simulation: asDestinationRole("kinesis:GetRecords", (p) => p.arns.stream),
    },
    {
      rule: "the destination role cannot decrypt with the stream key",
      expected: "Denied",
      simulation: asDestinationRole(
        "kms:Decrypt",
        (p) => p.arns.streamKey,
        (p) => p.streamKeyPolicy,
      ),
    },
    {
      rule: "the destination role cannot use the archive key",
      expected: "Denied",
      simulation: asDestinationRole(
        "kms:GenerateDataKey",
        (p) => p.arns.archiveKey,
        (p) => p.archiveKeyPolicy,
      ),
    },
    {
      rule: "the destination role cannot write the archive bucket",
      expected: "Denied",
      simulation: asDestinationRole("s3:PutObject", object("events/x.gz")),
    },
    {
      rule: "Firehose may assume its role with this account's external id",
      expected: "Allowed",
      simulation: (p) =>
        SERVICE(
          "firehose.amazonaws.com",
          p.arns.firehoseRole,
          p.firehoseTrust,
          { "sts:ExternalId": p.accountId },
          p.accountId,
        ),
    },
    {
      rule: "Firehose cannot assume its role with another external id",
      expected: "Denied",
      simulation: (p) =>
        SERVICE(
          "firehose.amazonaws.com",
          p.arns.firehoseRole,
          p.firehoseTrust,
          { "sts:ExternalId": outsider },
          p.accountId,
        ),
    },
    {
      rule: "the Firehose role may read the stream",
      expected: "Allowed",
      simulation: asFirehose("kinesis:GetRecords", (p) => p.arns.stream),
    },
    {
      rule: "the Firehose role may decrypt stream records through Kinesis",
      expected: "Allowed",
      simulation: asFirehose(
        "kms:Decrypt",
        (p) => p.arns.streamKey,
        (p) => p.streamKeyPolicy,
        viaKinesis,
      ),
    },
    {
      rule: "the Firehose role may write error objects to the archive",
      expected: "Allowed",
      simulation: asFirehose(
        "s3:PutObject",
        object("errors/processing-failed/2026/11/27/07/part"),
        bucketPolicy,
      ),
    },
    {
      rule: "the Firehose role may encrypt archive objects through S3",
      expected: "Allowed",
      simulation: asFirehose(
        "kms:GenerateDataKey",
        (p) => p.arns.archiveKey,
        (p) => p.archiveKeyPolicy,
        viaS3,
      ),
    },
    {
      rule: "the Firehose role may log delivery errors to its log group",
      expected: "Allowed",
      simulation: asFirehose(
        "logs:PutLogEvents",
        (p) => `${p.arns.firehoseLogGroup}:log-stream:DestinationDelivery`,
      ),
    },
    {
      rule: "the Firehose role cannot decrypt another stream's records",
      expected: "Denied",
      simulation: asFirehose(
        "kms:Decrypt",
        (p) => p.arns.streamKey,
        (p) => p.streamKeyPolicy,
        (p) => ({ ...viaKinesis(p), "kms:EncryptionContext:aws:kinesis:arn": otherStream(p) }),
      ),
    },
    {
      rule: "the Firehose role cannot decrypt stream records outside Kinesis",
      expected: "Denied",
      simulation: asFirehose(
        "kms:Decrypt",
        (p) => p.arns.streamKey,
        (p) => p.streamKeyPolicy,
      ),
    },
    {
      rule: "the Firehose role cannot delete archive objects",
      expected: "Denied",
      simulation: asFirehose("s3:DeleteObject", object("events/2026/11/27/07/part.gz"), bucketPolicy),
    },
    {
      rule: "the Firehose role cannot write outside its prefixes",
      expected: "Denied",
      simulation: asFirehose("s3:PutObject", object("other/x"), bucketPolicy),
    },
    {
      rule: "the Firehose role cannot write another bucket",
      expected: "Denied",
      simulation: asFirehose("s3:PutObject", () => "arn:aws:s3:::someone-elses-bucket/raw/x"),
    },
    {
      rule: "the Firehose role cannot read another stream",
      expected: "Denied",
      simulation: asFirehose("kinesis:GetRecords", otherStream),
    },
    {
      rule: "the processor Lambda may write its own log group",
      expected: "Allowed",
      simulation: (p) =>
        request({
          principal: p.arns.processorRole!,
          action: "logs:PutLogEvents",
          resource: `${p.arns.processorLogGroup!}:log-stream:2026/11/27/[$LATEST]abc`,
          resourceAccount: p.accountId,
          identity: p.processorPermissions!,
        }),
    },
    {
      rule: "the processor Lambda cannot write any other log group",
      expected: "Denied",
      simulation: (p) =>
        request({
          principal: p.arns.processorRole!,
          action: "logs:PutLogEvents",
          resource: `${p.arns.firehoseLogGroup}:log-stream:DestinationDelivery`,
          resourceAccount: p.accountId,
          identity: p.processorPermissions!,
        }),
    },
    {
      rule: "the processor Lambda cannot read the archive",
      expected: "Denied",
      simulation: (p) =>
        request({
          principal: p.arns.processorRole!,
          action: "s3:GetObject",
          resource: `${p.arns.bucket}/events/x.gz`,
          resourceAccount: p.accountId,
          identity: p.processorPermissions!,
          resourcePolicy: p.bucketPolicy,
        }),
    },
    {
      rule: "no request to the archive bucket is allowed without TLS, not even an administrator's",
      expected: "ExplicitlyDenied",
      simulation: (p) =>
        request({
          principal: `arn:aws:iam::${p.accountId}:role/Admin`,
          action: "s3:GetObject",
          resource: `${p.arns.bucket}/raw/x.gz`,
          resourceAccount: p.accountId,
          identity: ADMIN,
          resourcePolicy: p.bucketPolicy,
          context: { "aws:SecureTransport": "false" },
        }),
    },
    {
      rule: "the Firehose role cannot write without TLS",
      expected: "ExplicitlyDenied",
      simulation: asFirehose("s3:PutObject", object("events/x.gz"), bucketPolicy, () => ({
        "aws:SecureTransport": "false",
      })),
    },
    {
      rule: "the account's administrators manage the keys through IAM (root delegation)",
      expected: "Allowed",
      simulation: (p) =>
        request({
          principal: `arn:aws:iam::${p.accountId}:role/Admin`,
          action: "kms:PutKeyPolicy",
          resource: p.arns.archiveKey,
          resourceAccount: p.accountId,
          identity: ADMIN,
          resourcePolicy: p.archiveKeyPolicy,
        }),
    },
    {
      rule: "a pipeline role cannot administer a key",
      expected: "Denied",
      simulation: asFirehose(
        "kms:ScheduleKeyDeletion",
        (p) => p.arns.archiveKey,
        (p) => p.archiveKeyPolicy,
      ),
    },
    {
      rule: "another account cannot administer a key, even as its administrator",
      expected: "Denied",
      simulation: (p) =>
        request({
          principal: `arn:aws:iam::${outsider}:role/Admin`,
          action: "kms:PutKeyPolicy",
          resource: p.arns.streamKey,
          resourceAccount: p.accountId,
          identity: ADMIN,
          resourcePolicy: p.streamKeyPolicy,
        }),
    },
  ];
}

/** A stack and the application account it deploys to. */
export interface StackAccount {
  readonly stack: string;
  readonly accountId: string;
}

/**
 * Rows for the `state` stack's per-stack roles (bootstrapped S3 state): each
 * application account reaches its own state object and lock through its own
 * role, and nothing else. `own` and `other` are two application stacks of the
 * config; `outsider` is an account the config does not name.
 */
export function stateAccessRows(ids: {
  own: StackAccount;
  other: StackAccount;
  outsider: string;
}): Row<StatePolicies>[] {
  const { own, other } = ids;
  const assume = (principalAccount: string, stack: string) => (p: StatePolicies) =>
    request({
      principal: `arn:aws:iam::${principalAccount}:role/Admin`,
      action: "sts:AssumeRole",
      resource: p.arns.role(stack),
      resourceAccount: p.accountId,
      identity: ADMIN,
      resourcePolicy: p.roleTrust[stack],
    });
  const asRole =
    (
      action: string,
      resource: (p: StatePolicies) => string,
      context: (p: StatePolicies) => Record<string, string> = () => ({}),
      resourcePolicy: (p: StatePolicies) => Policy = (p) => p.bucketPolicy,
    ) =>
    (p: StatePolicies) =>
      request({
        principal: p.arns.role(own.stack),
        action,
        resource: resource(p),
        resourceAccount: p.accountId,
        identity: p.rolePermissions[own.stack],
        resourcePolicy: resourcePolicy(p),
        context: context(p),
      });
  const ownState = (p: StatePolicies) => p.arns.state(own.stack);
  const ownLock = (p: StatePolicies) => p.arns.lock(own.stack);
  const otherState = (p: StatePolicies) => p.arns.state(other.stack);
  const otherLock = (p: StatePolicies) => p.arns.lock(other.stack);
  const bucket = (p: StatePolicies) => p.arns.bucket;
  const key = (p: StatePolicies) => p.arns.key;
  const keyPolicy = (p: StatePolicies) => p.keyPolicy;
  const prefix = (stack: string) => (p: StatePolicies) => ({
    "s3:prefix": `${p.keyPrefix}/${stack}.tfstate`,
  });
  // With S3 Bucket Keys, S3 calls KMS with the bucket ARN as encryption context.
  const viaS3 =
    (bucketArn: (p: StatePolicies) => string = bucket) =>
    (p: StatePolicies) => ({
      "kms:ViaService": `s3.${p.region}.amazonaws.com`,
      "kms:EncryptionContext:aws:s3:arn": bucketArn(p),
    });
  const withKey = (action: string, context: (p: StatePolicies) => Record<string, string>) =>
    asRole(action, key, context, keyPolicy);
  return [
    {
      rule: "an application account may assume its own stack's state role",
      expected: "Allowed",
      simulation: assume(own.accountId, own.stack),
    },
    {
      rule: "the state role may read its own state",
      expected: "Allowed",
      simulation: asRole("s3:GetObject", ownState),
    },
    {
      rule: "the state role may write its own state",
      expected: "Allowed",
      simulation: asRole("s3:PutObject", ownState),
    },
    {
      rule: "the state role may read its own lock",
      expected: "Allowed",
      simulation: asRole("s3:GetObject", ownLock),
    },
    {
      rule: "the state role may take its own lock",
      expected: "Allowed",
      simulation: asRole("s3:PutObject", ownLock),
    },
    {
      rule: "the state role may release (delete) its own lock",
      expected: "Allowed",
      simulation: asRole("s3:DeleteObject", ownLock),
    },
    {
      rule: "the state role may list the bucket at its own state key",
      expected: "Allowed",
      simulation: asRole("s3:ListBucket", bucket, prefix(own.stack)),
    },
    {
      rule: "the state role may generate data keys with the state key through S3",
      expected: "Allowed",
      simulation: withKey("kms:GenerateDataKey", viaS3()),
    },
    {
      rule: "the state role may decrypt with the state key through S3",
      expected: "Allowed",
      simulation: withKey("kms:Decrypt", viaS3()),
    },
    {
      rule: "the state role may encrypt with the state key through S3",
      expected: "Allowed",
      simulation: withKey("kms:Encrypt", viaS3()),
    },
    {
      rule: "the state role cannot read another stack's state",
      expected: "Denied",
      simulation: asRole("s3:GetObject", otherState),
    },
    {
      rule: "the state role cannot write another stack's state",
      expected: "Denied",
      simulation: asRole("s3:PutObject", otherState),
    },
    {
      rule: "the state role cannot read another stack's lock",
      expected: "Denied",
      simulation: asRole("s3:GetObject", otherLock),
    },
    {
      rule: "the state role cannot take another stack's lock",
      expected: "Denied",
      simulation: asRole("s3:PutObject", otherLock),
    },
    {
      rule: "the state role cannot release another stack's lock",
      expected: "Denied",
      simulation: asRole("s3:DeleteObject", otherLock),
    },
    {
      rule: "the state role cannot delete its own state",
      expected: "Denied",
      simulation: asRole("s3:DeleteObject", ownState),
    },
    {
      rule: "the state role cannot delete a version of its own state",
      expected: "Denied",
      simulation: asRole("s3:DeleteObjectVersion", ownState),
    },
    {
      rule: "the state role cannot list another stack's state key",
      expected: "Denied",
      simulation: asRole("s3:ListBucket", bucket, prefix(other.stack)),
    },
    {
      rule: "the state role cannot list the whole bucket",
      expected: "Denied",
      simulation: asRole("s3:ListBucket", bucket),
    },
    {
      rule: "the state role cannot delete the bucket",
      expected: "Denied",
      simulation: asRole("s3:DeleteBucket", bucket),
    },
    {
      rule: "the state role cannot change the bucket policy",
      expected: "Denied",
      simulation: asRole("s3:PutBucketPolicy", bucket),
    },
    {
      rule: "the state role cannot schedule the state key's deletion",
      expected: "Denied",
      simulation: asRole("kms:ScheduleKeyDeletion", key, () => ({}), keyPolicy),
    },
    {
      rule: "the state role cannot decrypt with the state key outside S3",
      expected: "Denied",
      simulation: withKey("kms:Decrypt", () => ({})),
    },
    {
      rule: "the state role cannot use the state key through S3 for another bucket",
      expected: "Denied",
      simulation: withKey(
        "kms:Decrypt",
        viaS3(() => "arn:aws:s3:::someone-elses-bucket"),
      ),
    },
    {
      rule: "the state role cannot read its own state without TLS",
      expected: "ExplicitlyDenied",
      simulation: asRole("s3:GetObject", ownState, () => ({ "aws:SecureTransport": "false" })),
    },
    {
      rule: "an account not in the config cannot assume a state role",
      expected: "Denied",
      simulation: assume(ids.outsider, own.stack),
    },
    {
      rule: "another application account cannot assume this stack's state role",
      expected: "Denied",
      simulation: assume(other.accountId, own.stack),
    },
    {
      rule: "the security account's own administrators cannot assume an application's state role",
      expected: "Denied",
      simulation: (p) => assume(p.accountId, own.stack)(p),
    },
  ];
}

/**
 * Rows for the bucket policy `npm run state-policy` prints for an existing
 * bucket: each application account (any identity its own IAM allows) reaches
 * its own stack's state and lock, and nothing else.
 */
export function existingBucketRows(ids: {
  own: StackAccount;
  other: StackAccount;
  outsider: string;
}): Row<ExistingBucketPolicies>[] {
  const { own, other } = ids;
  const as =
    (
      account: string,
      action: string,
      resource: (p: ExistingBucketPolicies) => string,
      context: (p: ExistingBucketPolicies) => Record<string, string> = () => ({}),
    ) =>
    (p: ExistingBucketPolicies) =>
      request({
        principal: `arn:aws:iam::${account}:role/Terraform`,
        action,
        resource: resource(p),
        resourceAccount: p.accountId,
        identity: ADMIN,
        resourcePolicy: p.bucketPolicy,
        context: context(p),
      });
  const ownState = (p: ExistingBucketPolicies) => p.arns.state(own.stack);
  const ownLock = (p: ExistingBucketPolicies) => p.arns.lock(own.stack);
  const bucket = (p: ExistingBucketPolicies) => p.arns.bucket;
  const prefix = (stack: string) => (p: ExistingBucketPolicies) => ({
    "s3:prefix": `${p.keyPrefix}/${stack}.tfstate`,
  });
  return [
    {
      rule: "an application account may read its own state in an existing bucket",
      expected: "Allowed",
      simulation: as(own.accountId, "s3:GetObject", ownState),
    },
    {
      rule: "an application account may write its own state in an existing bucket",
      expected: "Allowed",
      simulation: as(own.accountId, "s3:PutObject", ownState),
    },
    {
      rule: "an application account may take and release its own lock in an existing bucket",
      expected: "Allowed",
      simulation: as(own.accountId, "s3:DeleteObject", ownLock),
    },
    {
      rule: "an application account may list an existing bucket at its own state key",
      expected: "Allowed",
      simulation: as(own.accountId, "s3:ListBucket", bucket, prefix(own.stack)),
    },
    {
      rule: "an application account cannot read another stack's state in an existing bucket",
      expected: "Denied",
      simulation: as(own.accountId, "s3:GetObject", (p) => p.arns.state(other.stack)),
    },
    {
      rule: "an application account cannot take another stack's lock in an existing bucket",
      expected: "Denied",
      simulation: as(own.accountId, "s3:PutObject", (p) => p.arns.lock(other.stack)),
    },
    {
      rule: "an application account cannot list another stack's key in an existing bucket",
      expected: "Denied",
      simulation: as(own.accountId, "s3:ListBucket", bucket, prefix(other.stack)),
    },
    {
      rule: "an application account cannot delete a version of its own state in an existing bucket",
      expected: "Denied",
      simulation: as(own.accountId, "s3:DeleteObjectVersion", ownState),
    },
    {
      rule: "an account not in the config cannot read any state in an existing bucket",
      expected: "Denied",
      simulation: as(ids.outsider, "s3:GetObject", ownState),
    },
    {
      rule: "no state request to an existing bucket is allowed without TLS",
      expected: "ExplicitlyDenied",
      simulation: as(own.accountId, "s3:GetObject", ownState, () => ({ "aws:SecureTransport": "false" })),
    },
  ];
}

type SenderPolicies = import("./planned-policies").SenderPolicies;

/**
 * Rows for an application account's organization-mode sender role, as AWS
 * documents it (CloudWatch Logs user guide, "Step 2: (Only if using an
 * organization) Create an IAM role"): only CloudWatch Logs may assume it, and
 * it allows `logs:PutLogEvents` on the account's own subscribed log groups in
 * the regions it ships from, nothing else. `subscribed` are [region, log group]
 * pairs the account ships; `unsubscribedLogGroup` is a group of the account it
 * does not (and `accountWide` says every group of a shipped region is allowed,
 * as with `allLogGroups`); `otherRegion` is one it does not ship from.
 */
export function senderRoleRows(ids: {
  subscribed: ReadonlyArray<readonly [string, string]>;
  unsubscribedLogGroup: string;
  accountWide: boolean;
  otherRegion: string;
  securityAccount: string;
  outsider: string;
}): Row<SenderPolicies>[] {
  const assume = (principal: (p: SenderPolicies) => string, identity?: Policy) => (p: SenderPolicies) =>
    request({
      principal: principal(p),
      action: "sts:AssumeRole",
      resource: p.arns.role,
      resourceAccount: p.accountId,
      identity,
      resourcePolicy: p.trust,
    });
  const logGroup = (region: string, name: string, account?: string) => (p: SenderPolicies) =>
    `arn:aws:logs:${region}:${account ?? p.accountId}:log-group:${name}:log-stream:validation`;
  const asSender =
    (
      action: string,
      resource: (p: SenderPolicies) => string,
      account: (p: SenderPolicies) => string = (p) => p.accountId,
    ) =>
    (p: SenderPolicies) =>
      request({
        principal: p.arns.role,
        action,
        resource: resource(p),
        resourceAccount: account(p),
        identity: p.permissions,
      });
  const [[region, name]] = ids.subscribed;
  return [
    {
      rule: "CloudWatch Logs may assume the sender role",
      expected: "Allowed",
      simulation: assume(() => "logs.amazonaws.com"),
    },
    {
      rule: "another AWS service cannot assume the sender role",
      expected: "Denied",
      simulation: assume(() => "firehose.amazonaws.com"),
    },
    {
      rule: "the account's own administrators cannot assume the sender role",
      expected: "Denied",
      simulation: assume((p) => `arn:aws:iam::${p.accountId}:role/Admin`, ADMIN),
    },
    {
      rule: "another account cannot assume the sender role",
      expected: "Denied",
      simulation: assume(() => `arn:aws:iam::${ids.outsider}:role/Admin`, ADMIN),
    },
    ...ids.subscribed.map(([r, n]): Row<SenderPolicies> => ({
      rule: `the sender role may write the subscribed log group ${n} in ${r}`,
      expected: "Allowed",
      simulation: asSender("logs:PutLogEvents", logGroup(r, n)),
    })),
    {
      rule: ids.accountWide
        ? "with allLogGroups, the sender role may write any log group of the account in a shipped region"
        : "the sender role cannot write a log group the account does not subscribe",
      expected: ids.accountWide ? "Allowed" : "Denied",
      simulation: asSender("logs:PutLogEvents", logGroup(region, ids.unsubscribedLogGroup)),
    },
    {
      rule: "the sender role cannot write a log group in a region the account does not ship from",
      expected: "Denied",
      simulation: asSender("logs:PutLogEvents", logGroup(ids.otherRegion, name)),
    },
    {
      rule: "the sender role cannot write the security account's log groups",
      expected: "Denied",
      simulation: asSender(
        "logs:PutLogEvents",
        logGroup(region, name, ids.securityAccount),
        () => ids.securityAccount,
      ),
    },
    {
      rule: "the sender role cannot write another account's log group of the same name",
      expected: "Denied",
      simulation: asSender("logs:PutLogEvents", logGroup(region, name, ids.outsider), () => ids.outsider),
    },
    {
      rule: "the sender role cannot create log streams, even in a subscribed log group",
      expected: "Denied",
      simulation: asSender("logs:CreateLogStream", logGroup(region, name)),
    },
    {
      rule: "the sender role cannot delete a subscribed log group",
      expected: "Denied",
      simulation: asSender(
        "logs:DeleteLogGroup",
        (p) => `arn:aws:logs:${region}:${p.accountId}:log-group:${name}`,
      ),
    },
    {
      rule: "the sender role cannot subscribe log groups itself",
      expected: "Denied",
      simulation: asSender(
        "logs:PutSubscriptionFilter",
        (p) => `arn:aws:logs:${region}:${p.accountId}:log-group:${name}`,
      ),
    },
  ];
}

type NotificationsKeyPolicies = import("./planned-policies").NotificationsKeyPolicies;

/**
 * Rows for the notifications key (alarm topic and object queue): CloudWatch
 * may use it only for this account's alarms in the home region, S3 only for
 * the archive bucket of this account, each only for the two operations AWS
 * documents (`kms:GenerateDataKey*`, `kms:Decrypt`), and neither without a
 * source (the confused-deputy guard, AWS KMS Developer Guide, "Using
 * aws:SourceArn or aws:SourceAccount condition keys").
 */
export function notificationsKeyRows(outsider: string): Row<NotificationsKeyPolicies>[] {
  const partition = (p: NotificationsKeyPolicies) => p.arns.key.split(":")[1];
  const useKey =
    (
      service: string,
      source: (p: NotificationsKeyPolicies) => Record<string, string>,
      action = "kms:GenerateDataKey",
    ) =>
    (p: NotificationsKeyPolicies) =>
      request({
        principal: service,
        action,
        resource: p.arns.key,
        resourceAccount: p.accountId,
        resourcePolicy: p.keyPolicy,
        context: source(p),
      });
  const alarm =
    (account: (p: NotificationsKeyPolicies) => string, region?: string) => (p: NotificationsKeyPolicies) => ({
      "aws:SourceAccount": account(p),
      "aws:SourceArn": `arn:${partition(p)}:cloudwatch:${region ?? p.region}:${account(p)}:alarm:pipeline-stream-silent`,
    });
  const bucket =
    (arn: (p: NotificationsKeyPolicies) => string, account: (p: NotificationsKeyPolicies) => string) =>
    (p: NotificationsKeyPolicies) => ({
      "aws:SourceAccount": account(p),
      "aws:SourceArn": arn(p),
    });
  const own = (p: NotificationsKeyPolicies) => p.accountId;
  const other = () => outsider;
  const archive = (p: NotificationsKeyPolicies) => p.arns.bucket;
  const otherBucket = (p: NotificationsKeyPolicies) => `arn:${partition(p)}:s3:::someone-elses-bucket`;
  const none = () => ({});
  const cloudwatch = "cloudwatch.amazonaws.com";
  const s3 = "s3.amazonaws.com";
  return [
    {
      rule: "CloudWatch may generate data keys with the notifications key for this account's alarms",
      expected: "Allowed",
      simulation: useKey(cloudwatch, alarm(own)),
    },
    {
      rule: "CloudWatch may decrypt with the notifications key for this account's alarms",
      expected: "Allowed",
      simulation: useKey(cloudwatch, alarm(own), "kms:Decrypt"),
    },
    {
      rule: "S3 may generate data keys with the notifications key for the archive bucket",
      expected: "Allowed",
      simulation: useKey(s3, bucket(archive, own)),
    },
    {
      rule: "S3 may decrypt with the notifications key for the archive bucket",
      expected: "Allowed",
      simulation: useKey(s3, bucket(archive, own), "kms:Decrypt"),
    },
    {
      rule: "CloudWatch cannot use the notifications key for another account's alarm",
      expected: "Denied",
      simulation: useKey(cloudwatch, alarm(other)),
    },
    {
      rule: "CloudWatch cannot use the notifications key for an alarm outside the home region",
      expected: "Denied",
      simulation: useKey(cloudwatch, alarm(own, "sa-east-1")),
    },
    {
      rule: "CloudWatch cannot use the notifications key without a source",
      expected: "Denied",
      simulation: useKey(cloudwatch, none),
    },
    {
      rule: "S3 cannot use the notifications key for another bucket",
      expected: "Denied",
      simulation: useKey(s3, bucket(otherBucket, own)),
    },
    {
      rule: "S3 cannot use the notifications key for the archive bucket's name in another account",
      expected: "Denied",
      simulation: useKey(s3, bucket(archive, other)),
    },
    {
      rule: "S3 cannot use the notifications key without a source",
      expected: "Denied",
      simulation: useKey(s3, none),
    },
    {
      rule: "S3 cannot use the notifications key on behalf of an alarm",
      expected: "Denied",
      simulation: useKey(s3, alarm(own)),
    },
    {
      rule: "CloudWatch cannot use the notifications key on behalf of the archive bucket",
      expected: "Denied",
      simulation: useKey(cloudwatch, bucket(archive, own)),
    },
    {
      rule: "S3 cannot encrypt directly with the notifications key, even for the archive bucket",
      expected: "Denied",
      simulation: useKey(s3, bucket(archive, own), "kms:Encrypt"),
    },
  ];
}

/** The replay identity's policy (lib/replay.ts, `npm run replay -- --print-policy`) and the names it is about. */
export interface ReplayPolicies {
  readonly accountId: string;
  readonly region: string;
  readonly bucketArn: string;
  readonly keyArn: string;
  readonly keyAlias: string;
  readonly identity: Policy;
  /** The archive key's policy, as synthesized: KMS needs the key policy to allow too (it delegates to IAM through the account root). */
  readonly keyPolicy: Policy;
}

/**
 * Rows for `npm run replay`'s identity: it may list the error and events
 * prefixes, read error objects, write events objects and use the archive key
 * through S3 for the archive bucket; it may not delete objects or versions,
 * write outside events/, read source/ or anything else, or change the bucket.
 */
export function replayRows(): Row<ReplayPolicies>[] {
  const principal = (p: ReplayPolicies) => `arn:aws:iam::${p.accountId}:role/seclog-replay`;
  const s3 =
    (
      action: string,
      resource: (p: ReplayPolicies) => string,
      context: Record<string, string | string[]> = {},
    ) =>
    (p: ReplayPolicies) =>
      request({
        principal: principal(p),
        action,
        resource: resource(p),
        resourceAccount: p.accountId,
        identity: p.identity,
        context,
      });
  const object = (key: string) => (p: ReplayPolicies) => `${p.bucketArn}/${key}`;
  const bucket = (p: ReplayPolicies) => p.bucketArn;
  const kms =
    (action: string, context: (p: ReplayPolicies) => Record<string, string | string[]>) =>
    (p: ReplayPolicies) =>
      request({
        principal: principal(p),
        action,
        resource: p.keyArn,
        resourceAccount: p.accountId,
        identity: p.identity,
        resourcePolicy: p.keyPolicy,
        context: context(p),
      });
  const throughS3 = (p: ReplayPolicies, overrides: Record<string, string | string[]> = {}) => ({
    "kms:ViaService": `s3.${p.region}.amazonaws.com`,
    "kms:ResourceAliases": [p.keyAlias],
    "kms:EncryptionContext:aws:s3:arn": p.bucketArn,
    ...overrides,
  });
  const errorObject =
    "errors/processing-failed/2026/11/27/06/secops-security-logs-1-2026-11-27-06-00-00-0a1b";
  const eventsObject =
    "events/2026/11/27/06/account=222222222222/logGroup=!var!log!secure/replay-0123abcd.ndjson.gz";
  return [
    {
      rule: "replay may list the processing-failed error objects",
      expected: "Allowed",
      simulation: s3("s3:ListBucket", bucket, { "s3:prefix": "errors/processing-failed/" }),
    },
    {
      rule: "replay may list the exact events key it is about to write",
      expected: "Allowed",
      simulation: s3("s3:ListBucket", bucket, { "s3:prefix": eventsObject }),
    },
    {
      rule: "replay may read an error object",
      expected: "Allowed",
      simulation: s3("s3:GetObject", object(errorObject)),
    },
    {
      rule: "replay may write an events object",
      expected: "Allowed",
      simulation: s3("s3:PutObject", object(eventsObject)),
    },
    {
      rule: "replay may decrypt with the archive key through S3 for the archive bucket",
      expected: "Allowed",
      simulation: kms("kms:Decrypt", (p) => throughS3(p)),
    },
    {
      rule: "replay may generate data keys with the archive key through S3 for the archive bucket",
      expected: "Allowed",
      simulation: kms("kms:GenerateDataKey", (p) => throughS3(p)),
    },
    {
      rule: "replay may use the archive key for an object's own encryption context (no bucket key)",
      expected: "Allowed",
      simulation: kms("kms:Decrypt", (p) =>
        throughS3(p, { "kms:EncryptionContext:aws:s3:arn": `${p.bucketArn}/${errorObject}` }),
      ),
    },
    {
      rule: "replay cannot list the rest of the bucket",
      expected: "Denied",
      simulation: s3("s3:ListBucket", bucket, { "s3:prefix": "source/" }),
    },
    {
      rule: "replay cannot list without a prefix",
      expected: "Denied",
      simulation: s3("s3:ListBucket", bucket),
    },
    {
      rule: "replay cannot delete an error object",
      expected: "Denied",
      simulation: s3("s3:DeleteObject", object(errorObject)),
    },
    {
      rule: "replay cannot delete an events object",
      expected: "Denied",
      simulation: s3("s3:DeleteObject", object(eventsObject)),
    },
    {
      rule: "replay cannot delete an object version",
      expected: "Denied",
      simulation: s3("s3:DeleteObjectVersion", object(eventsObject)),
    },
    {
      rule: "replay cannot shorten an object's retention",
      expected: "Denied",
      simulation: s3("s3:PutObjectRetention", object(eventsObject)),
    },
    {
      rule: "replay cannot bypass governance retention",
      expected: "Denied",
      simulation: s3("s3:BypassGovernanceRetention", object(eventsObject)),
    },
    {
      rule: "replay cannot write outside events/: errors/",
      expected: "Denied",
      simulation: s3("s3:PutObject", object(errorObject)),
    },
    {
      rule: "replay cannot write outside events/: source/",
      expected: "Denied",
      simulation: s3("s3:PutObject", object("source/2026/11/27/06/x")),
    },
    {
      rule: "replay cannot write outside events/: raw/",
      expected: "Denied",
      simulation: s3("s3:PutObject", object("raw/2026/11/27/06/x.gz")),
    },
    {
      rule: "replay cannot read source/",
      expected: "Denied",
      simulation: s3("s3:GetObject", object("source/2026/11/27/06/x")),
    },
    {
      rule: "replay cannot read events/",
      expected: "Denied",
      simulation: s3("s3:GetObject", object(eventsObject)),
    },
    {
      rule: "replay cannot read other error output (format conversion, source backup)",
      expected: "Denied",
      simulation: s3("s3:GetObject", object("errors/source-backup/x")),
    },
    {
      rule: "replay cannot read another bucket",
      expected: "Denied",
      simulation: s3("s3:GetObject", () => `arn:aws:s3:::someone-elses-bucket/${errorObject}`),
    },
    {
      rule: "replay cannot change the archive's lifecycle",
      expected: "Denied",
      simulation: s3("s3:PutLifecycleConfiguration", bucket),
    },
    {
      rule: "replay cannot change the bucket policy",
      expected: "Denied",
      simulation: s3("s3:PutBucketPolicy", bucket),
    },
    {
      rule: "replay cannot change versioning",
      expected: "Denied",
      simulation: s3("s3:PutBucketVersioning", bucket),
    },
    {
      rule: "replay cannot change Object Lock",
      expected: "Denied",
      simulation: s3("s3:PutBucketObjectLockConfiguration", bucket),
    },
    {
      rule: "replay cannot use the archive key directly (not through S3)",
      expected: "Denied",
      simulation: kms("kms:Decrypt", (p) =>
        throughS3(p, { "kms:ViaService": `lambda.${p.region}.amazonaws.com` }),
      ),
    },
    {
      rule: "replay cannot use the archive key through S3 for another bucket",
      expected: "Denied",
      simulation: kms("kms:Decrypt", (p) =>
        throughS3(p, { "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::someone-elses-bucket" }),
      ),
    },
    {
      rule: "replay cannot use another key of the account through S3",
      expected: "Denied",
      simulation: kms("kms:Decrypt", (p) => throughS3(p, { "kms:ResourceAliases": ["alias/secops-stream"] })),
    },
    {
      rule: "replay cannot encrypt with the archive key",
      expected: "Denied",
      simulation: kms("kms:Encrypt", (p) => throughS3(p)),
    },
    {
      rule: "replay cannot schedule the archive key's deletion",
      expected: "Denied",
      simulation: kms("kms:ScheduleKeyDeletion", (p) => throughS3(p)),
    },
  ];
}

/** A bucket and the key that encrypts it (SSE-KMS), with the key's policy as synthesized. */
export interface KeyedBucket {
  readonly bucketArn: string;
  readonly keyArn: string;
  readonly keyPolicy: Policy;
}

/**
 * The analyst role's two policies as synthesized, every reference resolved to
 * the ARN AWS would give (lib/policies/analyst.ts), and the resources they are about.
 */
export interface AnalystPolicies {
  readonly accountId: string;
  readonly region: string;
  /** `<prefix>-security-logs-analyst`. */
  readonly roleArn: string;
  readonly workgroupName: string;
  readonly databaseName: string;
  readonly archive: KeyedBucket;
  readonly results: KeyedBucket;
  /** A key the role must not use: the stream's. */
  readonly streamKey: { readonly keyArn: string; readonly keyPolicy: Policy };
  readonly permissions: Policy;
  readonly trust: Policy;
}

/**
 * Rows for the analyst role (search.analystPrincipals): exactly the listed
 * principals may assume it; it may run queries in the search workgroup, read
 * the three events tables, read `events/` of the archive, read and write query
 * results, and use the two keys only through S3 (the archive key only to
 * decrypt). It may not change the workgroup, its saved hunts or the catalog,
 * read `errors/`, `source/` or `raw/`, write or delete in the archive, delete
 * results, read another bucket, or use a key directly.
 */
export function analystRows(ids: {
  /** search.analystPrincipals of the config under test. */
  readonly listed: readonly string[];
  /** Another role of a listed principal's account. */
  readonly otherRole: string;
  /** A listed principal's account root. */
  readonly accountRoot: string;
  /** A role of an unlisted account with a listed role's name. */
  readonly sameNameElsewhere: string;
  /** A session of a listed role: its sts assumed-role ARN, and the role's. */
  readonly session: { readonly arn: string; readonly roleArn: string };
  /** A listed principal in the role's own account. */
  readonly sameAccountListed: string;
}): Row<AnalystPolicies>[] {
  const asAnalyst =
    (
      action: string,
      resource: (p: AnalystPolicies) => string,
      context: (p: AnalystPolicies) => Record<string, string | string[]> = () => ({}),
      resourcePolicy?: (p: AnalystPolicies) => Policy,
    ) =>
    (p: AnalystPolicies) =>
      request({
        principal: p.roleArn,
        action,
        resource: resource(p),
        resourceAccount: p.accountId,
        identity: p.permissions,
        resourcePolicy: resourcePolicy?.(p),
        context: context(p),
      });
  const workgroup =
    (name?: string) =>
    (p: AnalystPolicies): string =>
      `arn:aws:athena:${p.region}:${p.accountId}:workgroup/${name ?? p.workgroupName}`;
  const glue = (p: AnalystPolicies, path: string) => `arn:aws:glue:${p.region}:${p.accountId}:${path}`;
  const table = (name: string, database?: string) => (p: AnalystPolicies) =>
    glue(p, `table/${database ?? p.databaseName}/${name}`);
  const archiveObject = (key: string) => (p: AnalystPolicies) => `${p.archive.bucketArn}/${key}`;
  const archiveBucket = (p: AnalystPolicies) => p.archive.bucketArn;
  const resultObject = (p: AnalystPolicies) => `${p.results.bucketArn}/${RESULT_KEY}`;
  const listArchive = (prefix?: string) => (p: AnalystPolicies) =>
    asAnalyst("s3:ListBucket", archiveBucket, (): Record<string, string> =>
      prefix === undefined ? {} : { "s3:prefix": prefix },
    )(p);
  /** What S3 puts in the request context when it calls KMS for an object of `bucketArn` (bucket key on). */
  const via =
    (service: "s3" | "kinesis", bucketArn: (p: AnalystPolicies) => string) => (p: AnalystPolicies) => ({
      "kms:ViaService": `${service}.${p.region}.amazonaws.com`,
      "kms:CallerAccount": p.accountId,
      "kms:EncryptionContext:aws:s3:arn": bucketArn(p),
    });
  const direct = (p: AnalystPolicies) => ({ "kms:CallerAccount": p.accountId });
  const kms = (
    action: string,
    key: (p: AnalystPolicies) => { readonly keyArn: string; readonly keyPolicy: Policy },
    context: (p: AnalystPolicies) => Record<string, string | string[]>,
  ) =>
    asAnalyst(
      action,
      (p) => key(p).keyArn,
      context,
      (p) => key(p).keyPolicy,
    );
  const archiveKey = (p: AnalystPolicies) => p.archive;
  const resultsKey = (p: AnalystPolicies) => p.results;
  const streamKey = (p: AnalystPolicies) => p.streamKey;
  const resultsBucket = (p: AnalystPolicies) => p.results.bucketArn;
  /** The principal's own side: in its account, a policy that lets it call sts:AssumeRole on the role (cross-account, and for an account principal, AWS needs both). */
  const assume =
    (principal: string, options: { principalArn?: string; mayAssume?: boolean } = {}) =>
    (p: AnalystPolicies) =>
      request({
        principal,
        action: "sts:AssumeRole",
        resource: p.roleArn,
        resourceAccount: p.accountId,
        identity:
          options.mayAssume === false
            ? undefined
            : {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: p.roleArn }],
              },
        resourcePolicy: p.trust,
        context: { "aws:PrincipalArn": options.principalArn ?? principal },
      });
  const eventsKey =
    "events/2026/12/01/10/account=222222222222/logGroup=!var!log!secure/secops-security-logs-1-2026-12-01-10-00-00-ab.ndjson.gz";
  return [
    ...ids.listed.map((principal): Row<AnalystPolicies> => ({
      rule: `the listed principal ${principal} may assume the role`,
      expected: "Allowed",
      simulation: assume(principal),
    })),
    {
      rule: "a session of a listed role may assume the role (aws:PrincipalArn is the role's ARN)",
      expected: "Allowed",
      simulation: assume(ids.session.arn, { principalArn: ids.session.roleArn }),
    },
    {
      rule: "a listed principal of the role's own account still needs its own sts:AssumeRole permission (the trust names the account)",
      expected: "Denied",
      simulation: assume(ids.sameAccountListed, { mayAssume: false }),
    },
    {
      rule: "another role of a listed principal's account cannot assume the role",
      expected: "Denied",
      simulation: assume(ids.otherRole),
    },
    {
      rule: "the account root of a listed principal's account cannot assume the role",
      expected: "Denied",
      simulation: assume(ids.accountRoot),
    },
    {
      rule: "a role of an unlisted account with a listed role's name cannot assume the role",
      expected: "Denied",
      simulation: assume(ids.sameNameElsewhere),
    },
    ...(
      [
        "athena:StartQueryExecution",
        "athena:GetQueryExecution",
        "athena:GetQueryResults",
        "athena:StopQueryExecution",
        "athena:GetNamedQuery",
        "athena:ListNamedQueries",
      ] as const
    ).map((action): Row<AnalystPolicies> => ({
      rule: `the analyst may call ${action} in the search workgroup`,
      expected: "Allowed",
      simulation: asAnalyst(action, workgroup()),
    })),
    {
      rule: "the analyst cannot run queries in another workgroup (primary)",
      expected: "Denied",
      simulation: asAnalyst("athena:StartQueryExecution", workgroup("primary")),
    },
    ...(
      [
        "athena:DeleteWorkGroup",
        "athena:UpdateWorkGroup",
        "athena:CreateNamedQuery",
        "athena:DeleteNamedQuery",
      ] as const
    ).map((action): Row<AnalystPolicies> => ({
      rule: `the analyst cannot call ${action} on the search workgroup`,
      expected: "Denied",
      simulation: asAnalyst(action, workgroup()),
    })),
    ...(["events", "events_by_account", "events_by_log_group"] as const).map(
      (name): Row<AnalystPolicies> => ({
        rule: `the analyst may read the table ${name}`,
        expected: "Allowed",
        simulation: asAnalyst("glue:GetTable", table(name)),
      }),
    ),
    {
      rule: "the analyst may read the search database",
      expected: "Allowed",
      simulation: asAnalyst("glue:GetDatabase", (p) => glue(p, `database/${p.databaseName}`)),
    },
    {
      rule: "the analyst cannot read another table of the search database",
      expected: "Denied",
      simulation: asAnalyst("glue:GetTable", table("cloudtrail")),
    },
    {
      rule: "the analyst cannot read a table of another database",
      expected: "Denied",
      simulation: asAnalyst("glue:GetTable", table("events", "sales")),
    },
    {
      rule: "the analyst cannot read another database",
      expected: "Denied",
      simulation: asAnalyst("glue:GetDatabase", (p) => glue(p, "database/sales")),
    },
    ...(["glue:UpdateTable", "glue:DeleteTable", "glue:CreateTable"] as const).map(
      (action): Row<AnalystPolicies> => ({
        rule: `the analyst cannot change the catalog: ${action}`,
        expected: "Denied",
        simulation: asAnalyst(action, table("events")),
      }),
    ),
    {
      rule: "the analyst may read an events object",
      expected: "Allowed",
      simulation: asAnalyst("s3:GetObject", archiveObject(eventsKey)),
    },
    {
      rule: "the analyst may list one delivery hour of events/ (what Athena lists for a projected partition)",
      expected: "Allowed",
      simulation: listArchive("events/2026/12/01/10/"),
    },
    {
      rule: "the analyst may locate the archive bucket",
      expected: "Allowed",
      simulation: asAnalyst("s3:GetBucketLocation", archiveBucket),
    },
    {
      rule: "the analyst cannot read errors/",
      expected: "Denied",
      simulation: asAnalyst(
        "s3:GetObject",
        archiveObject("errors/processing-failed/2026/12/01/10/secops-security-logs-1-2026-12-01-10-00-00-ab"),
      ),
    },
    {
      rule: "the analyst cannot read source/",
      expected: "Denied",
      simulation: asAnalyst(
        "s3:GetObject",
        archiveObject("source/2026/12/01/10/secops-security-logs-1-2026-12-01-10-00-00-ab.gz"),
      ),
    },
    {
      rule: "the analyst cannot read raw/",
      expected: "Denied",
      simulation: asAnalyst(
        "s3:GetObject",
        archiveObject("raw/2026/12/01/10/secops-security-logs-1-2026-12-01-10-00-00-ab.gz"),
      ),
    },
    {
      rule: "the analyst cannot list errors/",
      expected: "Denied",
      simulation: listArchive("errors/"),
    },
    {
      rule: "the analyst cannot list the archive without a prefix",
      expected: "Denied",
      simulation: listArchive(),
    },
    ...(["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectRetention"] as const).map(
      (action): Row<AnalystPolicies> => ({
        rule: `the analyst cannot ${action} in the archive's events/`,
        expected: "Denied",
        simulation: asAnalyst(action, archiveObject(eventsKey)),
      }),
    ),
    ...(["s3:PutBucketPolicy", "s3:PutLifecycleConfiguration"] as const).map(
      (action): Row<AnalystPolicies> => ({
        rule: `the analyst cannot ${action} on the archive`,
        expected: "Denied",
        simulation: asAnalyst(action, archiveBucket),
      }),
    ),
    {
      rule: "the analyst cannot read another bucket",
      expected: "Denied",
      simulation: asAnalyst("s3:GetObject", () => `arn:aws:s3:::someone-elses-bucket/${eventsKey}`),
    },
    {
      rule: "the analyst may write a query result",
      expected: "Allowed",
      simulation: asAnalyst("s3:PutObject", resultObject),
    },
    {
      rule: "the analyst may read a query result",
      expected: "Allowed",
      simulation: asAnalyst("s3:GetObject", resultObject),
    },
    {
      rule: "the analyst may list the results bucket",
      expected: "Allowed",
      simulation: asAnalyst("s3:ListBucket", resultsBucket),
    },
    {
      rule: "the analyst cannot delete a query result",
      expected: "Denied",
      simulation: asAnalyst("s3:DeleteObject", resultObject),
    },
    {
      rule: "the analyst may decrypt with the archive key through S3 (reading events/)",
      expected: "Allowed",
      simulation: kms("kms:Decrypt", archiveKey, via("s3", archiveBucket)),
    },
    {
      rule: "the analyst may generate data keys with the results key through S3 (writing results)",
      expected: "Allowed",
      simulation: kms("kms:GenerateDataKey", resultsKey, via("s3", resultsBucket)),
    },
    {
      rule: "the analyst may decrypt with the results key through S3 (reading results)",
      expected: "Allowed",
      simulation: kms("kms:Decrypt", resultsKey, via("s3", resultsBucket)),
    },
    {
      rule: "the analyst cannot decrypt with the archive key directly",
      expected: "Denied",
      simulation: kms("kms:Decrypt", archiveKey, direct),
    },
    {
      rule: "the analyst cannot decrypt with the archive key through Kinesis",
      expected: "Denied",
      simulation: kms("kms:Decrypt", archiveKey, via("kinesis", archiveBucket)),
    },
    {
      rule: "the analyst cannot generate data keys with the archive key, even through S3",
      expected: "Denied",
      simulation: kms("kms:GenerateDataKey", archiveKey, via("s3", archiveBucket)),
    },
    {
      rule: "the analyst cannot encrypt with the archive key, even through S3",
      expected: "Denied",
      simulation: kms("kms:Encrypt", archiveKey, via("s3", archiveBucket)),
    },
    {
      rule: "the analyst cannot decrypt with the stream key",
      expected: "Denied",
      simulation: kms("kms:Decrypt", streamKey, via("s3", archiveBucket)),
    },
  ];
}

/** An Athena result object: `<output location><query execution id>.csv`. */
const RESULT_KEY = "0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0.csv";
