/**
 * The two policies of the cross-account CloudWatch Logs destinations, as
 * data: built by the security stack and sized by the config rules (against
 * DESTINATION_POLICY_MAX_BYTES and ROLE_TRUST_POLICY_MAX_CHARS, lib/aws-limits.ts)
 * before anything is synthesized.
 */
import { PolicyDocument, policyDocument } from "../iam/policy";
import { Partition } from "../config/regions";
import { servicePrincipal } from "../partition";
import { SecLogConfig } from "../config/model";
import { Naming } from "../naming";

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

/** Who may subscribe: the organization, else the accounts shipping from the region; none: no access policy. */
export function subscribersOf(config: SecLogConfig, accountIds: readonly string[]): Subscribers | undefined {
  if (config.organizationId) return { kind: "organization", organizationId: config.organizationId };
  return accountIds.length ? { kind: "accounts", accountIds } : undefined;
}

/**
 * The access policy of a region's destination as the security stack sets it,
 * and as `npm run verify` expects to read it back; undefined when nobody ships
 * from the region (the home region of a config whose accounts ship elsewhere).
 */
export function regionAccessPolicy(
  config: SecLogConfig,
  naming: Naming,
  region: string,
): PolicyDocument | undefined {
  const subscribers = subscribersOf(config, config.sendersByRegion.get(region) ?? []);
  return subscribers
    ? destinationAccessPolicy({
        destinationArn: naming.destinationArn(region),
        subscribers,
        allowAccountPolicies: config.accounts.some((a) => a.allLogGroups),
      })
    : undefined;
}

/**
 * The document of an account-level subscription filter policy
 * (PutAccountPolicy, SUBSCRIPTION_FILTER_POLICY): every event (empty pattern),
 * spread over shards, with the sender role in organization mode.
 */
export function accountSubscriptionDocument(destinationArn: string, roleArn?: string) {
  return {
    DestinationArn: destinationArn,
    ...(roleArn ? { RoleArn: roleArn } : {}),
    FilterPattern: "",
    Distribution: "Random",
  };
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
