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
import { PolicyDocument, policyJson } from "../lib/iam/policy";
import { tlsOnlyPolicy } from "../lib/iam/s3";
import { S3_EXPIRATION_MIN_DAYS, S3_TRANSITION_MIN_DAYS } from "../lib/aws-limits";
import { requireAtLeast } from "./validate";

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
  /**
   * The whole bucket policy, which must hold the TLS-only deny
   * (lib/iam/s3.ts denyInsecureTransport; the rule pack checks): the vault's
   * replication grant, lib/policies/replication.ts.
   * @default the TLS-only deny alone
   */
  readonly policy?: PolicyDocument;
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
  /** Replication waits for it (S3 replicates only from and to versioned buckets). */
  readonly versioning: S3BucketVersioningA;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    validateLifecycle(this, props);
    if (props.objectLock)
      requireAtLeast(
        this,
        "objectLock.days",
        props.objectLock.days,
        1,
        "S3 Object Lock retains for at least 1 day",
      );
    const provider = props.provider;
    const { bucket: archive, publicAccess } = protectedPrivateBucket(this, provider, props.bucketName);
    this.bucket = archive;
    const bucket = this.bucket.id;
    const versioning = enableVersioning(this, provider, bucket);
    this.versioning = versioning;
    encryptWithKey(this, provider, bucket, props.kmsKeyArn);
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
    requireTls(this, provider, this.bucket, publicAccess, props.policy);
  }

  get arn(): string {
    return this.bucket.arn;
  }

  get name(): string {
    return this.bucket.bucket;
  }
}

/**
 * What S3 requires of the lifecycle rule's day counts (lib/aws-limits.ts; the
 * config checks the same first, lib/config/schema.ts and rules.ts): a GLACIER
 * transition after S3_TRANSITION_MIN_DAYS or more, an expiration after
 * S3_EXPIRATION_MIN_DAYS or more and strictly after the transition ("The
 * expiration time must also be later than the transition time", AWS CDK,
 * aws_s3 LifecycleRule, https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_s3.LifecycleRule.html).
 * Also used by the access-log bucket, which takes the same rule.
 */
export function validateLifecycle(
  scope: Construct,
  props: Pick<ArchiveBucketProps, "glacierAfterDays" | "expireAfterDays">,
): void {
  requireAtLeast(
    scope,
    "glacierAfterDays",
    props.glacierAfterDays,
    S3_TRANSITION_MIN_DAYS,
    "S3 cannot transition an object before it exists",
  );
  if (props.expireAfterDays === undefined) return;
  requireAtLeast(
    scope,
    "expireAfterDays",
    props.expireAfterDays,
    S3_EXPIRATION_MIN_DAYS,
    "S3 expiration days must be a non-zero positive integer",
  );
  requireAtLeast(
    scope,
    "expireAfterDays",
    props.expireAfterDays,
    props.glacierAfterDays + 1,
    `S3 rejects expiring objects before or when they transition (glacierAfterDays ${props.glacierAfterDays})`,
  );
}

/** One rule for current and noncurrent versions, with the same day counts (validateLifecycle). */
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
 * A bucket as every bucket of this app starts: protected from `terraform
 * destroy` (emptying a bucket of evidence or state must never be a side
 * effect of a destroy) and private (makePrivate). Returns the bucket and the
 * public-access block a bucket policy should wait for.
 */
export function protectedPrivateBucket(
  scope: Construct,
  provider: AwsProvider,
  bucketName: string,
): { bucket: S3Bucket; publicAccess: S3BucketPublicAccessBlock } {
  const bucket = new S3Bucket(scope, "Bucket", {
    provider,
    bucket: bucketName,
    forceDestroy: false,
    lifecycle: { preventDestroy: true },
  });
  return { bucket, publicAccess: makePrivate(scope, provider, bucket.id) };
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

/** Versioning on: every overwrite or delete keeps the previous version. A lifecycle should wait for it. */
export function enableVersioning(
  scope: Construct,
  provider: AwsProvider,
  bucket: string,
): S3BucketVersioningA {
  return new S3BucketVersioningA(scope, "Versioning", {
    provider,
    bucket,
    versioningConfiguration: { status: "Enabled" },
  });
}

/** The SSE-KMS rule with a bucket key: one data key per bucket instead of per object, far fewer KMS calls. */
export function kmsEncryptionRule(kmsKeyArn: string) {
  return {
    applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn },
    bucketKeyEnabled: true,
  };
}

/** Default encryption with the given key (kmsEncryptionRule). */
export function encryptWithKey(
  scope: Construct,
  provider: AwsProvider,
  bucket: string,
  kmsKeyArn: string,
): S3BucketServerSideEncryptionConfigurationA {
  return new S3BucketServerSideEncryptionConfigurationA(scope, "Encryption", {
    provider,
    bucket,
    rule: [kmsEncryptionRule(kmsKeyArn)],
  });
}

/**
 * The TLS-only bucket policy (lib/iam/s3.ts tlsOnlyPolicy), or a given one
 * that holds the same deny. With BlockPublicPolicy
 * on first, no window exists in which a public policy could land.
 */
export function requireTls(
  scope: Construct,
  provider: AwsProvider,
  bucket: S3Bucket,
  publicAccess: S3BucketPublicAccessBlock,
  policy: PolicyDocument = tlsOnlyPolicy(bucket.arn),
): S3BucketPolicy {
  return new S3BucketPolicy(scope, "Policy", {
    provider,
    bucket: bucket.id,
    policy: policyJson(policy),
    dependsOn: [publicAccess],
  });
}
