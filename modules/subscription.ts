import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogSubscriptionFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-subscription-filter";
import { CloudwatchLogAccountPolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-account-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { PolicyDocument, policyDocument, policySize } from "../lib/iam/policy";
import { accountPolicyExclusions, accountPolicySelectionCriteria } from "../lib/naming";
import { accountSubscriptionDocument } from "../lib/policies/destination";
import { suppressRule } from "../lib/rules/pack";
import {
  FILTER_PATTERN_MAX_CHARS,
  LOG_RETENTION_DAYS,
  MAX_SUBSCRIPTION_FILTERS_PER_LOG_GROUP,
  ROLE_INLINE_POLICIES_MAX_CHARS,
  SELECTION_CRITERIA_MAX_BYTES,
} from "../lib/aws-limits";
import { requireAtMost, requireNameFits } from "./validate";
import { serviceRole } from "./service-role";
import { shortHash } from "../lib/hash";
import { Partition } from "../lib/config/regions";
import { servicePrincipal } from "../lib/partition";

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
  /**
   * Account-level subscription of every log group except these exact names
   * and the `logGroups` above (which have their own filters). @default none
   */
  readonly allLogGroups?: { readonly policyName: string; readonly exclude: readonly string[] };
  /**
   * Organization mode: the role CloudWatch Logs assumes to prove this account
   * may subscribe, and its inline policy, which every filter and the account
   * policy wait for. @default none
   */
  readonly senderRole?: { readonly arn: string; readonly policy: ITerraformDependable };
}

/** Sends one region's log groups of an application account to the security account. */
export class RegionSubscriptions extends Construct {
  constructor(scope: Construct, id: string, props: RegionSubscriptionsProps) {
    super(scope, id);
    validateSubscriptions(this, props);
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
    // CloudWatch Logs assumes the sender role when a filter or the account
    // policy is created, and PutSubscriptionFilter fails if the role cannot
    // do what it must yet. The role ARN alone only orders them after the role,
    // not after its inline policy: wait for the policy too.
    const dependsOn = props.senderRole ? [props.senderRole.policy] : undefined;
    for (const group of props.logGroups) {
      const logGroup = created.get(group.name);
      new CloudwatchLogSubscriptionFilter(
        this,
        `Filter_${constructIdOf(`${group.name}|${group.filterName}`)}`,
        {
          provider: props.provider,
          name: group.filterName,
          logGroupName: logGroup ? logGroup.name : group.name,
          filterPattern: group.filterPattern,
          destinationArn: props.destinationArn,
          roleArn: props.senderRole?.arn,
          // Spreads events over shards instead of pinning each log stream to one.
          distribution: "Random",
          dependsOn,
        },
      );
    }
    if (props.allLogGroups) {
      new CloudwatchLogAccountPolicy(this, "AccountPolicy", {
        provider: props.provider,
        policyName: props.allLogGroups.policyName,
        policyType: "SUBSCRIPTION_FILTER_POLICY",
        scope: "ALL",
        policyDocument: JSON.stringify(
          accountSubscriptionDocument(props.destinationArn, props.senderRole?.arn),
        ),
        selectionCriteria: selectionCriteriaOf(props.allLogGroups.exclude, props.logGroups),
        dependsOn,
      });
    }
  }
}

/**
 * CloudWatch Logs' rules for what this construct creates (lib/aws-limits.ts;
 * the config checks the same first, lib/config/schema.ts and rules.ts): at
 * most two subscription filters per log group, filter patterns of at most
 * 1,024 characters, retention values PutRetentionPolicy accepts, and an
 * account policy's selection criteria within 25 KB.
 */
function validateSubscriptions(scope: Construct, props: RegionSubscriptionsProps): void {
  const filters = new Map<string, number>();
  for (const group of props.logGroups) {
    filters.set(group.name, (filters.get(group.name) ?? 0) + 1);
    requireNameFits(
      scope,
      `filterPattern of ${group.name}`,
      group.filterPattern,
      FILTER_PATTERN_MAX_CHARS,
      "CloudWatch Logs' limit on a filter pattern",
    );
    if (
      group.retentionDays !== undefined &&
      !(LOG_RETENTION_DAYS as readonly number[]).includes(group.retentionDays)
    )
      throw new Error(
        `${scope.constructor.name} ${scope.node.path}: retentionDays of ${group.name} is ${group.retentionDays}; CloudWatch Logs accepts only ${LOG_RETENTION_DAYS.join(", ")}`,
      );
  }
  for (const [name, count] of filters)
    requireAtMost(
      scope,
      `subscription filters on ${name}`,
      count,
      MAX_SUBSCRIPTION_FILTERS_PER_LOG_GROUP,
      "CloudWatch Logs allows at most two per log group",
    );
  const criteria = props.allLogGroups && selectionCriteriaOf(props.allLogGroups.exclude, props.logGroups);
  // No exclusions: no selection criteria, nothing to measure.
  if (criteria !== undefined) {
    requireAtMost(
      scope,
      "account policy selection criteria (bytes)",
      Buffer.byteLength(criteria, "utf8"),
      SELECTION_CRITERIA_MAX_BYTES,
      "CloudWatch Logs caps selection criteria at 25 KB; exclude fewer log groups",
    );
  }
}

/** Groups with their own filter are skipped by the account policy, or they would ship twice (lib/naming.ts). */
function selectionCriteriaOf(exclude: readonly string[], logGroups: readonly SubscribedLogGroup[]) {
  return accountPolicySelectionCriteria(
    accountPolicyExclusions(
      exclude,
      logGroups.map((g) => g.name),
    ),
  );
}

export interface SenderRoleProps {
  readonly provider: AwsProvider;
  readonly partition: Partition;
  readonly roleName: string;
  /** The log groups this account subscribes, in each region it ships from (Naming.senderLogGroupArns). */
  readonly subscribedLogGroupArns: readonly string[];
  /** Every log group of this account in each region it ships from, for when the list above does not fit IAM's quota. */
  readonly regionLogGroupArns: readonly string[];
}

/**
 * Organization mode only: CloudWatch Logs assumes this role in the sending
 * account "and validate[s] whether the sender account has permission to
 * create a subscription filter against the recipient destination". Trust and
 * permissions are the ones AWS documents for that role, CWLtoSubscriptionFilterRole
 * (CloudWatch Logs user guide, cross-account cross-Region subscriptions,
 * "Step 2: (Only if using an organization) Create an IAM role",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CreateSubscriptionFilter-IAMrole.html,
 * and for account-level policies "Step 1: Update the subscription filters",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Cross-Account-Log_Subscription-Update-filter-Account.html).
 *
 * Whoever creates the filters and the account policy (Terraform's identity in
 * this account) needs `iam:PassRole` on it: "To perform a PutSubscriptionFilter
 * operation for any destination except a Lambda function, you must also have
 * the iam:PassRole permission" (PutSubscriptionFilter, CloudWatch Logs API
 * reference); PutAccountPolicy says the same for subscription filter policies.
 */
export class SenderRole extends Construct {
  readonly role: IamRole;
  /** The role's one inline policy: filters must wait for it, not only for the role. */
  readonly policy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: SenderRoleProps) {
    super(scope, id);
    const { role, policy } = serviceRole(this, {
      provider: props.provider,
      name: props.roleName,
      description: "CloudWatch Logs proves this account may subscribe to the security log destinations",
      trust: senderTrustPolicy(props),
      policyName: "put-to-destinations",
      permissions: senderPermissions(props),
    });
    this.role = role;
    this.policy = policy;
    suppressRule(
      role,
      "IAM_SERVICE_TRUST_CONDITION",
      "AWS documents this role's trust without a condition and documents no aws:SourceArn or aws:SourceAccount for it; only identities allowed iam:PassRole on it can name it in a filter, and it may only write this account's own log groups in the regions it ships from",
    );
  }

  get arn(): string {
    return this.role.arn;
  }
}

/**
 * Exactly AWS's documented trust: `{ "Effect": "Allow", "Principal": { "Service":
 * "logs.amazonaws.com" }, "Action": "sts:AssumeRole" }`, with no condition.
 * AWS documents confused-deputy keys for the recipient's destination role
 * (Confused deputy prevention, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions-confused-deputy.html),
 * not for this one, and does not say CloudWatch Logs sends `aws:SourceArn`
 * when it assumes it to validate a new filter; a condition on a key that is
 * absent denies the assumption, so every filter would fail to create.
 */
export function senderTrustPolicy(props: Pick<SenderRoleProps, "partition">) {
  return policyDocument({
    Effect: "Allow",
    // logs.amazonaws.com; logs.amazonaws.com.cn in aws-cn (lib/partition.ts).
    Principal: { Service: servicePrincipal("logs", props.partition) },
    Action: "sts:AssumeRole",
  });
}

/**
 * AWS's documented permission, `logs:PutLogEvents` on
 * `arn:aws:logs:region:111111111111:log-group:LogGroupOnWhichSubscriptionFilterIsCreated:*`:
 * the sender's own log groups, never the security account's. One ARN per
 * subscribed log group and region (with `allLogGroups`, the region's log
 * groups); when that list would not fit IAM's 10,240-character quota, every
 * log group of this account in the regions it ships from, and nothing wider.
 */
export function senderPermissions(
  props: Pick<SenderRoleProps, "subscribedLogGroupArns" | "regionLogGroupArns">,
): PolicyDocument {
  const allow = (resources: readonly string[]) =>
    policyDocument({
      Sid: "ValidateSubscriptionsOfOwnLogGroups",
      Effect: "Allow",
      Action: "logs:PutLogEvents",
      Resource: [...resources],
    });
  const narrow = allow(props.subscribedLogGroupArns);
  return policySize(narrow) <= ROLE_INLINE_POLICIES_MAX_CHARS ? narrow : allow(props.regionLogGroupArns);
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
