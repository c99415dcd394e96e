import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import {
  S3BucketLifecycleConfiguration,
  S3BucketLifecycleConfigurationRule,
} from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { policyJson } from "../lib/iam/policy";
import { tlsOnlyPolicy } from "../lib/iam/s3";

export interface ObjectLockProps {
  readonly mode: "GOVERNANCE" | "COMPLIANCE";
  readonly days: number;
}

export interface ArchiveBucketProps {
  readonly provider: AwsProvider;
  readonly bucketName: string;
  readonly kmsKeyArn: string;
  /** Days until current versions move to S3 Glacier Flexible Retrieval. */
  readonly glacierAfterDays: number;
  /** @default never: evidence is kept until someone decides otherwise */
  readonly expireAfterDays?: number;
  /** @default no Object Lock */
  readonly objectLock?: ObjectLockProps;
}

/**
 * Objects under 128 KB stay in S3 Standard; larger ones move to Glacier.
 * Small archive objects are the Firehose objects of quiet partitions (one per
 * buffer interval per account and log group, often a few KB) and error
 * records. Per archived object, Glacier Flexible Retrieval bills 8 KB at S3
 * Standard and 32 KB at Glacier rates (S3 User Guide, "Understanding archival
 * storage in S3 Glacier", https://docs.aws.amazon.com/AmazonS3/latest/userguide/archival-storage.html)
 * plus one lifecycle transition request ($0.03 per 1,000 in us-east-1,
 * https://aws.amazon.com/s3/pricing/). At $0.023 (Standard) and $0.0036
 * (Glacier Flexible Retrieval) per GB-month an archived object saves
 * (0.0194 x KB - 0.2992) / 2^20 USD a month: nothing below 15.4 KB (it costs
 * more in Glacier every month, forever), and it pays back its transition fee
 * after 14.4 months at 128 KB, 33 months at 64 KB, 98 months at 32 KB. So
 * S3's default threshold (`all_storage_classes_128K`: "Objects smaller than
 * 128 KB will not transition to any storage class by default", S3 API
 * Reference, PutBucketLifecycleConfiguration, TransitionDefaultMinimumObjectSize,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html)
 * is kept, written out so that a provider default cannot change it
 * (aws_s3_bucket_lifecycle_configuration, transition_default_minimum_object_size,
 * https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/s3_bucket_lifecycle_configuration).
 * Glacier is a cost tier, not a protection: versioning and Object Lock
 * protect small objects in Standard the same.
 */
export const ARCHIVE_TRANSITION_MINIMUM_OBJECT_SIZE = "all_storage_classes_128K";

/** Days after which S3 aborts an unfinished multipart upload (Firehose retries its own). */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;

/**
 * The evidence archive: private, versioned, KMS-encrypted, TLS-only, owned by
 * this account whoever writes, and protected from `terraform destroy`.
 */
export class ArchiveBucket extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    const provider = props.provider;
    this.bucket = new S3Bucket(this, "Bucket", {
      provider,
      bucket: props.bucketName,
      // Emptying a bucket of evidence must never be a side effect of a destroy.
      forceDestroy: false,
      lifecycle: { preventDestroy: true },
    });
    const bucket = this.bucket.id;

    const publicAccess = makePrivate(this, provider, bucket);
    const versioning = new S3BucketVersioningA(this, "Versioning", {
      provider,
      bucket,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "Encryption", {
      provider,
      bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn },
          // One data key per bucket instead of per object: far fewer KMS calls.
          bucketKeyEnabled: true,
        },
      ],
    });
    new S3BucketLifecycleConfiguration(this, "Lifecycle", {
      provider,
      bucket,
      transitionDefaultMinimumObjectSize: ARCHIVE_TRANSITION_MINIMUM_OBJECT_SIZE,
      rule: [lifecycleRule(props)],
      dependsOn: [versioning],
    });
    if (props.objectLock) {
      // Enabling Object Lock through this resource (not the bucket argument)
      // works on an existing versioned bucket, so turning it on later never
      // replaces the bucket.
      new S3BucketObjectLockConfigurationA(this, "ObjectLock", {
        provider,
        bucket,
        objectLockEnabled: "Enabled",
        rule: { defaultRetention: { mode: props.objectLock.mode, days: props.objectLock.days } },
        dependsOn: [versioning],
      });
    }
    new S3BucketPolicy(this, "Policy", {
      provider,
      bucket,
      policy: policyJson(tlsOnlyPolicy(this.bucket.arn)),
      // With BlockPublicPolicy on first, no window exists in which a public policy could land.
      dependsOn: [publicAccess],
    });
  }

  get arn(): string {
    return this.bucket.arn;
  }

  get name(): string {
    return this.bucket.bucket;
  }
}

/**
 * One rule for current and noncurrent versions, with the same day counts. The
 * config guarantees what S3 requires of them (lib/config/schema.ts, rules.ts):
 * a GLACIER transition after 0 or more days ("valid values are 0 or positive
 * integers", S3 API Reference, Transition,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_Transition.html; the
 * NoncurrentVersionTransition reference sets no lower bound,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_NoncurrentVersionTransition.html,
 * and the provider accepts noncurrent_days >= 0); expirations after 1 or
 * more days ("must be a non-zero positive integer", LifecycleExpiration,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html,
 * and NoncurrentVersionExpiration,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_NoncurrentVersionExpiration.html),
 * and strictly after the transition.
 */
export function lifecycleRule(
  props: Pick<ArchiveBucketProps, "glacierAfterDays" | "expireAfterDays">,
): S3BucketLifecycleConfigurationRule {
  const expiry = props.expireAfterDays;
  return {
    id: "archive",
    status: "Enabled",
    filter: [{}],
    transition: [{ days: props.glacierAfterDays, storageClass: "GLACIER" }],
    noncurrentVersionTransition: [{ noncurrentDays: props.glacierAfterDays, storageClass: "GLACIER" }],
    ...(expiry !== undefined
      ? { expiration: [{ days: expiry }], noncurrentVersionExpiration: [{ noncurrentDays: expiry }] }
      : {}),
    abortIncompleteMultipartUpload: [{ daysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS }],
  };
}

/**
 * All four public-access blocks and BucketOwnerEnforced (ACLs off: the bucket
 * owner owns every object, whoever writes it). Returns the block, which a
 * bucket policy should wait for.
 */
export function makePrivate(
  scope: Construct,
  provider: AwsProvider,
  bucket: string,
): S3BucketPublicAccessBlock {
  const publicAccess = new S3BucketPublicAccessBlock(scope, "PublicAccessBlock", {
    provider,
    bucket,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, "Ownership", {
    provider,
    bucket,
    rule: { objectOwnership: "BucketOwnerEnforced" },
  });
  return publicAccess;
}
