import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseConfig } from "../lib/config/load";
import { ROLE_INLINE_POLICIES_MAX_CHARS, ROLE_TRUST_POLICY_MAX_CHARS } from "../lib/aws-limits";
import { PROVIDER_ACTIONS } from "../lib/iam/provider-actions";
import { namingOf } from "../lib/naming";
import {
  inventoryOf,
  NO_ROLE_CHAINING,
  runActions,
  runRolePermissions,
  StackInventory,
  UNSCOPED_ACTIONS,
  UNSCOPED_SID,
} from "../lib/policies/run-role";
import { fullConfig, PAYMENTS_ACCOUNT, SECURITY_ACCOUNT, WEB_ACCOUNT } from "./support/fixtures";
import { policyOf, resourcesOf, StackJson, synthStacks } from "./support/synth";
import { synthToDir } from "./support/synth-dir";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CredentialsStack } from "../stacks/credentials-stack";
import { RunIdentityProvider, RunRoles } from "../modules/run-credentials";

/**
 * `state.cloud.dynamicCredentials`: the `credentials` stack, in every account
 * a workspace deploys to, an IAM OIDC provider for the Terraform Cloud host
 * and a plan and an apply role per workload stack, trusted for exactly that
 * workspace and phase, allowed exactly the actions the AWS provider calls for
 * the resource types that stack synthesizes (lib/iam/provider-actions.ts).
 */

type Config = Record<string, any>;
type Stacks = Record<string, StackJson>;
type Phase = "plan" | "apply";

const VAULT_ACCOUNT = "444444444444";
const VAULT_DEPLOY_ROLE = `arn:aws:iam::${VAULT_ACCOUNT}:role/OrganizationAccountAccessRole`;
const SECURITY_DEPLOY_ROLE = `arn:aws:iam::${SECURITY_ACCOUNT}:role/OrganizationAccountAccessRole`;
const PAYMENTS_DEPLOY_ROLE = `arn:aws:iam::${PAYMENTS_ACCOUNT}:role/OrganizationAccountAccessRole`;
const WORKLOADS = ["vault", "security", "payments-prod", "web-prod"];
const ACCOUNTS: Record<string, string> = {
  vault: VAULT_ACCOUNT,
  security: SECURITY_ACCOUNT,
  "payments-prod": PAYMENTS_ACCOUNT,
  "web-prod": WEB_ACCOUNT,
};
const PHASES: Phase[] = ["plan", "apply"];
const TAGS = [{ tags: { owner: "security" } }];

/** The regions of each workload stack's providers, sorted: what `aws:RequestedRegion` is held to. */
const REGIONS: Record<string, string[]> = {
  vault: ["us-west-2"],
  // Every region an application account ships from (a destination in each), and the replica's
  // (us-west-2: its replication latency alarms and their topic, stacks/security-stack.ts).
  security: ["ap-southeast-2", "eu-west-1", "us-east-1", "us-west-2"],
  "payments-prod": ["eu-west-1", "us-east-1"],
  "web-prod": ["ap-southeast-2", "us-east-1"],
};

/** The last statement of every run-role policy, plan and apply: no run assumes another role. */
const NO_ROLE_CHAINING_STATEMENT = {
  Sid: "NoRoleChaining",
  Effect: "Deny",
  Action: ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"],
  Resource: "*",
};

/** A regional statement's condition: the stack's regions only. */
const inRegions = (regions: string[]) => ({
  Condition: { StringEquals: { "aws:RequestedRegion": regions } },
});

/** fullConfig (organization mode, roleArns) with a replica deployed through a role, state in Terraform Cloud. */
function cloudConfig(cloud: Record<string, unknown> = {}, config: Config = fullConfig()): Config {
  config.archive.replica = {
    accountId: VAULT_ACCOUNT,
    region: "us-west-2",
    objectLock: { mode: "COMPLIANCE", days: 365 },
    roleArn: VAULT_DEPLOY_ROLE,
  };
  config.state = {
    backend: "cloud",
    cloud: { organization: "acme", workspacePrefix: "seclog-", dynamicCredentials: true, ...cloud },
  };
  return config;
}

function lazy(document: () => Config): () => Stacks {
  let stacks: Stacks | undefined;
  return () => (stacks ??= synthStacks(document()));
}

const dynamic = lazy(() => cloudConfig());
const staticKeys = lazy(() => cloudConfig({ dynamicCredentials: false }));
const enterprise = lazy(() =>
  cloudConfig({ hostname: "tfe.example.com", audience: "tfe.example.com", project: "Security Logs" }),
);
const naming = namingOf(parseConfig(cloudConfig()));

/** A run role of the credentials stack by name, and the one inline policy attached to it. */
function runRole(stacks: Stacks, stack: string, phase: Phase) {
  const name = naming.runRoleName(stack, phase);
  const roles = resourcesOf(stacks.credentials, "aws_iam_role").filter(([, r]) => r.name === name);
  const policies = resourcesOf(stacks.credentials, "aws_iam_role_policy").filter(([, p]) =>
    roles.some(([id]) => p.role === `\${aws_iam_role.${id}.id}`),
  );
  if (roles.length !== 1 || policies.length !== 1)
    throw new Error(`${name}: ${roles.length} roles, ${policies.length} inline policies; expected one each`);
  return { role: roles[0][1], policy: policies[0][1], permissions: policyOf(policies[0][1].policy) };
}

/** A run role's trust, exactly: the account's OIDC provider, the audience, the one workspace and phase. */
function trust(
  account: string,
  stack: string,
  phase: Phase,
  tfc: { project?: string; host?: string; audience?: string } = {},
) {
  const { project = "Default Project", host = "app.terraform.io", audience = "aws.workload.identity" } = tfc;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "TerraformCloudRun",
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${host}` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${host}:aud`]: audience,
            [`${host}:sub`]: `organization:acme:project:${project}:workspace:seclog-${stack}:run_phase:${phase}`,
          },
        },
      },
    ],
  };
}

/** The actions a policy allows (its one Deny, NoRoleChaining, aside). */
const actionsOf = (policy: { Statement: Array<Record<string, any>> }): string[] =>
  policy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => [s.Action].flat());
const typesOf = (stack: StackJson): string[] => Object.keys(stack.resource);
const union = (types: string[], pick: (t: string) => readonly string[]): string[] =>
  [...new Set(types.flatMap(pick))].sort();
const regionsOf = (stack: StackJson): string[] =>
  [...new Set(stack.provider.aws.map((p) => p.region))].sort();
const namesOf = (stack: StackJson, type: string, attribute: string): string[] =>
  resourcesOf(stack, type)
    .map(([, r]) => r[attribute] as string)
    .sort();

describe("the credentials stack exists only with dynamicCredentials", () => {
  test("Terraform Cloud without dynamicCredentials, or an S3 backend: no credentials stack", () => {
    expect(Object.keys(staticKeys())).toEqual(WORKLOADS);
    expect(Object.keys(synthStacks(fullConfig()))).not.toContain("credentials");
  });

  test("with it, one more stack, with local state and the role ARNs as an output", () => {
    expect(Object.keys(dynamic()).sort()).toEqual([...WORKLOADS, "credentials"].sort());
    const stack = dynamic().credentials;
    expect(Object.keys(stack.terraform.backend)).toEqual(["local"]);
    expect(Object.keys(stack.output!.run_role_arns.value).sort()).toEqual([...WORKLOADS].sort());
  });

  test("the output names each stack's own plan and apply role, by the logical id of its phase", () => {
    const stack = dynamic().credentials;
    const roleId = (name: string, phase: Phase) => {
      const [[id]] = resourcesOf(stack, "aws_iam_role").filter(
        ([, r]) => r.name === naming.runRoleName(name, phase),
      );
      // Logical ids are a contract: the plan role lives under `Plan`, the apply role under `Apply`.
      expect(id.startsWith(`RunRoles_${name}_${phase === "plan" ? "Plan" : "Apply"}_Role_`)).toBe(true);
      return `\${aws_iam_role.${id}.arn}`;
    };
    expect(stack.output!.run_role_arns).toEqual({
      description: "per workspace stack, the roles its plan and apply runs assume",
      value: Object.fromEntries(
        WORKLOADS.map((name) => [name, { plan: roleId(name, "plan"), apply: roleId(name, "apply") }]),
      ),
    });
  });

  test("built directly without dynamicCredentials, or on another backend, the stack refuses", () => {
    const refused = "the credentials stack exists only with state.cloud.dynamicCredentials";
    const s3 = fullConfig();
    for (const document of [cloudConfig({ dynamicCredentials: false }), s3]) {
      const config = parseConfig(document);
      expect(() => new CredentialsStack(Testing.app(), config, namingOf(config), [])).toThrow(refused);
    }
  });
});

describe("credentials stack: one provider per account", () => {
  const provider = (alias: string, region: string, account: string, roleArn?: string) => ({
    alias,
    region,
    allowed_account_ids: [account],
    ...(roleArn && { assume_role: [{ role_arn: roleArn, session_name: "secops-seclog" }] }),
    default_tags: TAGS,
  });

  test("exactly: alias = stack name, the stack's home region, pinned, the configured role assumed", () => {
    // The home region: archive.replica.region, security.region, an account's first configured region.
    // Not the alphabetically first of the stack's regions: that would be ap-southeast-2 for security
    // and web-prod (configured us-east-1 first) and eu-west-1 for payments-prod (us-east-1 first).
    expect(dynamic().credentials.provider.aws).toEqual([
      provider("vault", "us-west-2", VAULT_ACCOUNT, VAULT_DEPLOY_ROLE),
      provider("security", "us-east-1", SECURITY_ACCOUNT, SECURITY_DEPLOY_ROLE),
      provider("payments_prod", "us-east-1", PAYMENTS_ACCOUNT, PAYMENTS_DEPLOY_ROLE),
      // web-prod configures no roleArn: the operator's own credentials.
      provider("web_prod", "us-east-1", WEB_ACCOUNT),
    ]);
  });

  test("the home regions follow the config: another replica and security region, regions listed in another order", () => {
    const config = cloudConfig();
    config.archive.replica.region = "ca-central-1";
    config.security.region = "eu-west-1";
    config.accounts[0].regions = ["eu-west-1", "us-east-1"];
    config.accounts[1].regions = ["us-east-2", "ap-southeast-2"];
    expect(synthStacks(config).credentials.provider.aws).toEqual([
      provider("vault", "ca-central-1", VAULT_ACCOUNT, VAULT_DEPLOY_ROLE),
      provider("security", "eu-west-1", SECURITY_ACCOUNT, SECURITY_DEPLOY_ROLE),
      provider("payments_prod", "eu-west-1", PAYMENTS_ACCOUNT, PAYMENTS_DEPLOY_ROLE),
      provider("web_prod", "us-east-2", WEB_ACCOUNT),
    ]);
  });
});

describe("OIDC providers", () => {
  test("one per account, exactly: the issuer URL and the audience as its only client id", () => {
    const providers = resourcesOf(dynamic().credentials, "aws_iam_openid_connect_provider").map(([, p]) => p);
    expect(providers).toHaveLength(4);
    expect(providers.map((p) => p.provider).sort()).toEqual(
      WORKLOADS.map((s) => `aws.${s.replace(/-/g, "_")}`).sort(),
    );
    for (const provider of providers)
      expect(provider).toEqual({
        provider: provider.provider,
        url: "https://app.terraform.io",
        client_id_list: ["aws.workload.identity"],
      });
  });

  test("a Terraform Enterprise hostname, audience and project reach the URL, the client id and the whole trust", () => {
    for (const [, provider] of resourcesOf(enterprise().credentials, "aws_iam_openid_connect_provider")) {
      expect(provider.url).toBe("https://tfe.example.com");
      expect(provider.client_id_list).toEqual(["tfe.example.com"]);
    }
    const tfe = { host: "tfe.example.com", audience: "tfe.example.com", project: "Security Logs" };
    for (const phase of PHASES)
      expect(policyOf(runRole(enterprise(), "web-prod", phase).role.assume_role_policy)).toEqual(
        trust(WEB_ACCOUNT, "web-prod", phase, tfe),
      );
  });
});

describe("run roles: names and trust", () => {
  const cases = WORKLOADS.flatMap((stack) => PHASES.map((phase): [string, Phase] => [stack, phase]));

  test("two roles per workload stack, none other", () => {
    expect(namesOf(dynamic().credentials, "aws_iam_role", "name")).toEqual(
      cases.map(([stack, phase]) => `secops-tfc-${stack}-${phase}`).sort(),
    );
  });

  test.each(cases)("%s %s: name, description, provider, exact trust (Default Project)", (stack, phase) => {
    const { role, policy } = runRole(dynamic(), stack, phase);
    expect(role.name).toBe(`secops-tfc-${stack}-${phase}`);
    expect(role.description).toBe(`Terraform Cloud ${phase} runs of the ${stack} workspace`);
    expect(role.provider).toBe(`aws.${stack.replace(/-/g, "_")}`);
    expect(policy.name).toBe(`${phase}-${stack}`);
    expect(policyOf(role.assume_role_policy)).toEqual(trust(ACCOUNTS[stack], stack, phase));
  });
});

describe("permissions derived from what each stack synthesizes", () => {
  const allRead = new Set(Object.values(PROVIDER_ACTIONS).flatMap((a) => a.read));
  const writeOnly = new Set(
    Object.values(PROVIDER_ACTIONS)
      .flatMap((a) => a.write)
      .filter((a) => !allRead.has(a)),
  );

  test.each(WORKLOADS)("%s: plan = the union of its types' read actions, apply = read and write", (name) => {
    const types = typesOf(dynamic()[name]);
    const read = union(types, (t) => PROVIDER_ACTIONS[t].read);
    const plan = actionsOf(runRole(dynamic(), name, "plan").permissions);
    const apply = actionsOf(runRole(dynamic(), name, "apply").permissions);
    expect([...plan].sort()).toEqual(read);
    expect([...apply].sort()).toEqual(
      union(types, (t) => [...PROVIDER_ACTIONS[t].read, ...PROVIDER_ACTIONS[t].write]),
    );
    // Each action once: in its service's statement, or in the unscoped one.
    expect(new Set(plan).size).toBe(plan.length);
    expect(new Set(apply).size).toBe(apply.length);
  });

  test.each(WORKLOADS)("%s: no plan action is one only a write calls", (name) => {
    expect(actionsOf(runRole(dynamic(), name, "plan").permissions).filter((a) => writeOnly.has(a))).toEqual(
      [],
    );
  });

  test.each(WORKLOADS.flatMap((s) => PHASES.map((p) => [s, p])))(
    "%s %s: each action in its service's statement, UNSCOPED_ACTIONS only in the one on *",
    (name, phase) => {
      const allowed = runRole(dynamic(), name, phase as Phase).permissions.Statement.filter(
        (s) => s.Effect === "Allow",
      );
      for (const { Sid, Action } of allowed)
        for (const action of [Action].flat() as string[]) {
          const service = new RegExp(`^${action.split(":")[0]}$`, "i");
          expect({ action, Sid }).toEqual({
            action,
            Sid: UNSCOPED_ACTIONS.has(action) ? UNSCOPED_SID : expect.stringMatching(service),
          });
        }
    },
  );

  test.each(WORKLOADS.flatMap((s) => PHASES.map((p) => [s, p])))(
    "%s %s: the only Deny is NoRoleChaining, the last statement",
    (name, phase) => {
      const statements = runRole(dynamic(), name, phase as Phase).permissions.Statement;
      expect(statements[statements.length - 1]).toEqual(NO_ROLE_CHAINING_STATEMENT);
      expect(statements.filter((s) => s.Effect !== "Allow")).toEqual([NO_ROLE_CHAINING_STATEMENT]);
    },
  );

  test.each(WORKLOADS)("%s: aws:RequestedRegion is held to the regions of its providers", (name) => {
    expect(regionsOf(dynamic()[name])).toEqual(REGIONS[name]);
  });

  /**
   * A stack's whole policy in one phase, as the behaviour specifies it: per
   * Sid its service's actions (UNSCOPED_ACTIONS aside) on the service's ARNs in
   * any region of the account, every regional statement (all but IAM and S3)
   * and the one on `*` held to the stack's regions, NoRoleChaining last.
   */
  function expectedPolicy(name: string, phase: Phase): Record<string, unknown> {
    const stack = dynamic()[name];
    const account = ACCOUNTS[name];
    const actions = union(typesOf(stack), (t) =>
      phase === "plan"
        ? PROVIDER_ACTIONS[t].read
        : [...PROVIDER_ACTIONS[t].read, ...PROVIDER_ACTIONS[t].write],
    );
    const keys = `arn:aws:kms:*:${account}:key/*`;
    const byService: Record<string, string[]> = {
      S3: namesOf(stack, "aws_s3_bucket", "bucket").map((b) => `arn:aws:s3:::${b}`),
      IAM: namesOf(stack, "aws_iam_role", "name").map((n) => `arn:aws:iam::${account}:role/${n}`),
      KMS: [keys, ...namesOf(stack, "aws_kms_alias", "name").map((n) => `arn:aws:kms:*:${account}:${n}`)],
      // StartStreamEncryption is authorized on the stream's key too.
      Kinesis: [`arn:aws:kinesis:*:${account}:*`, keys],
    };
    const statement = (sid: string) => {
      if (sid === UNSCOPED_SID)
        return {
          Sid: sid,
          Effect: "Allow",
          Action: actions.filter((a) => UNSCOPED_ACTIONS.has(a)),
          Resource: "*",
          ...inRegions(REGIONS[name]),
        };
      const service = sid.toLowerCase();
      return {
        Sid: sid,
        Effect: "Allow",
        Action: actions.filter((a) => a.startsWith(`${service}:`) && !UNSCOPED_ACTIONS.has(a)),
        Resource: byService[sid] ?? [`arn:aws:${service}:*:${account}:*`],
        ...(sid !== "S3" && sid !== "IAM" && inRegions(REGIONS[name])),
      };
    };
    return { Version: "2012-10-17", Statement: [...SIDS[name].map(statement), NO_ROLE_CHAINING_STATEMENT] };
  }

  const SIDS: Record<string, string[]> = {
    // The service, upper case up to three letters (S3, IAM, KMS, SNS, SQS), else capitalized.
    security: [
      ..."Athena Cloudwatch Firehose Glue IAM Kinesis KMS Lambda Logs S3 SNS SQS".split(" "),
      UNSCOPED_SID,
    ],
    // logs:DescribeLogGroups (every log group's refresh) is evaluated against `*` only.
    "payments-prod": ["IAM", "Logs", UNSCOPED_SID],
    "web-prod": ["IAM", "Logs", UNSCOPED_SID],
    vault: ["KMS", "S3", UNSCOPED_SID],
  };

  test.each(Object.keys(SIDS).flatMap((s) => PHASES.map((p) => [s, p])))(
    "%s %s: the whole policy, every statement exactly (Action, Resource, Condition)",
    (name, phase) => {
      expect(runRole(dynamic(), name, phase as Phase).permissions).toEqual(
        expectedPolicy(name, phase as Phase),
      );
    },
  );

  test("the names behind them: the stacks' own buckets, roles (never a run role) and aliases, the unscoped actions", () => {
    const resources = (name: string) =>
      Object.fromEntries(runRole(dynamic(), name, "apply").permissions.Statement.map((s) => [s.Sid, s]));
    expect(resources("security").S3.Resource).toEqual(
      ["access-logs", "athena-results", "security-logs"].map(
        (b) => `arn:aws:s3:::secops-${b}-${SECURITY_ACCOUNT}`,
      ),
    );
    expect(resources("security").IAM.Resource).toEqual(
      ["destination", "firehose", "processor", "replication"].map(
        (r) => `arn:aws:iam::${SECURITY_ACCOUNT}:role/secops-logs-${r}`,
      ),
    );
    expect(resources("payments-prod").IAM.Resource).toEqual([
      `arn:aws:iam::${PAYMENTS_ACCOUNT}:role/secops-logs-subscription`,
    ]);
    expect(resources("security").KMS.Resource).toEqual([
      `arn:aws:kms:*:${SECURITY_ACCOUNT}:key/*`,
      ...["archive", "notifications", "notifications-us-west-2", "search-results", "stream"].map(
        (a) => `arn:aws:kms:*:${SECURITY_ACCOUNT}:alias/secops-${a}`,
      ),
    ]);
    expect(resources("security").Kinesis.Resource).toEqual([
      `arn:aws:kinesis:*:${SECURITY_ACCOUNT}:*`,
      `arn:aws:kms:*:${SECURITY_ACCOUNT}:key/*`,
    ]);
    expect(resources("vault").KMS.Resource).toEqual([
      `arn:aws:kms:*:${VAULT_ACCOUNT}:key/*`,
      `arn:aws:kms:*:${VAULT_ACCOUNT}:alias/secops-replica`,
    ]);
    expect(resources("security").Logs.Condition).toEqual({
      StringEquals: { "aws:RequestedRegion": REGIONS.security },
    });
    expect(Object.fromEntries(WORKLOADS.map((name) => [name, resources(name)[UNSCOPED_SID].Action]))).toEqual(
      {
        vault: ["kms:CreateKey", "kms:ListAliases"],
        security: [
          "kinesis:DisableEnhancedMonitoring",
          "kinesis:EnableEnhancedMonitoring",
          "kinesis:UpdateShardCount",
          "kinesis:UpdateStreamMode",
          "kms:CreateKey",
          "kms:ListAliases",
          "logs:DescribeDestinations",
          "logs:DescribeLogGroups",
        ],
        "payments-prod": ["logs:DescribeLogGroups"],
        "web-prod": [
          "logs:DeleteAccountPolicy",
          "logs:DescribeAccountPolicies",
          "logs:DescribeLogGroups",
          "logs:PutAccountPolicy",
        ],
      },
    );
  });
});

describe("runActions, runRolePermissions and inventoryOf", () => {
  const inventory = (resources: StackInventory["resources"]): StackInventory => ({
    name: "payments-prod",
    partition: "aws",
    accountId: PAYMENTS_ACCOUNT,
    regions: ["us-east-1"],
    resources,
  });

  test("exact actions for a hand-built stack: read in plan, read and write in apply", () => {
    const stack = inventory([
      { type: "aws_sqs_queue_policy", body: {} },
      { type: "aws_sqs_queue_policy", body: {} },
    ]);
    expect(runActions(stack, "plan")).toEqual(["sqs:GetQueueAttributes"]);
    expect(runActions(stack, "apply")).toEqual(["sqs:GetQueueAttributes", "sqs:SetQueueAttributes"]);
  });

  test("NO_ROLE_CHAINING, exactly", () => {
    expect(NO_ROLE_CHAINING).toEqual(NO_ROLE_CHAINING_STATEMENT);
  });

  test("exact policy of a hand-built stack (aws-cn, two regions), plan and apply", () => {
    const stack: StackInventory = {
      ...inventory([
        { type: "aws_kinesis_stream", body: {} },
        { type: "aws_kms_alias", body: { name: "alias/stream" } },
        // A bucket policy without the bucket in the stack: S3 has nothing to grant on, no statement.
        { type: "aws_s3_bucket_policy", body: {} },
      ]),
      partition: "aws-cn",
      regions: ["cn-north-1", "cn-northwest-1"],
    };
    const regional = inRegions(["cn-north-1", "cn-northwest-1"]);
    const stream = `arn:aws-cn:kinesis:*:${PAYMENTS_ACCOUNT}:*`;
    const keys = `arn:aws-cn:kms:*:${PAYMENTS_ACCOUNT}:key/*`;
    expect(runRolePermissions(stack, "plan")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Kinesis",
          Effect: "Allow",
          Action: ["kinesis:DescribeStreamSummary", "kinesis:ListTagsForStream"],
          Resource: [stream, keys],
          ...regional,
        },
        // kms:ListAliases, the alias's only read, is unscoped: no KMS statement in a plan.
        { Sid: UNSCOPED_SID, Effect: "Allow", Action: ["kms:ListAliases"], Resource: "*", ...regional },
        NO_ROLE_CHAINING_STATEMENT,
      ],
    });
    expect(runRolePermissions(stack, "apply")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Kinesis",
          Effect: "Allow",
          Action: [
            "kinesis:AddTagsToStream",
            "kinesis:CreateStream",
            "kinesis:DecreaseStreamRetentionPeriod",
            "kinesis:DeleteStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:IncreaseStreamRetentionPeriod",
            "kinesis:ListTagsForStream",
            "kinesis:RemoveTagsFromStream",
            "kinesis:StartStreamEncryption",
            "kinesis:StopStreamEncryption",
          ],
          Resource: [stream, keys],
          ...regional,
        },
        {
          Sid: "KMS",
          Effect: "Allow",
          Action: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
          Resource: [keys, `arn:aws-cn:kms:*:${PAYMENTS_ACCOUNT}:alias/stream`],
          ...regional,
        },
        {
          Sid: UNSCOPED_SID,
          Effect: "Allow",
          Action: [
            "kinesis:DisableEnhancedMonitoring",
            "kinesis:EnableEnhancedMonitoring",
            "kinesis:UpdateShardCount",
            "kinesis:UpdateStreamMode",
            "kms:ListAliases",
          ],
          Resource: "*",
          ...regional,
        },
        NO_ROLE_CHAINING_STATEMENT,
      ],
    });
  });

  test("only a policy with unscoped actions carries the IAM_RESOURCE_SCOPED exemption", () => {
    /** The rules each phase's inline policy is exempted from, read from the construct tree. */
    const exemptions = (resources: StackInventory["resources"]) => {
      const stack = new TerraformStack(Testing.app(), "credentials");
      const provider = new AwsProvider(stack, "aws", { region: "us-east-1" });
      const identityProvider = new RunIdentityProvider(stack, "Oidc", {
        provider,
        hostname: "app.terraform.io",
        audience: "aws.workload.identity",
      });
      const roles = new RunRoles(stack, "RunRoles", {
        provider,
        partition: "aws",
        hostname: "app.terraform.io",
        audience: "aws.workload.identity",
        stack: inventory(resources),
        roleNames: { plan: "p", apply: "a" },
        subjects: { plan: "sp", apply: "sa" },
        identityProvider,
      });
      return Object.fromEntries(
        PHASES.map((phase) => [
          phase,
          roles.node
            .findAll()
            .filter((c) => c.node.path.includes(`/${phase === "plan" ? "Plan" : "Apply"}/`))
            .flatMap((c) => c.node.metadata.filter((m) => m.type === "seclog:suppress-rule"))
            .map((m) => (m.data as { ruleId: string }).ruleId),
        ]),
      );
    };
    // A queue policy's actions all take the queue ARN: nothing unscoped in either phase.
    expect(exemptions([{ type: "aws_sqs_queue_policy", body: {} }])).toEqual({ plan: [], apply: [] });
    // A stream's shard and mode updates take `*`: only the apply policy has them.
    expect(exemptions([{ type: "aws_kinesis_stream", body: {} }])).toEqual({
      plan: [],
      apply: ["IAM_RESOURCE_SCOPED"],
    });
  });

  test("a resource type without recorded actions throws, naming the type", () => {
    const stack = inventory([
      { type: "aws_s3_bucket", body: { bucket: "b" } },
      { type: "aws_instance", body: {} },
    ]);
    for (const phase of PHASES) {
      expect(() => runActions(stack, phase)).toThrow(/aws_instance/);
      expect(() => runRolePermissions(stack, phase)).toThrow(/aws_instance/);
    }
  });

  test("a bucket whose name is a reference cannot be granted by name", () => {
    const stack = inventory([{ type: "aws_s3_bucket", body: { bucket: "${random_id.x.hex}" } }]);
    expect(() => runRolePermissions(stack, "plan")).toThrow("without a literal bucket");
  });

  test("inventoryOf: providers of two accounts throw; one account gives its sorted regions", () => {
    const provider = (region: string, account: string) => ({ region, allowed_account_ids: [account] });
    expect(() =>
      inventoryOf(
        "payments-prod",
        { provider: { aws: [provider("us-east-1", PAYMENTS_ACCOUNT), provider("eu-west-1", WEB_ACCOUNT)] } },
        "aws",
      ),
    ).toThrow("stack payments-prod: expected providers for one account, found 2");
    expect(() => inventoryOf("x", {}, "aws")).toThrow("found 0");
    const aws = [provider("us-east-1", WEB_ACCOUNT), provider("eu-west-1", WEB_ACCOUNT)];
    expect(inventoryOf("x", { provider: { aws } }, "aws")).toMatchObject({
      accountId: WEB_ACCOUNT,
      regions: ["eu-west-1", "us-east-1"],
    });
  });
});

describe("workload stacks' providers", () => {
  /** Per workload stack, the roles its aws providers assume (undefined: none). */
  const assumed = (stacks: Stacks) =>
    Object.fromEntries(
      WORKLOADS.map((n) => [n, [...new Set(stacks[n].provider.aws.map((p) => p.assume_role?.[0].role_arn))]]),
    );

  test("with dynamicCredentials no aws provider of a workload stack assumes a role", () => {
    expect(assumed(dynamic())).toEqual(Object.fromEntries(WORKLOADS.map((n) => [n, [undefined]])));
  });

  test("without it each provider assumes the account's configured roleArn", () => {
    expect(assumed(staticKeys())).toEqual({
      vault: [VAULT_DEPLOY_ROLE],
      security: [SECURITY_DEPLOY_ROLE],
      "payments-prod": [PAYMENTS_DEPLOY_ROLE],
      "web-prod": [undefined],
    });
  });
});

describe("deploy order declared in manifest.json", () => {
  type Manifest = { stacks: Record<string, { name: string; dependencies: string[] }> };
  const stackDirs = synthToDir(cloudConfig(), "run-role-order");
  const outdir = dirname(dirname(Object.values(stackDirs)[0]));
  const manifest: Manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));

  test("every workload stack depends on credentials, which depends on nothing", () => {
    expect(
      Object.fromEntries(Object.values(manifest.stacks).map((s) => [s.name, [...s.dependencies].sort()])),
    ).toEqual({
      credentials: [],
      vault: ["credentials"],
      security: ["credentials", "vault"],
      "payments-prod": ["credentials", "security"],
      "web-prod": ["credentials", "security"],
    });
  });
});

describe("IAM quotas", () => {
  const keepSource = (): Config => ({ ...fullConfig(), delivery: { keepSource: true } });
  // One application account in ten regions (web-prod's two among them): ten destination regions.
  const TEN_REGIONS = [
    "us-east-1",
    "eu-west-1",
    "ap-southeast-2",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-2",
    "ap-northeast-1",
  ];
  const largest = lazy(() => cloudConfig({}, keepSource()));
  const tenRegions = lazy(() => {
    const config = keepSource();
    config.accounts[0].regions = TEN_REGIONS;
    return cloudConfig({}, config);
  });

  // The largest at this writing: apply-security, 7,684 characters with three destination regions and
  // the replica's (us-west-2, for its latency alarms), 8,597 with ten (us-west-2 among them): the six
  // more regions once in each of its region conditions.
  test.each([
    // Three destination regions and the replica's (its latency alarms).
    ["replica, keepSource and organization mode", largest, 4],
    ["the same with ten destination regions", tenRegions, 10],
  ])(
    "%s: every inline policy within 10,240 characters, every trust within 2,048",
    (_name, stacks: () => Stacks, destinations: number) => {
      expect(regionsOf(stacks().security)).toHaveLength(destinations);
      const sizes: Record<string, number> = Object.fromEntries(
        resourcesOf(stacks().credentials, "aws_iam_role_policy").map(([, p]) => [
          p.name,
          JSON.stringify(JSON.parse(p.policy)).length,
        ]),
      );
      expect(Object.keys(sizes)).toHaveLength(8);
      expect(Object.entries(sizes).filter(([, chars]) => chars > ROLE_INLINE_POLICIES_MAX_CHARS)).toEqual([]);
      const max = Math.max(...Object.values(sizes));
      expect(Object.keys(sizes).filter((name) => sizes[name] === max)).toEqual(["apply-security"]);
      for (const [, role] of resourcesOf(stacks().credentials, "aws_iam_role"))
        expect(JSON.stringify(JSON.parse(role.assume_role_policy)).length).toBeLessThanOrEqual(
          ROLE_TRUST_POLICY_MAX_CHARS,
        );
    },
  );
});
