import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogSubscriptionFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-subscription-filter";
import { CloudwatchLogAccountPolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-account-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { policyDocument } from "../lib/iam/policy";
import { serviceRole } from "./service-role";
import { shortHash } from "../lib/hash";

export interface SubscribedLogGroup {
  readonly name: string;
  readonly filterName: string;
  readonly filterPattern: string;
  /** Create the log group here; otherwise it must already exist. */
  readonly create: boolean;
  /** @default never expire */
  readonly retentionDays?: number;
}

export interface RegionSubscriptionsProps {
  /** Provider of one region of the sending account. */
  readonly provider: AwsProvider;
  /** The same-region destination in the security account (derived, not referenced). */
  readonly destinationArn: string;
  readonly logGroups: readonly SubscribedLogGroup[];
  /** Account-level subscription of every log group except these exact names. @default none */
  readonly allLogGroups?: { readonly policyName: string; readonly exclude: readonly string[] };
  /** Organization mode: the role CloudWatch Logs assumes to prove this account may subscribe. @default none */
  readonly senderRoleArn?: string;
}

/** Sends one region's log groups of an application account to the security account. */
export class RegionSubscriptions extends Construct {
  constructor(scope: Construct, id: string, props: RegionSubscriptionsProps) {
    super(scope, id);
    const created = new Map<string, CloudwatchLogGroup>();
    for (const group of props.logGroups) {
      if (!group.create || created.has(group.name)) continue;
      created.set(
        group.name,
        new CloudwatchLogGroup(this, `LogGroup_${constructIdOf(group.name)}`, {
          provider: props.provider,
          name: group.name,
          retentionInDays: group.retentionDays,
          // A destroy (an account or log group removed from the config) only
          // forgets the group: its events, filtered out or not yet shipped, stay.
          skipDestroy: true,
        }),
      );
    }
    for (const group of props.logGroups) {
      const logGroup = created.get(group.name);
      new CloudwatchLogSubscriptionFilter(this, `Filter_${constructIdOf(`${group.name}|${group.filterName}`)}`, {
        provider: props.provider,
        name: group.filterName,
        logGroupName: logGroup ? logGroup.name : group.name,
        filterPattern: group.filterPattern,
        destinationArn: props.destinationArn,
        roleArn: props.senderRoleArn,
        // Spreads events over shards instead of pinning each log stream to one.
        distribution: "Random",
      });
    }
    if (props.allLogGroups) {
      new CloudwatchLogAccountPolicy(this, "AccountPolicy", {
        provider: props.provider,
        policyName: props.allLogGroups.policyName,
        policyType: "SUBSCRIPTION_FILTER_POLICY",
        scope: "ALL",
        policyDocument: JSON.stringify(accountSubscriptionDocument(props.destinationArn, props.senderRoleArn)),
        selectionCriteria: selectionCriteria(props.allLogGroups.exclude),
      });
    }
  }
}

export function accountSubscriptionDocument(destinationArn: string, roleArn?: string) {
  return {
    DestinationArn: destinationArn,
    ...(roleArn ? { RoleArn: roleArn } : {}),
    FilterPattern: "",
    Distribution: "Random",
  };
}

/** `NOT IN` is the only selection operator CloudWatch Logs supports; names match exactly. */
export function selectionCriteria(exclude: readonly string[]): string | undefined {
  return exclude.length ? `LogGroupName NOT IN ${JSON.stringify([...exclude].sort())}` : undefined;
}

export interface SenderRoleProps {
  readonly provider: AwsProvider;
  readonly partition: string;
  readonly roleName: string;
  readonly accountId: string;
  readonly securityAccountId: string;
  readonly regions: readonly string[];
}

/**
 * Organization mode only: CloudWatch Logs assumes this role in the sending
 * account to check the sender may use a destination that admits the whole
 * organization (AWS's documented CWLtoSubscriptionFilterRole).
 */
export class SenderRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: SenderRoleProps) {
    super(scope, id);
    this.role = serviceRole(this, {
      provider: props.provider,
      name: props.roleName,
      description: "CloudWatch Logs proves this account may subscribe to the security log destinations",
      trust: senderTrustPolicy(props),
      policyName: "put-to-destinations",
      permissions: senderPermissions(props),
    }).role;
  }

  get arn(): string {
    return this.role.arn;
  }
}

export function senderTrustPolicy(props: Pick<SenderRoleProps, "partition" | "accountId" | "regions">) {
  return policyDocument({
    Effect: "Allow",
    Principal: { Service: "logs.amazonaws.com" },
    Action: "sts:AssumeRole",
    // Only on behalf of this account's own log groups (confused-deputy guard).
    Condition: { StringLike: { "aws:SourceArn": props.regions.map((r) => `arn:${props.partition}:logs:${r}:${props.accountId}:*`) } },
  });
}

export function senderPermissions(props: Pick<SenderRoleProps, "partition" | "securityAccountId" | "regions">) {
  return policyDocument({
    Sid: "PutToSecurityAccountDestinations",
    Effect: "Allow",
    Action: "logs:PutLogEvents",
    Resource: props.regions.map((r) => `arn:${props.partition}:logs:${r}:${props.securityAccountId}:*`),
  });
}

/**
 * Construct ids from log group names: stable under reordering, and readable
 * in plans. Characters Terraform cannot use in ids are spelled out, and a hash
 * keeps names that differ only in punctuation apart.
 */
export function constructIdOf(name: string): string {
  const readable = name.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "");
  return `${readable}_${shortHash(name)}`;
}
