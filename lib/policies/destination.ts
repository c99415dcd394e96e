/**
 * The two policies of the cross-account CloudWatch Logs destinations, as
 * data: built by the security stack and sized by the config rules (against
 * DESTINATION_POLICY_MAX_BYTES and ROLE_TRUST_POLICY_MAX_CHARS, lib/aws-limits.ts)
 * before anything is synthesized.
 */
import { PolicyDocument, policyDocument } from "../iam/policy";
import { Partition } from "../config/regions";
import { servicePrincipal } from "../partition";

export type Subscribers =
  | { readonly kind: "accounts"; readonly accountIds: readonly string[] }
  | { readonly kind: "organization"; readonly organizationId: string };

export interface DestinationAccessPolicyProps {
  readonly destinationArn: string;
  readonly subscribers: Subscribers;
  /** Account-level subscription policies need logs:PutAccountPolicy on the destination. */
  readonly allowAccountPolicies: boolean;
}

/**
 * Who may point a subscription filter at a destination. Scoped to the
 * destination's own ARN; in organization mode any principal of the
 * organization (aws:PrincipalOrgID), otherwise exactly the listed accounts.
 */
export function destinationAccessPolicy(props: DestinationAccessPolicyProps): PolicyDocument {
  const actions = ["logs:PutSubscriptionFilter"];
  if (props.allowAccountPolicies) actions.push("logs:PutAccountPolicy");
  const base = {
    Sid: "AllowSubscribers",
    Effect: "Allow" as const,
    Action: actions,
    Resource: props.destinationArn,
  };
  if (props.subscribers.kind === "organization") {
    return policyDocument({
      ...base,
      Principal: "*",
      Condition: { StringEquals: { "aws:PrincipalOrgID": props.subscribers.organizationId } },
    });
  }
  return policyDocument({ ...base, Principal: { AWS: [...props.subscribers.accountIds].sort() } });
}

export interface DestinationTrustPolicyProps {
  readonly partition: Partition;
  readonly securityAccountId: string;
  /** Region -> sender account ids in that region; ignored in organization mode. */
  readonly sendersByRegion: ReadonlyMap<string, readonly string[]>;
  readonly organizationMode: boolean;
}

/**
 * Trust of the role CloudWatch Logs assumes to write into the stream. AWS
 * documents `aws:SourceArn` = `arn:aws:logs:<region>:<sender>:*` for every
 * sender and for the recipient (it sends a test record when the destination is
 * created). In organization mode senders are not known in advance, so the
 * condition pins the regions that have a destination.
 */
export function destinationTrustPolicy(props: DestinationTrustPolicyProps): PolicyDocument {
  const sourceArns: string[] = [];
  for (const [region, senders] of [...props.sendersByRegion].sort(([a], [b]) => a.localeCompare(b))) {
    const accounts = props.organizationMode ? ["*"] : [props.securityAccountId, ...[...senders].sort()];
    for (const account of new Set(accounts))
      sourceArns.push(`arn:${props.partition}:logs:${region}:${account}:*`);
  }
  return policyDocument({
    Effect: "Allow",
    // logs.amazonaws.com; logs.amazonaws.com.cn in aws-cn (lib/partition.ts).
    Principal: { Service: servicePrincipal("logs", props.partition) },
    Action: "sts:AssumeRole",
    Condition: { StringLike: { "aws:SourceArn": sourceArns } },
  });
}
