import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

/** The AWS provider version @cdktf/provider-aws 20.1.0 wraps. */
export const AWS_PROVIDER_VERSION = "5.100.0";

export interface TerraformEnv {
  readonly env: NodeJS.ProcessEnv;
  /** Where the provider comes from, for test output. */
  readonly source: string;
}

/**
 * Where Terraform can find the AWS provider without the internet: a local
 * filesystem mirror if one exists (`SECLOG_TF_PLUGIN_DIR`, then the usual
 * places), otherwise Terraform's normal registry download.
 */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    env.SECLOG_TF_PLUGIN_DIR,
    "/opt/tf-plugins",
    join(homedir(), ".terraform.d", "plugins"),
    join(homedir(), ".local", "share", "terraform", "plugins"),
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
  ].filter((dir): dir is string => Boolean(dir));
  return candidates.find((dir) => {
    const versionDir = join(dir, "registry.terraform.io", "hashicorp", "aws", AWS_PROVIDER_VERSION);
    return existsSync(versionDir) && readdirSync(versionDir).length > 0;
  });
}

export function terraformAvailable(): boolean {
  return spawnSync("terraform", ["version"], { stdio: "ignore" }).status === 0;
}

/**
 * Environment for running Terraform in tests, or the reason it cannot run. In
 * CI (`CI=true`) a missing terraform or provider fails the run instead of
 * skipping, so a green CI always means Terraform checked the stacks.
 */
export function terraformEnv(): TerraformEnv | string {
  if (!terraformAvailable()) return "terraform is not on PATH";
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
  };
  const mirror = findProviderMirror();
  if (!mirror) {
    delete base.TF_CLI_CONFIG_FILE;
    return { env: base, source: "registry download" };
  }
  const dir = mkdtempSync(join(tmpdir(), "seclog-tfrc-"));
  const file = join(dir, "terraform.rc");
  writeFileSync(
    file,
    [
      "provider_installation {",
      `  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }`,
      '  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }',
      "}",
      "",
    ].join("\n"),
  );
  return { env: { ...base, TF_CLI_CONFIG_FILE: file }, source: `mirror ${mirror}` };
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function terraform(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("terraform", [...args, "-no-color"], { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

export { inParallel } from "../../lib/concurrency";
