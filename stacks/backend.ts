import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformStack } from "cdktf";
import { StateSettings } from "../lib/config/model";

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
export function attachBackend(stack: TerraformStack, stackName: string, state: StateSettings, access: BackendAccess = {}): void {
  switch (state.backend) {
    case "s3": {
      // Bootstrapped: an application account's own credentials cannot reach the
      // security account's bucket; its backend assumes the stack's state role
      // there, which reaches that stack's state and lock only.
      const roleArn = state.bootstrap && access.applicationRoleArn ? access.applicationRoleArn : state.roleArn;
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
      localBackend(stack);
      return;
  }
}

/**
 * cdktf's own default: `terraform.<stack>.tfstate` in the project directory,
 * as an absolute path. A relative path would resolve inside
 * cdktf.out/stacks/<stack>/, which every synth replaces: the state, and with
 * it Terraform's knowledge of the archive, would be deleted.
 */
export function localBackend(stack: TerraformStack): LocalBackend {
  return new LocalBackend(stack, {});
}
