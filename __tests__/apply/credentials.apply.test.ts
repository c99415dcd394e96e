import {
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListOpenIDConnectProvidersCommand,
  ListRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  applyStack,
  destroyStack,
  emulatorCopy,
  EmulatorStack,
  Moto,
  motoUnavailable,
  replanStack,
  startMoto,
} from "../support/emulator";
import { EmulatorAws } from "../support/emulator-aws";
import { synthToDir } from "../support/synth-dir";
import { terraformEnv } from "../support/terraform";

/**
 * The `credentials` stack (state.cloud.dynamicCredentials) applied against
 * moto: in each of four accounts (vault, security, two application
 * accounts), through that account's own provider, the IAM OIDC provider for
 * app.terraform.io and the plan and apply roles of the account's workspace.
 * Read back through the AWS SDK in each account, re-planned (no diff) and
 * destroyed. moto does not evaluate trust or permissions: the IAM rows of
 * run-role-access.test.ts prove who may assume what.
 */
const tf = terraformEnv();
const cannotRun = typeof tf === "string" ? tf : motoUnavailable();
const inCi = process.env.CI === "true";
if (cannotRun && !inCi) process.stdout.write(`credentials emulator test skipped: ${cannotRun}\n`);
const describeApply = cannotRun && !inCi ? describe.skip : describe;

const ACCOUNTS = {
  security: "711111111111",
  "alpha-prod": "722222222222",
  "beta-prod": "733333333333",
  vault: "744444444444",
};
const role = (accountId: string) => `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`;

const CONFIG = {
  prefix: "tfc",
  security: { accountId: ACCOUNTS.security, region: "us-east-1", roleArn: role(ACCOUNTS.security) },
  archive: {
    accessLogs: false,
    replica: {
      accountId: ACCOUNTS.vault,
      region: "us-west-2",
      roleArn: role(ACCOUNTS.vault),
      objectLock: { mode: "GOVERNANCE", days: 1 },
    },
  },
  delivery: { format: "raw", bufferSeconds: 60, bufferMiB: 5 },
  state: {
    backend: "cloud",
    cloud: { organization: "acme", workspacePrefix: "seclog-", dynamicCredentials: true },
  },
  accounts: (["alpha-prod", "beta-prod"] as const).map((name) => ({
    name,
    accountId: ACCOUNTS[name],
    roleArn: role(ACCOUNTS[name]),
    logGroups: [{ name: `/app/${name}/security`, create: true, retentionDays: 30 }],
  })),
};

describeApply("the credentials stack applied against moto", () => {
  let moto: Moto | undefined;
  let stack: EmulatorStack;
  let aws: EmulatorAws;
  const synthesized = JSON.parse(
    readFileSync(join(synthToDir(CONFIG, "credentials-apply").credentials, "cdk.tf.json"), "utf8"),
  );

  beforeAll(async () => {
    if (typeof tf === "string" || cannotRun)
      throw new Error(`CI=true but the emulator cannot run: ${cannotRun}`);
    moto = await startMoto();
    aws = new EmulatorAws(moto.endpoint);
    stack = emulatorCopy(synthToDir(CONFIG, "credentials-apply-copy").credentials, moto.endpoint, {
      multiAccount: true,
    });
    await applyStack(stack, tf);
  }, 300_000);

  afterAll(async () => {
    await moto?.stop();
  });

  test("moto's one gap here: allowed_account_ids dropped; every provider already assumes its account's role", () => {
    expect(stack.gaps.filter((g) => g.addresses.length)).toEqual([
      {
        what: "drop allowed_account_ids from every provider",
        addresses: ["vault", "security", "alpha_prod", "beta_prod"].map((alias) => `provider.aws.${alias}`),
      },
    ]);
  });

  test.each(Object.entries(ACCOUNTS))(
    "%s (%s): one OIDC provider for app.terraform.io with the audience",
    async (_name, accountId) => {
      const { iam } = await aws.clients(accountId, "us-east-1");
      const listed = await iam.send(new ListOpenIDConnectProvidersCommand({}));
      const arns = (listed.OpenIDConnectProviderList ?? []).map((p) => p.Arn);
      expect(arns).toEqual([`arn:aws:iam::${accountId}:oidc-provider/app.terraform.io`]);
      const provider = await iam.send(
        new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arns[0] }),
      );
      expect(provider.Url).toBe("app.terraform.io");
      expect(provider.ClientIDList).toEqual(["aws.workload.identity"]);
    },
  );

  test.each(Object.entries(ACCOUNTS))(
    "%s (%s): the plan and apply roles, with the synthesized trust and one policy",
    async (name, accountId) => {
      const { iam } = await aws.clients(accountId, "us-east-1");
      for (const phase of ["plan", "apply"]) {
        const roleName = `tfc-tfc-${name}-${phase}`;
        const fetched = await iam.send(new GetRoleCommand({ RoleName: roleName }));
        const trust = JSON.parse(decodeURIComponent(fetched.Role!.AssumeRolePolicyDocument!));
        expect(trust.Statement[0].Condition.StringEquals["app.terraform.io:sub"]).toBe(
          `organization:acme:project:Default Project:workspace:seclog-${name}:run_phase:${phase}`,
        );
        const synthesizedRole = Object.values(synthesized.resource.aws_iam_role as Record<string, any>).find(
          (r) => r.name === roleName,
        );
        expect(trust).toEqual(JSON.parse(synthesizedRole.assume_role_policy));
        const policies = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
        expect(policies.PolicyNames).toEqual([`${phase}-${name}`]);
        const policy = await iam.send(
          new GetRolePolicyCommand({ RoleName: roleName, PolicyName: `${phase}-${name}` }),
        );
        const synthesizedPolicy = Object.values(
          synthesized.resource.aws_iam_role_policy as Record<string, any>,
        ).find((p) => p.name === `${phase}-${name}`);
        expect(JSON.parse(decodeURIComponent(policy.PolicyDocument!))).toEqual(
          JSON.parse(synthesizedPolicy.policy),
        );
      }
    },
  );

  test("a second plan has nothing to change, and the stack destroys cleanly", async () => {
    const replanned = await replanStack(stack, tf as Exclude<typeof tf, string>);
    expect({ status: replanned.status, stderr: replanned.stderr }).toEqual({ status: 0, stderr: "" });
    const destroyed = await destroyStack(stack, tf as Exclude<typeof tf, string>);
    expect({ status: destroyed.status, stderr: destroyed.stderr }).toEqual({ status: 0, stderr: "" });
    const { iam } = await aws.clients(ACCOUNTS.security, "us-east-1");
    expect((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList).toEqual([]);
  }, 120_000);
});
