import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { policyDocument, policyJson } from "../lib/iam/policy";
import { Partition } from "../lib/config/regions";
import { servicePrincipal } from "../lib/partition";

export interface ObjectNotificationsProps {
  readonly provider: AwsProvider;
  readonly partition: Partition;
  readonly accountId: string;
  readonly queueName: string;
  readonly kmsKeyArn: string;
  readonly bucketName: string;
  readonly bucketArn: string;
  /** Only objects under this prefix (the delivered data, not errors) are announced. */
  readonly prefix: string;
}

/** Receives after which a message moves to the dead-letter queue. */
export const MAX_RECEIVES = 5;
const FOURTEEN_DAYS = 14 * 24 * 3600;

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
    const encryption = { kmsMasterKeyId: props.kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300 };
    const deadLetters = new SqsQueue(this, "DeadLetterQueue", {
      provider,
      name: `${props.queueName}-dlq`,
      messageRetentionSeconds: FOURTEEN_DAYS,
      ...encryption,
    });
    this.queue = new SqsQueue(this, "Queue", {
      provider,
      name: props.queueName,
      messageRetentionSeconds: FOURTEEN_DAYS,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetters.arn, maxReceiveCount: MAX_RECEIVES }),
      ...encryption,
    });
    const policy = new SqsQueuePolicy(this, "Policy", {
      provider,
      queueUrl: this.queue.url,
      policy: policyJson(
        objectQueuePolicy(props.partition, this.queue.arn, props.bucketArn, props.accountId),
      ),
    });
    new S3BucketNotification(this, "BucketNotification", {
      provider,
      bucket: props.bucketName,
      queue: [{ queueArn: this.queue.arn, events: ["s3:ObjectCreated:*"], filterPrefix: props.prefix }],
      // S3 sends a test message when the notification is saved: the queue must accept it.
      dependsOn: [policy],
    });
  }
}

/** S3 may send messages only for this bucket of this account (aws:SourceArn, aws:SourceAccount). */
export function objectQueuePolicy(
  partition: Partition,
  queueArn: string,
  bucketArn: string,
  accountId: string,
) {
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
