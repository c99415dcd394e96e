import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformStack } from "cdktf";
import { StateSettings } from "../lib/config/model";
import { OutputError } from "../lib/synth";

/**
 * Where synth puts the stacks for good, and where local state lives: what a
 * local backend's path is computed from. Not the App's outdir: lib/synth.ts
 * synthesizes into a staging directory beside the final one and moves it
 * into place.
 */
export interface LocalStateLayout {
  /** The final output directory (`CDKTF_OUTDIR`, default `cdktf.out`), absolute. */
  readonly outdir: string;
  /** The project directory (the app's working directory), absolute: state files live here. */
  readonly projectDir: string;
}

/** App context key under which buildApp records the layout for every stack's local backend. */
export const LOCAL_STATE_CONTEXT = "seclog:localState";

/** What `npx cdktf synth` uses without `--output`: cdktf.out in the working directory. */
export function defaultLocalStateLayout(cwd: string = process.cwd()): LocalStateLayout {
  return { outdir: resolve(cwd, "cdktf.out"), projectDir: resolve(cwd) };
}

/**
 * `terraform.<stack>.tfstate` in the project directory, written relative to
 * the stack's final directory `<outdir>/stacks/<stack>/`, the root module
 * Terraform runs in: a local backend's path is relative to it ("path - The
 * path to the tfstate file. This defaults to "terraform.tfstate" relative to
 * the root module by default.", Terraform docs, "Backend Type: local",
 * https://developer.hashicorp.com/terraform/language/backend/local). With the
 * default outdir that is `../../../terraform.<stack>.tfstate`: the same file
 * from any checkout, and outside cdktf.out, which every synth replaces.
 * Forward slashes, so the synthesized JSON is the same on every OS.
 */
export function localStatePath(stackName: string, layout: LocalStateLayout): string {
  const stackDir = join(resolve(layout.outdir), "stacks", stackName);
  return relative(stackDir, join(resolve(layout.projectDir), `terraform.${stackName}.tfstate`))
    .split(sep)
    .join("/");
}

/** Whose credentials a stack's S3 backend reaches the state bucket with. */
export interface BackendAccess {
  /**
   * An application stack's own state role (`Naming.stateRoleArn`), derived
   * from the config. Used only with `state.s3.bootstrap`, where the `state`
   * stack creates it; an existing bucket keeps `state.s3.roleArn` (or the
   * caller's credentials) for every stack.
   * @default the security stack and the state stack: `state.s3.roleArn`, if set
   */
  readonly applicationRoleArn?: string;
}

/** Attaches the configured state backend to a stack; each stack gets its own state. */
export function attachBackend(
  stack: TerraformStack,
  stackName: string,
  state: StateSettings,
  access: BackendAccess = {},
): void {
  switch (state.backend) {
    case "s3": {
      // Bootstrapped: an application account's own credentials cannot reach the
      // security account's bucket; its backend assumes the stack's state role
      // there, which reaches that stack's state and lock only.
      const roleArn =
        state.bootstrap && access.applicationRoleArn ? access.applicationRoleArn : state.roleArn;
      const backend = new S3Backend(stack, {
        bucket: state.bucket,
        region: state.region,
        key: `${state.keyPrefix}/${stackName}.tfstate`,
        encrypt: true,
        // Without a key id the backend asks S3 for SSE-S3 on every write, overriding a KMS bucket default.
        kmsKeyId: state.kmsKeyId,
        assumeRole: roleArn ? { roleArn } : undefined,
      });
      // S3-native state locking (Terraform >= 1.10); cdktf 0.21 has no prop for it.
      backend.addOverride("use_lockfile", true);
      return;
    }
    case "cloud":
      new CloudBackend(stack, {
        organization: state.organization,
        hostname: state.hostname,
        workspaces: new NamedCloudWorkspace(`${state.workspacePrefix}${stackName}`, state.project),
      });
      return;
    case "local":
      localBackend(stack, stackName);
      return;
  }
}

/**
 * `terraform.<stack>.tfstate` in the project directory (localStatePath), for
 * the layout buildApp recorded in the App context (LOCAL_STATE_CONTEXT), else
 * `npx cdktf synth`'s default. Never cdktf's own default, an absolute path of
 * the machine that synthesized; never a file inside cdktf.out/stacks/<stack>/,
 * which every synth replaces (the state, and with it Terraform's knowledge of
 * the archive, would be deleted).
 */
export function localBackend(stack: TerraformStack, stackName: string = stack.node.id): LocalBackend {
  const layout =
    (stack.node.tryGetContext(LOCAL_STATE_CONTEXT) as LocalStateLayout | undefined) ??
    defaultLocalStateLayout();
  return new LocalBackend(stack, { path: localStatePath(stackName, layout) });
}

/**
 * The final output directory (not the staging directory synth writes first)
 * and the project directory, for local backends' relative state paths. Both
 * as the filesystem resolves them: synth stages beside the directory a
 * symlinked outdir points at, and Terraform's `..` climbs from there.
 */
export function localStateLayout(outdir: string, cwd: string = process.cwd()): LocalStateLayout {
  const projectDir = physical(cwd);
  const finalOutdir = physical(resolve(cwd, outdir));
  const stacksDir = join(finalOutdir, "stacks");
  // State lives outside <outdir>/stacks/, which every synth replaces.
  const inside = relative(stacksDir, projectDir);
  if (!(inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside))) {
    throw new OutputError(
      `the output directory ${outdir} holds the project directory ${projectDir} under its stacks/: local state would be replaced by the next synth; choose another CDKTF_OUTDIR`,
    );
  }
  return { outdir: finalOutdir, projectDir };
}

function physical(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  const parent = dirname(path);
  return parent === path ? path : join(physical(parent), basename(path));
}
