import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fullConfig, PAYMENTS_ACCOUNT, SECURITY_ACCOUNT } from "./support/fixtures";
import { synthToDir } from "./support/synth-dir";
import { inParallel, terraformEnv } from "./support/terraform";
import { plannedOf, ValidatedPlan, validateAndPlan as offlineValidateAndPlan } from "./support/plan";

/**
 * What Terraform itself says about the AWS side of Terraform Cloud (issue
 * 20): `validate` and an offline `plan` with AWS provider 5.100.0 of the
 * `credentials` stack (an OIDC provider and two run roles per account, one
 * aliased provider per account), and the security and an application stack
 * as their workspaces run them (cloud block, no assume_role). Their
 * resources are those of every other config (terraform-plan.test.ts plans
 * them), and an offline copy drops both the cloud block and assume_role, so
 * planning them again here would prove nothing new: their blocks are read
 * from the synthesized JSON. The
 * `workspaces` stack needs the tfe provider, which is not on this machine:
 * tfc-workspaces.test.ts proves it by synth against the bindings' argument
 * names.
 */
const tf = terraformEnv();
const inCi = process.env.CI === "true";
const describeTerraform = typeof tf === "string" && !inCi ? describe.skip : describe;
const VAULT = "444444444444";

function cloudConfig() {
  const config = fullConfig();
  config.state = {
    backend: "cloud",
    cloud: {
      organization: "acme",
      workspacePrefix: "seclog-",
      project: "Security logs",
      dynamicCredentials: true,
      workspaces: { create: true },
    },
  };
  config.delivery = { keepSource: true };
  config.archive.replica = {
    accountId: VAULT,
    region: "us-west-2",
    roleArn: `arn:aws:iam::${VAULT}:role/OrganizationAccountAccessRole`,
    objectLock: { mode: "COMPLIANCE", days: 2555 },
  };
  return config;
}

type Result = ValidatedPlan;

/** The shared offline validate and plan, with Terraform known to run (CI=true makes a missing one fail). */
async function validateAndPlan(stackDir: string): Promise<Result> {
  if (typeof tf === "string") throw new Error(`CI=true but Terraform cannot run: ${tf}`);
  return offlineValidateAndPlan(stackDir, tf);
}

describeTerraform("terraform validate and plan of the Terraform Cloud credentials", () => {
  const dirs = synthToDir(cloudConfig(), "tfc");
  const targets = ["credentials"];
  let results: Record<string, Result> = {};

  beforeAll(async () => {
    const started = Date.now();
    const entries = await inParallel(
      targets,
      2,
      async (name) => [name, await validateAndPlan(dirs[name])] as const,
    );
    results = Object.fromEntries(entries);
    process.stdout.write(
      `terraform tfc: ${entries.length} stacks validated and planned in ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
  }, 600_000);

  test.each(targets)("%s is valid with no warnings, and plans creates only", (name) => {
    const { validate, plan } = results[name];
    expect(validate).toEqual({ valid: true, diagnostics: [] });
    expect([...new Set(plan.resource_changes.flatMap((r) => r.change.actions))]).toEqual(["create"]);
  });

  test("credentials plans, per account, exactly one OIDC provider and a plan and an apply role with one policy each", () => {
    const plan = results.credentials.plan;
    const stacks = ["vault", "security", "payments-prod", "web-prod"];
    const byType = (type: string) => plannedOf(plan, type).length;
    expect(byType("aws_iam_openid_connect_provider")).toBe(stacks.length);
    expect(byType("aws_iam_role")).toBe(2 * stacks.length);
    expect(byType("aws_iam_role_policy")).toBe(2 * stacks.length);
    expect(plan.resource_changes.length).toBe(5 * stacks.length);
    const names = plannedOf(plan, "aws_iam_role")
      .map((r) => r.change.after!.name)
      .sort();
    expect(names).toEqual(stacks.flatMap((s) => [`secops-tfc-${s}-apply`, `secops-tfc-${s}-plan`]).sort());
  });

  test("each account's resources go through that account's own provider, one per account", () => {
    const plan = results.credentials.plan;
    const configured = Object.entries(plan.configuration.provider_config)
      .filter(([, p]) => p.expressions)
      .map(([key]) => key)
      .sort();
    expect(configured).toEqual(["aws.payments_prod", "aws.security", "aws.vault", "aws.web_prod"]);
    const providerOf = new Map(
      plan.configuration.root_module.resources.map((r) => [r.address, r.provider_config_key]),
    );
    for (const rc of plan.resource_changes) {
      const stack = /^aws_[a-z_]+\.(?:Oidc|RunRoles)_([a-z-]+?)_/.exec(rc.address)![1];
      expect([rc.address, providerOf.get(rc.address)]).toEqual([
        rc.address,
        `aws.${stack.replace(/-/g, "_")}`,
      ]);
    }
  });

  test("the OIDC provider as planned: the hostname over https and the audience", () => {
    const providers = plannedOf(results.credentials.plan, "aws_iam_openid_connect_provider").map(
      (r) => r.change.after!,
    );
    for (const provider of providers) {
      expect(provider.url).toBe("https://app.terraform.io");
      expect(provider.client_id_list).toEqual(["aws.workload.identity"]);
    }
  });

  test("a role's trust as planned admits only its workspace and phase, in the project", () => {
    const role = plannedOf(results.credentials.plan, "aws_iam_role").find(
      (r) => r.change.after!.name === "secops-tfc-payments-prod-plan",
    )!.change.after!;
    expect(JSON.parse(role.assume_role_policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "TerraformCloudRun",
          Effect: "Allow",
          Principal: { Federated: `arn:aws:iam::${PAYMENTS_ACCOUNT}:oidc-provider/app.terraform.io` },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "app.terraform.io:aud": "aws.workload.identity",
              "app.terraform.io:sub":
                "organization:acme:project:Security logs:workspace:seclog-payments-prod:run_phase:plan",
            },
          },
        },
      ],
    });
  });

  test("the workload stacks as their workspaces run them: a cloud block, and providers that assume nothing", () => {
    for (const name of ["security", "payments-prod"]) {
      const json = JSON.parse(readFileSync(join(dirs[name], "cdk.tf.json"), "utf8"));
      expect(json.terraform.cloud).toEqual({
        organization: "acme",
        hostname: "app.terraform.io",
        workspaces: { name: `seclog-${name}`, project: "Security logs" },
      });
      for (const provider of json.provider.aws) expect(provider.assume_role).toBeUndefined();
      const account = name === "security" ? SECURITY_ACCOUNT : PAYMENTS_ACCOUNT;
      for (const provider of json.provider.aws) expect(provider.allowed_account_ids).toEqual([account]);
    }
  });
});
