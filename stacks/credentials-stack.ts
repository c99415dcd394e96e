import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { SecLogConfig } from "../lib/config/model";
import { Naming } from "../lib/naming";
import { StackInventory } from "../lib/policies/run-role";
import { RunPhase, runSubject } from "../lib/tfc";
import { RunIdentityProvider, RunRoles } from "../modules/run-credentials";
import { accountProviders } from "./providers";
import { localBackend } from "./backend";

export const CREDENTIALS_STACK_NAME = "credentials";

/** A stack that runs in a Terraform Cloud workspace, as synthesized, and how the operator reaches its account. */
export interface WorkspaceStack {
  readonly inventory: StackInventory;
  /** The configured role of the account (`security.roleArn`, `accounts[].roleArn`, `archive.replica.roleArn`). */
  readonly operatorRoleArn?: string;
  /** The region of the account's provider here: the stack's home (IAM is global; any region serves). */
  readonly region: string;
}

/**
 * `state.cloud.dynamicCredentials`: in every account a workspace deploys to,
 * the IAM OIDC provider for the Terraform Cloud hostname and, for the stack
 * of that account, a plan role and an apply role trusted only for that
 * workspace and phase (modules/run-credentials.ts).
 *
 * One stack with a provider per account, not one per account: the roles must
 * exist before any workspace's first run, so this runs once, from the
 * operator's machine, with the operator's credentials (each provider assumes
 * the account's configured role, as the stacks did before dynamic
 * credentials), and one local state keeps every account's provider and roles
 * where one `cdktf deploy credentials` (and one review) covers them. Its state
 * stays local, like the `state` stack's: it holds no secret, only ARNs and
 * policies. A new account is one more provider here: apply this stack again
 * before the new workspace's first run.
 */
export class CredentialsStack extends TerraformStack {
  constructor(scope: Construct, config: SecLogConfig, naming: Naming, stacks: readonly WorkspaceStack[]) {
    super(scope, CREDENTIALS_STACK_NAME);
    const cloud = config.state;
    if (cloud.backend !== "cloud" || !cloud.dynamicCredentials)
      throw new Error("the credentials stack exists only with state.cloud.dynamicCredentials");
    localBackend(this);
    const { audience } = cloud.dynamicCredentials;
    const roleArns: Record<string, Record<RunPhase, string>> = {};
    for (const { inventory, operatorRoleArn, region } of stacks) {
      const name = inventory.name;
      const provider = accountProviders(new Construct(this, `Account_${name}`), {
        accountId: inventory.accountId,
        regions: [region],
        roleArn: operatorRoleArn,
        tags: config.tags,
        sessionName: `${config.prefix}-seclog`,
        alias: name.replace(/-/g, "_"),
      }).get(region)!;
      const identityProvider = new RunIdentityProvider(this, `Oidc_${name}`, {
        provider,
        hostname: cloud.hostname,
        audience,
      });
      const roles = new RunRoles(this, `RunRoles_${name}`, {
        provider,
        partition: config.partition,
        hostname: cloud.hostname,
        audience,
        stack: inventory,
        roleNames: { plan: naming.runRoleName(name, "plan"), apply: naming.runRoleName(name, "apply") },
        subjects: { plan: runSubject(cloud, name, "plan"), apply: runSubject(cloud, name, "apply") },
        identityProvider,
      });
      roleArns[name] = { plan: roles.roles.plan.arn, apply: roles.roles.apply.arn };
    }
    new TerraformOutput(this, "run_role_arns", {
      value: roleArns,
      description: "per workspace stack, the roles its plan and apply runs assume",
    });
  }
}
