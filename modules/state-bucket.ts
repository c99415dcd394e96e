import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { suppressRule } from "../lib/rules/pack";
import { enableVersioning, kmsEncryptionRule, protectedPrivateBucket, requireTls } from "./archive-bucket";

export interface StateBucketProps {
  readonly provider: AwsProvider;
  readonly bucketName: string;
  /** @default SSE-S3 (S3-managed keys) */
  readonly kmsKeyArn?: string;
}

/**
 * The bucket Terraform's S3 backend keeps every stack's state in: versioned
 * (each state write is recoverable), encrypted, private, TLS-only, and
 * protected from `terraform destroy` (losing state orphans the archive).
 */
export class StateBucket extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    const provider = props.provider;
    const { bucket: state, publicAccess } = protectedPrivateBucket(this, provider, props.bucketName);
    this.bucket = state;
    const bucket = this.bucket.id;
    enableVersioning(this, provider, bucket);
    const encryption = new S3BucketServerSideEncryptionConfigurationA(this, "Encryption", {
      provider,
      bucket,
      rule: [
        props.kmsKeyArn
          ? kmsEncryptionRule(props.kmsKeyArn)
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
    if (!props.kmsKeyArn)
      suppressRule(encryption, "S3_SSE_KMS", "state.s3.encryption: sse-s3 was chosen in the config");
    requireTls(this, provider, this.bucket, publicAccess);
  }
}
