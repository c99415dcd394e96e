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
      // S3 skips objects under 128 KB by default; small Firehose objects and
      // error records must still reach Glacier.
      transitionDefaultMinimumObjectSize: "varies_by_storage_class",
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

export function lifecycleRule(props: Pick<ArchiveBucketProps, "glacierAfterDays" | "expireAfterDays">): S3BucketLifecycleConfigurationRule {
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
export function makePrivate(scope: Construct, provider: AwsProvider, bucket: string): S3BucketPublicAccessBlock {
  const publicAccess = new S3BucketPublicAccessBlock(scope, "PublicAccessBlock", {
    provider,
    bucket,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, "Ownership", { provider, bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
  return publicAccess;
}

