import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { policyJson } from "../lib/iam/policy";
import { suppressRule } from "../lib/rules/pack";
import { StateLocation, stateRolePolicy, stateRoleTrust } from "../lib/state-policy";
import { IAM_ROLE_NAME_MAX_CHARS } from "../lib/aws-limits";
import { requireNameFits } from "./validate";

export interface StateAccessRoleProps {
  /** The security account's provider (the state bucket's account). */
  readonly provider: AwsProvider;
  readonly location: StateLocation;
  /** The application stack whose state the role reaches (its name is the stack name). */
  readonly stack: string;
  /** The application account that alone may assume the role. */
  readonly accountId: string;
  /** `<prefix>-tfstate-<stack>`, from Naming. */
  readonly roleName: string;
  /** The state key; omitted with SSE-S3. */
  readonly kmsKeyArn?: string;
}

/**
 * The role one application stack's S3 backend assumes, in the security
 * account: trusted by that application account only, allowed its own state
 * object and lock (and the state key through S3), nothing else. One role per
 * stack rather than bucket-policy grants: S3's 20 KB bucket-policy limit
 * would stop at about 25-30 accounts; roles scale.
 */
export class StateAccessRole extends Construct {
  readonly role: IamRole;
  readonly policy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: StateAccessRoleProps) {
    super(scope, id);
    requireNameFits(this, "roleName", props.roleName, IAM_ROLE_NAME_MAX_CHARS, "IAM's limit on a role name");
    const { provider } = props;
    this.role = new IamRole(this, "Role", {
      provider,
      name: props.roleName,
      description: `Terraform S3 backend of stack ${props.stack} (account ${props.accountId}): its own state and lock only`,
      assumeRolePolicy: policyJson(stateRoleTrust(props.location.partition, props.accountId)),
    });
    suppressRule(
      this.role,
      "IAM_ACCOUNT_TRUST_CONDITION",
      "trusts the stack's own application account, not a third party (sts:ExternalId is for third parties: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html); that account's IAM picks who assumes it, and it reaches only this stack's state",
    );
    this.policy = new IamRolePolicy(this, "RolePolicy", {
      provider,
      role: this.role.id,
      name: "own-terraform-state",
      policy: policyJson(
        stateRolePolicy({ location: props.location, stack: props.stack, kmsKeyArn: props.kmsKeyArn }),
      ),
    });
  }

  get arn(): string {
    return this.role.arn;
  }
}
