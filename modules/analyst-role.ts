import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { PolicyDocument } from "../lib/iam/policy";
import { serviceRole } from "./service-role";

export interface AnalystRoleProps {
  readonly provider: AwsProvider;
  readonly name: string;
  /** lib/policies/analyst.ts analystTrust. */
  readonly trust: PolicyDocument;
  /** lib/policies/analyst.ts analystPermissions. */
  readonly permissions: PolicyDocument;
}

/** The role incident responders assume to run hunts: read-only on the events, one inline policy. */
export class AnalystRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: AnalystRoleProps) {
    super(scope, id);
    this.role = serviceRole(this, {
      provider: props.provider,
      name: props.name,
      description:
        "Runs the saved hunts of the security log archive; reads events/, writes only query results",
      trust: props.trust,
      policyName: "search-security-logs",
      permissions: props.permissions,
    }).role;
  }

  get arn(): string {
    return this.role.arn;
  }
}
