import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { serviceRole } from "./service-role";
import { CloudwatchLogDestination } from "@cdktf/provider-aws/lib/cloudwatch-log-destination";
import { CloudwatchLogDestinationPolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-destination-policy";
import { PolicyDocument, policyDocument, policyJson } from "../lib/iam/policy";
import { ArnRef } from "./refs";
import { requirePolicyFits } from "./validate";
import { DESTINATION_POLICY_MAX_BYTES, ROLE_TRUST_POLICY_MAX_CHARS } from "../lib/aws-limits";

export interface DestinationRoleProps {
  readonly provider: AwsProvider;
  readonly roleName: string;
  readonly trustPolicy: PolicyDocument;
  /** The stream CloudWatch Logs puts records into, and the key it is encrypted with. */
  readonly target: { readonly stream: ArnRef; readonly key: ArnRef };
}

/**
 * The role CloudWatch Logs assumes to put records into the stream. IAM is
 * global, so one role serves the destinations of every region.
 */
export class DestinationRole extends Construct {
  readonly role: IamRole;
  readonly policy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: DestinationRoleProps) {
    super(scope, id);
    requirePolicyFits(
      this,
      "trustPolicy",
      props.trustPolicy,
      ROLE_TRUST_POLICY_MAX_CHARS,
      "IAM's quota for a role trust policy (characters, white space not counted); admit an organization instead of listing accounts",
    );
    ({ role: this.role, policy: this.policy } = serviceRole(this, {
      provider: props.provider,
      name: props.roleName,
      description: "CloudWatch Logs destinations put subscribed log records into the security log stream",
      trust: props.trustPolicy,
      policyName: "put-into-stream",
      permissions: destinationRolePermissions(props.target),
    }));
  }
}

/** Exactly what AWS documents for a destination role: PutRecord on one stream, plus its key for SSE. */
export function destinationRolePermissions(target: DestinationRoleProps["target"]) {
  return policyDocument(
    { Sid: "PutIntoStream", Effect: "Allow", Action: "kinesis:PutRecord", Resource: target.stream.arn },
    { Sid: "EncryptStreamRecords", Effect: "Allow", Action: "kms:GenerateDataKey", Resource: target.key.arn },
  );
}

export interface LogDestinationProps {
  /** Provider of the destination's region: destinations receive only same-region subscriptions. */
  readonly provider: AwsProvider;
  readonly name: string;
  readonly role: DestinationRole;
  /** The stream the destination targets. */
  readonly stream: ArnRef;
  /** @default no access policy: only this account may subscribe */
  readonly accessPolicy?: PolicyDocument;
  /**
   * Needed when an existing policy that lists accounts is replaced by one
   * that admits an organization (PutDestinationPolicy `forceUpdate`).
   * @default false
   */
  readonly forceUpdate?: boolean;
}

/** One cross-account CloudWatch Logs destination in one region, targeting the central stream. */
export class LogDestination extends Construct {
  readonly destination: CloudwatchLogDestination;

  constructor(scope: Construct, id: string, props: LogDestinationProps) {
    super(scope, id);
    if (props.accessPolicy)
      requirePolicyFits(
        this,
        "accessPolicy",
        props.accessPolicy,
        DESTINATION_POLICY_MAX_BYTES,
        "PutDestinationPolicy's limit in bytes; admit an organization instead of listing accounts",
      );
    this.destination = new CloudwatchLogDestination(this, "Destination", {
      provider: props.provider,
      name: props.name,
      roleArn: props.role.role.arn,
      targetArn: props.stream.arn,
      // CloudWatch Logs sends a test record on creation: the role must already be able to write.
      dependsOn: [props.role.policy],
    });
    if (props.accessPolicy) {
      new CloudwatchLogDestinationPolicy(this, "AccessPolicy", {
        provider: props.provider,
        destinationName: this.destination.name,
        accessPolicy: policyJson(props.accessPolicy),
        forceUpdate: props.forceUpdate ?? false,
      });
    }
  }

  get arn(): string {
    return this.destination.arn;
  }
}
