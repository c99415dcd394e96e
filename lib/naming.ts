import { Partition } from "./config/regions";
import { shortHash } from "./hash";

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

  get deliveryStreamName(): string {
    return this.pipeline;
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

  alarmName(what: string): string {
    return `${this.pipeline}-${what}`;
  }

  accessLogsBucketName(): string {
    return `${this.input.prefix}-access-logs-${this.input.securityAccountId}`;
  }

  keyAlias(purpose: "archive" | "stream" | "notifications" | "terraform-state"): string {
    return `alias/${this.input.prefix}-${purpose}`;
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

  defaultBucketName(): string {
    return `${this.pipeline}-${this.input.securityAccountId}`;
  }

  destinationArn(region: string): string {
    return `arn:${this.partition}:logs:${region}:${this.input.securityAccountId}:destination:${this.destinationName}`;
  }

  logsSourceArn(region: string, accountId: string): string {
    return `arn:${this.partition}:logs:${region}:${accountId}:*`;
  }

  subscriptionFilterName(region: string, filterPattern: string, shared: boolean): string {
    // Two filters on one log group need distinct names; a hash of the pattern
    // keeps each name stable when entries are reordered.
    const base = `${this.pipeline}-${region}`;
    return shared ? `${base}-${shortHash(filterPattern)}` : base;
  }
}
