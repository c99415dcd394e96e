import { Partition, partitionOf } from "./config/regions";

/**
 * Every name and cross-account ARN the pipeline uses, derived from the config.
 * App stacks compute the destination ARN from here instead of reading another
 * account's state, so a stack never depends on a stack it cannot read.
 */
export interface NamingInput {
  readonly prefix: string;
  readonly partition: Partition;
  readonly securityAccountId: string;
}

export class Naming {
  constructor(private readonly input: NamingInput) {}

  get partition(): Partition {
    return this.input.partition;
  }

  get pipeline(): string {
    return `${this.input.prefix}-security-logs`;
  }

  get streamName(): string {
    return this.pipeline;
  }

  /**
   * The delivery stream's name follows its format: switching formats forces
   * Firehose to replace the stream (dynamic partitioning cannot be turned on or
   * off on an existing stream), and the replacement is created before the old
   * one is destroyed, so both must be able to exist at once (modules/delivery.ts).
   * The events format, the default, keeps the plain pipeline name.
   */
  deliveryStreamName(format: "events" | "raw"): string {
    return format === "events" ? this.pipeline : `${this.pipeline}-raw`;
  }

  get destinationName(): string {
    return this.pipeline;
  }

  get destinationRoleName(): string {
    return `${this.input.prefix}-logs-destination`;
  }

  get firehoseRoleName(): string {
    return `${this.input.prefix}-logs-firehose`;
  }

  get senderRoleName(): string {
    return `${this.input.prefix}-logs-subscription`;
  }

  get firehoseLogGroupName(): string {
    return `/aws/kinesisfirehose/${this.pipeline}`;
  }

  get processorName(): string {
    return `${this.input.prefix}-logs-processor`;
  }

  get processorLogGroupName(): string {
    return `/aws/lambda/${this.processorName}`;
  }

  /**
   * Subscription filter and account policy names carry the region: CloudWatch
   * Logs puts them in every envelope, and the processor reads the source
   * region from there (the envelope has no region of its own).
   */
  accountPolicyName(region: string): string {
    return `${this.pipeline}-${region}`;
  }

  get alarmTopicName(): string {
    return `${this.pipeline}-alarms`;
  }

  get objectQueueName(): string {
    return `${this.pipeline}-objects`;
  }

  get metricNamespace(): string {
    return `SecLog/${this.input.prefix}`;
  }

  /** Athena workgroup of the saved hunts (issue 17: `<prefix>-security-logs`). */
  get searchWorkgroupName(): string {
    return this.pipeline;
  }

  /**
   * Glue database of the events tables. Athena database names take only
   * letters, digits and underscores ("Names for tables, databases, and
   * columns", Athena User Guide, https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html),
   * so the prefix's hyphens become underscores.
   */
  get searchDatabaseName(): string {
    return `${this.pipeline.replace(/-/g, "_")}`;
  }

  /** Bucket of Athena's query results (their own bucket: they expire, the archive does not). */
  searchResultsBucketName(): string {
    return `${this.input.prefix}-athena-results-${this.input.securityAccountId}`;
  }

  /** Role the `search.analystPrincipals` assume to run hunts. */
  get analystRoleName(): string {
    return `${this.input.prefix}-security-logs-analyst`;
  }

  accessLogsBucketName(): string {
    return `${this.input.prefix}-access-logs-${this.input.securityAccountId}`;
  }

  keyAlias(
    purpose: "archive" | "stream" | "notifications" | "search-results" | "terraform-state" | "replica",
  ): string {
    return `alias/${this.input.prefix}-${purpose}`;
  }

  /**
   * The key of the alarm topic in a region other than the home region (the
   * replica bucket's, where S3 publishes ReplicationLatency): the region in
   * the alias keeps it apart from the home region's `notifications` key.
   */
  regionalKeyAlias(purpose: "notifications", region: string): string {
    return `${this.keyAlias(purpose)}-${region}`;
  }

  /**
   * The vault account's copy of the archive: named by the vault account, so
   * the security stack knows it (and its ARN) before the vault stack has run.
   */
  replicaBucketName(vaultAccountId: string): string {
    return `${this.pipeline}-replica-${vaultAccountId}`;
  }

  /** Its ARN: the security stack's replication, the vault's policies, verify and the SCP name it. */
  replicaBucketArn(vaultAccountId: string): string {
    return `arn:${this.partition}:s3:::${this.replicaBucketName(vaultAccountId)}`;
  }

  /**
   * The replica key by its alias ARN, the one name of the vault account's key
   * the security account can derive: the replication configuration encrypts
   * replicas with it (S3 takes a key ARN or an alias ARN as ReplicaKmsKeyID).
   */
  replicaKeyAliasArn(vaultAccountId: string, region: string): string {
    return `arn:${this.partition}:kms:${region}:${vaultAccountId}:${this.keyAlias("replica")}`;
  }

  /** The role S3 assumes to replicate the archive into the vault account. */
  get replicationRoleName(): string {
    return `${this.input.prefix}-logs-replication`;
  }

  get replicationRoleArn(): string {
    return `arn:${this.partition}:iam::${this.input.securityAccountId}:role/${this.replicationRoleName}`;
  }

  /** The alias ARN: S3 accepts it wherever a key id goes, and it is known before the key exists. */
  keyAliasArn(purpose: "terraform-state", region: string): string {
    return `arn:${this.partition}:kms:${region}:${this.input.securityAccountId}:${this.keyAlias(purpose)}`;
  }

  /**
   * The role in the security account an application stack's S3 backend
   * assumes to reach its own state object and lock, and nothing else
   * (created by the `state` stack with `state.s3.bootstrap`).
   */
  stateRoleName(stack: string): string {
    return `${this.input.prefix}-tfstate-${stack}`;
  }

  /** Derived, never read from state: the app stack's backend names it before the role exists. */
  stateRoleArn(stack: string): string {
    return `arn:${this.partition}:iam::${this.input.securityAccountId}:role/${this.stateRoleName(stack)}`;
  }

  /**
   * The role a stack's Terraform Cloud runs assume in that stack's account for
   * one phase (`state.cloud.dynamicCredentials`): the plan role reads, the
   * apply role changes.
   */
  runRoleName(stack: string, phase: "plan" | "apply"): string {
    return `${this.input.prefix}-tfc-${stack}-${phase}`;
  }

  runRoleArn(accountId: string, stack: string, phase: "plan" | "apply"): string {
    return `arn:${this.partition}:iam::${accountId}:role/${this.runRoleName(stack, phase)}`;
  }

  defaultBucketName(): string {
    return `${this.pipeline}-${this.input.securityAccountId}`;
  }

  destinationArn(region: string): string {
    return `arn:${this.partition}:logs:${region}:${this.input.securityAccountId}:destination:${this.destinationName}`;
  }

  /**
   * The log groups the organization-mode sender role lets CloudWatch Logs
   * write, in the sending account's own regions only. AWS documents the role's
   * permission as `logs:PutLogEvents` on the log group the subscription filter
   * is created on (`arn:aws:logs:region:111111111111:log-group:LogGroupOnWhichSubscriptionFilterIsCreated:*`;
   * CloudWatch Logs user guide, "Step 2: (Only if using an organization) Create an IAM role",
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CreateSubscriptionFilter-IAMrole.html,
   * and "Step 1: Update the subscription filters" for account-level policies,
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Cross-Account-Log_Subscription-Update-filter-Account.html).
   * So: each subscribed group in each region, or, where an account-level
   * policy covers every log group of the region (`allLogGroups`), every log
   * group of the account in that region.
   */
  senderLogGroupArns(
    accountId: string,
    regions: readonly string[],
    logGroupNames: readonly string[],
    allLogGroups: boolean,
  ): string[] {
    const names = [...new Set(logGroupNames)].sort();
    return regions.flatMap((region) => {
      const groups = `arn:${this.partition}:logs:${region}:${accountId}:log-group:`;
      return allLogGroups ? [`${groups}*`] : names.map((name) => `${groups}${name}:*`);
    });
  }

  /**
   * A log group's filters are named by their place among that group's entries
   * (`slot` 0 or 1; CloudWatch Logs allows two per group), never by their
   * pattern: changing a pattern then updates the filter in place, and adding a
   * second filter leaves the first one's name, and so the filter, untouched.
   * A renamed filter would be destroyed and recreated, and events ingested in
   * between are never shipped.
   */
  subscriptionFilterName(region: string, slot: number): string {
    const base = `${this.pipeline}-${region}`;
    return slot === 0 ? base : `${base}-${slot + 1}`;
  }
}

/** What a config must say for its names: the raw config and the resolved model both qualify. */
export interface NamingSource {
  readonly prefix: string;
  readonly security: { readonly accountId: string; readonly region: string };
}

/** The naming of a config; the partition follows the security account's home region. */
export function namingOf(config: NamingSource): Naming {
  return new Naming({
    prefix: config.prefix,
    partition: partitionOf(config.security.region),
    securityAccountId: config.security.accountId,
  });
}

/**
 * The log groups an account-level subscription policy must skip: the
 * configured `allLogGroups.exclude` plus every log group subscribed one by
 * one. AWS applies the two kinds side by side: "You can create subscriptions
 * at the account level and at the log group level" (CloudWatch Logs user
 * guide, Real-time processing of log data with subscriptions,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html),
 * and without selection criteria "the account-level subscription filter is
 * applied to all log groups in the account" (subscription concepts,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/subscription-concepts.html).
 * PutAccountPolicy gives transformer and field index policies a rule that the
 * log-group-level policy wins; it gives subscription filter policies none. So
 * a group matched by both ships every event twice, and the account policy
 * bypasses the group's own filterPattern. Exact names, each once, sorted: the
 * criteria, and so the plan, do not change when entries are reordered.
 */
export function accountPolicyExclusions(
  exclude: readonly string[],
  subscribedLogGroups: readonly string[],
): string[] {
  return [...new Set([...exclude, ...subscribedLogGroups])].sort();
}

/**
 * `LogGroupName NOT IN [...]` is the only selection criteria CloudWatch Logs
 * supports for a subscription filter policy, and it matches names exactly
 * (PutAccountPolicy: "If policyType is SUBSCRIPTION_FILTER_POLICY, the only
 * supported selectionCriteria filter is LogGroupName NOT IN []"). Undefined
 * when nothing is excluded.
 */
export function accountPolicySelectionCriteria(exclusions: readonly string[]): string | undefined {
  return exclusions.length ? `LogGroupName NOT IN ${JSON.stringify(exclusions)}` : undefined;
}
