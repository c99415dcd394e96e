import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { suppressRule } from "../lib/rules/pack";
import { S3_EXPIRATION_MIN_DAYS } from "../lib/aws-limits";
import { enableVersioning, encryptWithKey, makePrivate, requireTls } from "./archive-bucket";
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
    const versioning = enableVersioning(this, provider, bucket);
    encryptWithKey(this, provider, bucket, props.key.arn);
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
    requireTls(this, provider, this.bucket, publicAccess);
  }

  get arn(): string {
    return this.bucket.arn;
  }

  get name(): string {
    return this.bucket.bucket;
  }
}
