import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Partition } from "../lib/config/regions";
import { runRolePermissions, runRoleTrust, StackInventory, UNSCOPED_SID } from "../lib/policies/run-role";
import { suppressRule } from "../lib/rules/pack";
import { RUN_PHASES, RunPhase, issuerUrl } from "../lib/tfc";
import { serviceRole } from "./service-role";

export interface RunIdentityProviderProps {
  readonly provider: AwsProvider;
  /** Terraform Cloud / Enterprise hostname, e.g. app.terraform.io. */
  readonly hostname: string;
  /** The token audience (`aws.workload.identity` unless Terraform Enterprise sets another). */
  readonly audience: string;
}

/**
 * The account's IAM OIDC identity provider for Terraform Cloud's tokens. No
 * thumbprint: "IAM no longer uses the thumbprint for OIDC providers whose
 * certificates are signed by a trusted root CA" (IAM User Guide, "Create an
 * OpenID Connect (OIDC) identity provider in IAM",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html),
 * and `thumbprint_list` is optional in the AWS provider this app pins (5.100.0).
 */
export class RunIdentityProvider extends Construct {
  readonly arn: string;

  constructor(scope: Construct, id: string, props: RunIdentityProviderProps) {
    super(scope, id);
    const oidc = new IamOpenidConnectProvider(this, "Provider", {
      provider: props.provider,
      url: issuerUrl(props.hostname),
      clientIdList: [props.audience],
    });
    this.arn = oidc.arn;
  }
}

export interface RunRolesProps {
  readonly provider: AwsProvider;
  readonly partition: Partition;
  readonly hostname: string;
  readonly audience: string;
  /** The stack whose workspace assumes the roles, as synthesized. */
  readonly stack: StackInventory;
  /** Role name per phase (Naming.runRoleName). */
  readonly roleNames: Readonly<Record<RunPhase, string>>;
  /** Token subject per phase (lib/tfc.ts runSubject). */
  readonly subjects: Readonly<Record<RunPhase, string>>;
  /** The account's OIDC provider: the roles' trust names it, so it must exist first. */
  readonly identityProvider: RunIdentityProvider;
}

/**
 * A plan role and an apply role for one stack's workspace: each trusted only
 * for its own phase, the plan role with the stack's read actions only, so a
 * speculative or queued plan cannot change anything.
 */
export class RunRoles extends Construct {
  readonly roles: Readonly<Record<RunPhase, IamRole>>;

  constructor(scope: Construct, id: string, props: RunRolesProps) {
    super(scope, id);
    const roles = {} as Record<RunPhase, IamRole>;
    for (const phase of RUN_PHASES) {
      const permissions = runRolePermissions(props.stack, phase);
      const { role, policy } = serviceRole(new Construct(this, phase === "plan" ? "Plan" : "Apply"), {
        provider: props.provider,
        name: props.roleNames[phase],
        description: `Terraform Cloud ${phase} runs of the ${props.stack.name} workspace`,
        trust: runRoleTrust({
          partition: props.partition,
          accountId: props.stack.accountId,
          hostname: props.hostname,
          audience: props.audience,
          subject: props.subjects[phase],
        }),
        policyName: `${phase}-${props.stack.name}`,
        permissions,
      });
      if (permissions.Statement.some((st) => st.Sid === UNSCOPED_SID))
        suppressRule(
          policy,
          "IAM_RESOURCE_SCOPED",
          `${UNSCOPED_SID}: AWS evaluates these actions (kms:CreateKey, logs:PutAccountPolicy, ...) against * only; every other statement names the stack's resources`,
        );
      role.node.addDependency(props.identityProvider);
      roles[phase] = role;
    }
    this.roles = roles;
  }
}
