import { parseConfig } from "../lib/config/load";
import { policySize } from "../lib/iam/policy";
import {
  ARCHIVE_BUCKET_ACTIONS,
  ARCHIVE_OBJECT_ACTIONS,
  KEY_ACTIONS,
  PIPELINE_ACTIONS,
  ROLE_ACTIONS,
  securityAccountScp,
} from "../lib/scp";
import { run } from "../scripts/scp";
import { baseConfig, SECURITY_ACCOUNT } from "./support/fixtures";
import { request, Row, simulateRows } from "./support/iam-rows";
import { Policy } from "./support/planned-policies";
import { policyOf, resourcesOf, synthStacks } from "./support/synth";

const config = parseConfig(baseConfig(), "base.json");
const EXEMPT = ["seclog-break-glass", "terraform-deploy"];
const scp = securityAccountScp(config, { exemptRoleNames: EXEMPT });

const BUCKET = `arn:aws:s3:::secops-security-logs-${SECURITY_ACCOUNT}`;
const KEY = `arn:aws:kms:us-east-1:${SECURITY_ACCOUNT}:key/0a1b2c3d-0000-4000-8000-000000000001`;
const DESTINATION = (region: string) =>
  `arn:aws:logs:${region}:${SECURITY_ACCOUNT}:destination:secops-security-logs`;
const STREAM = `arn:aws:kinesis:us-east-1:${SECURITY_ACCOUNT}:stream/secops-security-logs`;
const DELIVERY = `arn:aws:firehose:us-east-1:${SECURITY_ACCOUNT}:deliverystream/secops-security-logs`;
const PROCESSOR = `arn:aws:lambda:us-east-1:${SECURITY_ACCOUNT}:function:secops-logs-processor`;
const ROLE = (name: string) => `arn:aws:iam::${SECURITY_ACCOUNT}:role/${name}`;
const UNLESS = { ArnNotLike: { "aws:PrincipalArn": EXEMPT.map(ROLE) } };

describe("the security account's SCP (npm run scp)", () => {
  test("exactly: five denies on the pipeline's own resources, each lifted for the exempt roles only", () => {
    expect(scp).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ProtectArchiveBucket",
          Effect: "Deny",
          Action: [
            "s3:DeleteBucket",
            "s3:DeleteBucketPolicy",
            "s3:PutBucketObjectLockConfiguration",
            "s3:PutBucketOwnershipControls",
            "s3:PutBucketPolicy",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutBucketVersioning",
            "s3:PutEncryptionConfiguration",
            "s3:PutLifecycleConfiguration",
            "s3:PutReplicationConfiguration",
          ],
          Resource: [BUCKET],
          Condition: UNLESS,
        },
        {
          Sid: "ProtectArchiveObjects",
          Effect: "Deny",
          Action: [
            "s3:BypassGovernanceRetention",
            "s3:DeleteObjectVersion",
            "s3:PutObjectLegalHold",
            "s3:PutObjectRetention",
          ],
          Resource: [`${BUCKET}/*`],
          Condition: UNLESS,
        },
        {
          Sid: "ProtectKeys",
          Effect: "Deny",
          Action: ["kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
          Resource: [`arn:aws:kms:us-east-1:${SECURITY_ACCOUNT}:key/*`],
          Condition: {
            ...UNLESS,
            "ForAnyValue:StringEquals": {
              "kms:ResourceAliases": [
                "alias/secops-archive",
                "alias/secops-stream",
                "alias/secops-search-results",
              ],
            },
          },
        },
        {
          Sid: "ProtectPipeline",
          Effect: "Deny",
          Action: [
            "firehose:DeleteDeliveryStream",
            "firehose:StopDeliveryStreamEncryption",
            "firehose:UpdateDestination",
            "kinesis:DecreaseStreamRetentionPeriod",
            "kinesis:DeleteStream",
            "kinesis:StopStreamEncryption",
            "lambda:DeleteFunction",
            "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration",
            "logs:DeleteDestination",
            "logs:PutDestination",
            "logs:PutDestinationPolicy",
          ],
          Resource: [
            DESTINATION("eu-west-1"),
            DESTINATION("us-east-1"),
            STREAM,
            DELIVERY,
            PROCESSOR,
            `${PROCESSOR}:*`,
          ],
          Condition: UNLESS,
        },
        {
          Sid: "ProtectPipelineRoles",
          Effect: "Deny",
          Action: [
            "iam:AttachRolePolicy",
            "iam:DeleteRole",
            "iam:DeleteRolePolicy",
            "iam:DetachRolePolicy",
            "iam:PutRolePolicy",
            "iam:UpdateAssumeRolePolicy",
          ],
          Resource: [ROLE("secops-logs-destination"), ROLE("secops-logs-firehose")],
          Condition: UNLESS,
        },
      ],
    });
  });

  test("raw format: no processor to protect", () => {
    const raw = baseConfig();
    raw.delivery = { format: "raw" };
    const pipeline = securityAccountScp(parseConfig(raw, "raw.json"), { exemptRoleNames: EXEMPT })
      .Statement[3];
    // The raw format's delivery stream has its own name (lib/naming.ts: both formats can exist during a switch).
    expect(pipeline.Resource).toEqual([
      DESTINATION("eu-west-1"),
      DESTINATION("us-east-1"),
      STREAM,
      `${DELIVERY}-raw`,
    ]);
  });

  test("size: the example fits with room to spare; a policy over 5,120 bytes is refused", () => {
    expect(policySize(scp)).toBeLessThan(3500);
    const many = Array.from({ length: 40 }, (_, i) => `break-glass-role-number-${i}`);
    expect(() => securityAccountScp(config, { exemptRoleNames: many })).toThrow(
      /^the SCP would be \d+ bytes, over the 5120 AWS allows$/,
    );
  });
});

interface ScpPolicies {
  readonly scp: Policy;
  readonly keyPolicy: Policy;
}

/** An administrator (Allow * on *) of the security account, under the SCP attached at the root. */
function underScp(
  principal: string,
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
) {
  return (p: ScpPolicies) => {
    const simulation = request({
      principal,
      action,
      resource,
      resourceAccount: SECURITY_ACCOUNT,
      identity: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
      // AWS puts the caller's ARN (the role's, for an assumed-role session) in every request; the simulator needs it given.
      context: { "aws:PrincipalArn": principal, ...context },
      // A KMS request needs the key policy too: the archive key's, as synthesized (it delegates to IAM).
      ...(resource.includes(":kms:") ? { resourcePolicy: p.keyPolicy } : {}),
    });
    const full = {
      name: "FullAWSAccess",
      policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
    };
    return {
      ...simulation,
      serviceControlPolicies: [
        { orgIdentifier: "r-root", policies: [full, { name: "seclog", policy: p.scp }] },
        { orgIdentifier: SECURITY_ACCOUNT, policies: [full] },
      ],
    };
  };
}

const ADMIN = ROLE("Admin");
const ROOT = `arn:aws:iam::${SECURITY_ACCOUNT}:root`;
const BREAK_GLASS = ROLE("seclog-break-glass");
const ALIASES = { "kms:ResourceAliases": ["alias/secops-archive"] };

/** Each denied action with the resource it acts on. */
const GUARDED: Array<[string, string, Record<string, string | string[]>?]> = [
  ...ARCHIVE_BUCKET_ACTIONS.map((a): [string, string] => [a, BUCKET]),
  ...ARCHIVE_OBJECT_ACTIONS.map((a): [string, string] => [a, `${BUCKET}/events/2026/12/01/11/x.ndjson.gz`]),
  ...KEY_ACTIONS.map((a): [string, string, Record<string, string[]>] => [a, KEY, ALIASES]),
  ...PIPELINE_ACTIONS.map((a): [string, string] => {
    const resource = a.startsWith("logs:")
      ? DESTINATION("eu-west-1")
      : a.startsWith("kinesis:")
        ? STREAM
        : a.startsWith("firehose:")
          ? DELIVERY
          : PROCESSOR;
    return [a, resource];
  }),
  ...ROLE_ACTIONS.map((a): [string, string] => [a, ROLE("secops-logs-firehose")]),
];

const ROWS: Row<ScpPolicies>[] = [
  ...GUARDED.map(([action, resource, context]) => ({
    rule: `an administrator cannot ${action} on ${resource.split(":").slice(-1)[0]}`,
    expected: "ExplicitlyDenied" as const,
    simulation: underScp(ADMIN, action, resource, context),
  })),
  ...GUARDED.map(([action, resource, context]) => ({
    rule: `the break-glass role can ${action}`,
    expected: "Allowed" as const,
    simulation: underScp(BREAK_GLASS, action, resource, context),
  })),
  {
    rule: "the account root user cannot schedule the archive key's deletion",
    expected: "ExplicitlyDenied",
    simulation: underScp(ROOT, "kms:ScheduleKeyDeletion", KEY, ALIASES),
  },
  {
    rule: "a role named like the break-glass role in another account is not exempt",
    expected: "ExplicitlyDenied",
    simulation: underScp("arn:aws:iam::999999999999:role/seclog-break-glass", "s3:PutBucketPolicy", BUCKET),
  },
  {
    rule: "the pipeline keeps working: Firehose's role may still write objects",
    expected: "Allowed",
    simulation: underScp(ROLE("secops-logs-firehose"), "s3:PutObject", `${BUCKET}/events/x`),
  },
  {
    rule: "an administrator may still change another bucket's policy",
    expected: "Allowed",
    simulation: underScp(ADMIN, "s3:PutBucketPolicy", "arn:aws:s3:::team-scratch"),
  },
  {
    rule: "an administrator may still disable a key that carries none of the pipeline's aliases",
    expected: "Allowed",
    simulation: underScp(ADMIN, "kms:DisableKey", KEY, { "kms:ResourceAliases": ["alias/team"] }),
  },
  {
    rule: "an administrator may still decrypt with the archive key (reading evidence is not destroying it)",
    expected: "Allowed",
    simulation: underScp(ADMIN, "kms:Decrypt", KEY, ALIASES),
  },
];

describe("IAM simulation with the SCP attached", () => {
  const keyPolicy = policyOf(
    resourcesOf(synthStacks(baseConfig()).security, "aws_kms_key").find(([id]) =>
      id.startsWith("ArchiveKey"),
    )![1].policy,
  ) as Policy;
  simulateRows("%s", ROWS, { scp: scp as unknown as Policy, keyPolicy });
});

describe("the command line", () => {
  const invoke = (argv: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = run(
      argv,
      { SECLOG_CONFIG: "config/example.yaml" },
      {
        stdout: { write: (s: string) => ((stdout += s), true) },
        stderr: { write: (s: string) => ((stderr += s), true) },
      },
    );
    return { code, stdout, stderr };
  };

  test("prints the policy for the exempt roles", () => {
    const { code, stdout } = invoke(["--exempt-role", "seclog-break-glass"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).Statement[0].Condition).toEqual({
      ArnNotLike: { "aws:PrincipalArn": ["arn:aws:iam::111111111111:role/seclog-break-glass"] },
    });
  });

  test("no exempt role, or a name IAM would refuse: exit 2", () => {
    expect(invoke([])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        "--exempt-role is required: without an exempt role nobody could ever change these resources",
      ),
    });
    expect(invoke(["--exempt-role", "bad/name"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        '--exempt-role must be an IAM role name (at most 64 of letters, digits and +=,.@_-), got "bad/name"',
      ),
    });
    expect(invoke(["--exempt-role", "x".repeat(65)]).code).toBe(2);
    expect(invoke(["--exempt-role", "x".repeat(64)]).code).toBe(0);
  });
});
