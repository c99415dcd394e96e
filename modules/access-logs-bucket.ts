import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { policyDocument, policyJson } from "../lib/iam/policy";
import { suppressRule } from "../lib/rules/pack";
import { denyInsecureTransport } from "../lib/iam/s3";
import { Partition } from "../lib/config/regions";
import { servicePrincipal } from "../lib/partition";
import {
  ARCHIVE_TRANSITION_MINIMUM_OBJECT_SIZE,
  lifecycleRule,
  protectedPrivateBucket,
  validateLifecycle,
} from "./archive-bucket";
import { BucketRef } from "./refs";

export interface AccessLogsBucketProps {
  readonly provider: AwsProvider;
  readonly bucketName: string;
  readonly partition: Partition;
  readonly accountId: string;
  /** The bucket whose server access logs land here. */
  readonly source: BucketRef;
  readonly glacierAfterDays: number;
  /** @default never */
  readonly expireAfterDays?: number;
}

/** Key prefix of the archive's access logs in the log bucket. */
export const ACCESS_LOG_PREFIX = "archive/";

/**
 * The bucket S3 server access logs of the archive go to. AWS requires a
 * separate bucket in the same account and region, without Object Lock
 * default retention, encrypted with SSE-S3 (S3 log delivery cannot use a
 * KMS key), and delivery authorized by a bucket policy for
 * `logging.s3.amazonaws.com` limited to the source bucket and account.
 */
export class AccessLogsBucket extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: AccessLogsBucketProps) {
    super(scope, id);
    validateLifecycle(this, props);
    const provider = props.provider;
    const { bucket: accessLogs, publicAccess } = protectedPrivateBucket(this, provider, props.bucketName);
    this.bucket = accessLogs;
    suppressRule(
      this.bucket,
      "S3_BUCKET_VERSIONED",
      "S3 log delivery writes each access log object once under a new key (nothing is overwritten to recover), the lifecycle expires them, and the archive they describe is versioned",
    );
    const bucket = this.bucket.id;
    const encryption = new S3BucketServerSideEncryptionConfigurationA(this, "Encryption", {
      provider,
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    suppressRule(
      encryption,
      "S3_SSE_KMS",
      "S3 server access log delivery supports only SSE-S3 on the target bucket",
    );
    new S3BucketLifecycleConfiguration(this, "Lifecycle", {
      provider,
      bucket,
      // S3 server access log files are typically a few KB each: below the 15.4 KB
      // under which an object costs more in Glacier Flexible Retrieval (8 KB
      // billed at Standard + 32 KB at Glacier per object) than in Standard,
      // before its transition fee. So objects under 128 KB stay in Standard
      // ("Objects smaller than 128 KB will not transition to any storage class
      // by default", S3 API Reference, PutBucketLifecycleConfiguration,
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html).
      // The arithmetic: ARCHIVE_TRANSITION_MINIMUM_OBJECT_SIZE in ./archive-bucket.
      transitionDefaultMinimumObjectSize: ARCHIVE_TRANSITION_MINIMUM_OBJECT_SIZE,
      rule: [lifecycleRule(props)],
    });
    const policy = new S3BucketPolicy(this, "Policy", {
      provider,
      bucket,
      policy: policyJson(
        accessLogsBucketPolicy({
          partition: props.partition,
          bucketArn: this.bucket.arn,
          sourceBucketArn: props.source.arn,
          accountId: props.accountId,
        }),
      ),
      dependsOn: [publicAccess],
    });
    new S3BucketLoggingA(this, "SourceLogging", {
      provider,
      bucket: props.source.name,
      targetBucket: this.bucket.id,
      targetPrefix: ACCESS_LOG_PREFIX,
      dependsOn: [policy],
    });
  }
}

export function accessLogsBucketPolicy({
  partition,
  bucketArn,
  sourceBucketArn,
  accountId,
}: {
  readonly partition: Partition;
  readonly bucketArn: string;
  readonly sourceBucketArn: string;
  readonly accountId: string;
}) {
  return policyDocument(
    {
      Sid: "S3ServerAccessLogDelivery",
      Effect: "Allow",
      Principal: { Service: servicePrincipal("logging.s3", partition) },
      Action: "s3:PutObject",
      Resource: `${bucketArn}/${ACCESS_LOG_PREFIX}*`,
      Condition: {
        ArnLike: { "aws:SourceArn": sourceBucketArn },
        StringEquals: { "aws:SourceAccount": accountId },
      },
    },
    // After the Allow: the S3 emulator (moto) rejects logging to a bucket whose policy starts with Principal "*".
    denyInsecureTransport(bucketArn),
  );
}
