import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { inParallel, terraform, TerraformEnv } from "./terraform";

/** The parts of `terraform show -json <plan>` the tests read. */
export interface PlanJson {
  resource_changes: Array<{
    address: string;
    type: string;
    name: string;
    provider_name: string;
    change: {
      actions: string[];
      after: Record<string, any> | null;
      after_unknown: Record<string, any>;
      replace_paths?: unknown[];
    };
  }>;
  configuration: {
    provider_config: Record<string, { name: string; alias?: string; expressions?: Record<string, any> }>;
    root_module: { resources: Array<{ address: string; type: string; provider_config_key: string }> };
  };
}

/**
 * Rewrites a COPY of a synthesized stack so Terraform can plan it offline:
 * fake credentials, no account lookups, no assume_role, no allowed_account_ids
 * (the account id is unknowable offline) and no remote backend. The user's
 * cdktf.out is never touched.
 */
export function offlineCopy(stackDir: string): string {
  const dir = mkdtempSync(join(tmpdir(), `seclog-plan-${basename(stackDir)}-`));
  // The whole stack directory: cdk.tf.json and its assets (the Lambda package).
  cpSync(stackDir, dir, { recursive: true, filter: (source) => basename(source) !== ".terraform" });
  const config = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8"));
  for (const provider of config.provider.aws) {
    delete provider.assume_role;
    delete provider.allowed_account_ids;
    Object.assign(provider, {
      access_key: "AKIAOFFLINEPLAN00000",
      secret_key: "offline-plan-secret",
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
    });
  }
  delete config.terraform.backend;
  delete config.terraform.cloud;
  writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(config));
  return dir;
}

/**
 * `full` reads the saved plan back with `terraform show -json` (values,
 * configuration); `summary` reads only the machine-readable plan stream
 * (address, type and action of each change), which saves a provider start.
 */
export type PlanDetail = "full" | "summary";

export async function planStack(
  stackDir: string,
  tf: TerraformEnv,
  detail: PlanDetail = "full",
): Promise<PlanJson> {
  const dir = offlineCopy(stackDir);
  const run = async (args: string[]) => {
    const result = await terraform(args, dir, tf.env);
    if (result.status !== 0)
      throw new Error(
        `terraform ${args[0]} failed for ${basename(stackDir)}:\n${result.stderr || result.stdout}`,
      );
    return result.stdout;
  };
  await run(["init", "-backend=false", "-input=false"]);
  const plan = ["plan", "-refresh=false", "-input=false", "-lock=false"];
  if (detail === "summary") return summaryOf(await run([...plan, "-json"]));
  await run([...plan, "-out=plan.bin"]);
  return JSON.parse(await run(["show", "-json", "plan.bin"]));
}

function summaryOf(stream: string): PlanJson {
  const changes = stream
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((message) => message.type === "planned_change")
    .map(({ change }) => ({
      address: change.resource.addr,
      type: change.resource.resource_type,
      name: change.resource.resource_name,
      provider_name: "",
      change: { actions: [change.action], after: null, after_unknown: {} },
    }));
  return {
    resource_changes: changes,
    configuration: { provider_config: {}, root_module: { resources: [] } },
  };
}

/**
 * Plans at a time. Each plan starts one provider process per aliased provider
 * (CPU-bound start-up): two on a two-core machine (three measured slower).
 */
const PLAN_WIDTH = Number(process.env.SECLOG_PLAN_WIDTH ?? 2);

/** Plans every stack, a few at a time. */
export async function planAll(
  stacks: Record<string, string>,
  tf: TerraformEnv,
  detailOf: (name: string) => PlanDetail = () => "full",
): Promise<Record<string, PlanJson>> {
  const entries = await inParallel(
    Object.entries(stacks),
    PLAN_WIDTH,
    async ([name, dir]) => [name, await planStack(dir, tf, detailOf(name))] as const,
  );
  return Object.fromEntries(entries);
}

/** Planned resources of a type, by address. */
export function plannedOf(plan: PlanJson, type: string): PlanJson["resource_changes"] {
  return plan.resource_changes.filter((r) => r.type === type);
}

/** What `terraform validate -json` said, and the saved plan as `terraform show -json` reads it. */
export interface ValidatedPlan {
  readonly validate: { valid: boolean; diagnostics: unknown[] };
  readonly plan: PlanJson;
}

/** init, validate and plan in an offline copy (never the synthesized directory). */
export async function validateAndPlan(stackDir: string, tf: TerraformEnv): Promise<ValidatedPlan> {
  const dir = offlineCopy(stackDir);
  const run = async (args: string[], okStatuses = [0]) => {
    const result = await terraform(args, dir, tf.env);
    if (!okStatuses.includes(result.status ?? -1))
      throw new Error(`terraform ${args[0]} failed in ${stackDir}:\n${result.stderr || result.stdout}`);
    return result.stdout;
  };
  await run(["init", "-backend=false", "-input=false"]);
  const validate = JSON.parse(await run(["validate", "-json"], [0, 1]));
  await run(["plan", "-refresh=false", "-input=false", "-lock=false", "-out=plan.bin"]);
  const plan = JSON.parse(await run(["show", "-json", "plan.bin"])) as PlanJson;
  return { validate: { valid: validate.valid, diagnostics: validate.diagnostics }, plan };
}
