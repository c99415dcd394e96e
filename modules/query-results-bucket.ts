import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { policyJson } from "../lib/iam/policy";
import { tlsOnlyPolicy } from "../lib/iam/s3";
import { suppressRule } from "../lib/rules/pack";
import { S3_EXPIRATION_MIN_DAYS } from "../lib/aws-limits";
import { makePrivate } from "./archive-bucket";
import { ArnRef } from "./refs";
import { requireAtLeast } from "./validate";

export interface QueryResultsBucketProps {
  readonly provider: AwsProvider;
  readonly bucketName: string;
  /** The key query results are encrypted with (SSE-KMS, bucket key). */
  readonly key: ArnRef;
  /** Days before a result object expires. */
  readonly expireAfterDays: number;
}

/** Days a replaced or expired result version is kept: results are rewritten, never recovered. */
const NONCURRENT_RESULT_DAYS = 1;

/**
 * Where Athena writes query results: private, versioned, KMS-encrypted,
 * TLS-only like every bucket of this app, and emptied by its lifecycle.
 * Results are copies of archive rows, so they expire; the archive does not.
 * Unlike the archive it may be destroyed with the search (it holds nothing
 * that is not in the archive): `force_destroy` empties it first.
 */
export class QueryResultsBucket extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: QueryResultsBucketProps) {
    super(scope, id);
    requireAtLeast(
      this,
      "expireAfterDays",
      props.expireAfterDays,
      S3_EXPIRATION_MIN_DAYS,
      "S3 expiration days must be a non-zero positive integer",
    );
    const provider = props.provider;
    this.bucket = new S3Bucket(this, "Bucket", { provider, bucket: props.bucketName, forceDestroy: true });
    suppressRule(
      this.bucket,
      "S3_BUCKET_PREVENT_DESTROY",
      "holds only Athena query results, copies of archive rows that expire: turning search off deletes the bucket and its results, never evidence",
    );
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
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.key.arn },
          bucketKeyEnabled: true,
        },
      ],
    });
    new S3BucketLifecycleConfiguration(this, "Lifecycle", {
      provider,
      bucket,
      rule: [
        {
          id: "expire-query-results",
          status: "Enabled",
          filter: [{}],
          expiration: [{ days: props.expireAfterDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: NONCURRENT_RESULT_DAYS }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: NONCURRENT_RESULT_DAYS }],
        },
      ],
      dependsOn: [versioning],
    });
    new S3BucketPolicy(this, "Policy", {
      provider,
      bucket,
      policy: policyJson(tlsOnlyPolicy(this.bucket.arn)),
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
