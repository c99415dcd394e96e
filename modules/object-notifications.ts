import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { policyDocument, policyJson } from "../lib/iam/policy";
import { Partition } from "../lib/config/regions";
import { servicePrincipal } from "../lib/partition";
import { SQS_MAX_MESSAGE_RETENTION_SECONDS } from "../lib/aws-limits";
import { ArnRef, BucketRef } from "./refs";

export interface ObjectNotificationsProps {
  readonly provider: AwsProvider;
  readonly partition: Partition;
  readonly accountId: string;
  readonly queueName: string;
  /** The key both queues are encrypted with. */
  readonly key: ArnRef;
  /** The bucket whose new objects are announced. */
  readonly bucket: BucketRef;
  /** Only objects under this prefix (the delivered data, not errors) are announced. */
  readonly prefix: string;
}

/** Receives after which a message moves to the dead-letter queue. */
export const MAX_RECEIVES = 5;
/** Messages are kept as long as SQS allows: a stalled consumer has the most time to recover. */
const MESSAGE_RETENTION_SECONDS = SQS_MAX_MESSAGE_RETENTION_SECONDS;

/**
 * S3 `ObjectCreated` events for new archive objects, on a KMS-encrypted SQS
 * queue with a dead-letter queue: the hand-off SIEM S3 inputs poll. Only this
 * bucket, in this account, may send to the queue.
 */
export class ObjectNotifications extends Construct {
  readonly queue: SqsQueue;

  constructor(scope: Construct, id: string, props: ObjectNotificationsProps) {
    super(scope, id);
    const provider = props.provider;
    const encryption = { kmsMasterKeyId: props.key.arn, kmsDataKeyReusePeriodSeconds: 300 };
    const deadLetters = new SqsQueue(this, "DeadLetterQueue", {
      provider,
      name: `${props.queueName}-dlq`,
      messageRetentionSeconds: MESSAGE_RETENTION_SECONDS,
      ...encryption,
    });
    this.queue = new SqsQueue(this, "Queue", {
      provider,
      name: props.queueName,
      messageRetentionSeconds: MESSAGE_RETENTION_SECONDS,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetters.arn, maxReceiveCount: MAX_RECEIVES }),
      ...encryption,
    });
    const policy = new SqsQueuePolicy(this, "Policy", {
      provider,
      queueUrl: this.queue.url,
      policy: policyJson(
        objectQueuePolicy({
          partition: props.partition,
          queueArn: this.queue.arn,
          bucketArn: props.bucket.arn,
          accountId: props.accountId,
        }),
      ),
    });
    new S3BucketNotification(this, "BucketNotification", {
      provider,
      bucket: props.bucket.name,
      queue: [{ queueArn: this.queue.arn, events: ["s3:ObjectCreated:*"], filterPrefix: props.prefix }],
      // S3 sends a test message when the notification is saved: the queue must accept it.
      dependsOn: [policy],
    });
  }
}

/** S3 may send messages only for this bucket of this account (aws:SourceArn, aws:SourceAccount). */
export function objectQueuePolicy({
  partition,
  queueArn,
  bucketArn,
  accountId,
}: {
  readonly partition: Partition;
  readonly queueArn: string;
  readonly bucketArn: string;
  readonly accountId: string;
}) {
  return policyDocument({
    Sid: "ArchiveBucketEvents",
    Effect: "Allow",
    Principal: { Service: servicePrincipal("s3", partition) },
    Action: "sqs:SendMessage",
    Resource: queueArn,
    Condition: {
      ArnEquals: { "aws:SourceArn": bucketArn },
      StringEquals: { "aws:SourceAccount": accountId },
    },
  });
}
