import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { PolicyDocument, policyJson } from "../lib/iam/policy";
import { IAM_ROLE_NAME_MAX_CHARS, ROLE_INLINE_POLICIES_MAX_CHARS } from "../lib/aws-limits";
import { requireNameFits, requirePolicyFits } from "./validate";

export interface ServiceRoleProps {
  readonly provider: AwsProvider;
  readonly name: string;
  readonly description: string;
  /** Who may assume the role (an AWS service, with its confused-deputy condition). */
  readonly trust: PolicyDocument;
  /** Name of the single inline policy. */
  readonly policyName: string;
  readonly permissions: PolicyDocument;
}

/**
 * A role an AWS service assumes, with exactly one inline policy, created as
 * `Role` and `RolePolicy` in the caller's scope (so logical ids stay the
 * caller's). Inline rather than managed: the permissions live and die with
 * the role and cannot be attached elsewhere.
 */
export function serviceRole(
  scope: Construct,
  props: ServiceRoleProps,
): { role: IamRole; policy: IamRolePolicy } {
  requireNameFits(scope, "name", props.name, IAM_ROLE_NAME_MAX_CHARS, "IAM's limit on a role name");
  requirePolicyFits(
    scope,
    "permissions",
    props.permissions,
    ROLE_INLINE_POLICIES_MAX_CHARS,
    "IAM's quota for a role's inline policies",
  );
  const role = new IamRole(scope, "Role", {
    provider: props.provider,
    name: props.name,
    description: props.description,
    assumeRolePolicy: policyJson(props.trust),
  });
  const policy = new IamRolePolicy(scope, "RolePolicy", {
    provider: props.provider,
    role: role.id,
    name: props.policyName,
    policy: policyJson(props.permissions),
  });
  return { role, policy };
}
