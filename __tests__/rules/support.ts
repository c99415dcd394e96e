/**
 * Builders for the rule pack's tests: a fresh stack with an aliased provider,
 * and the policy representations a stack can hold.
 */
import { TerraformStack, Testing } from "cdktf";
import { IConstruct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import {
  DataAwsIamPolicyDocument,
  DataAwsIamPolicyDocumentStatement,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { stackViolations, Violation } from "../../lib/rules/pack";
import { denyInsecureTransport as tlsDeny } from "../support/policies";

export const ROOT = "arn:aws:iam::111111111111:root";

export interface Scope {
  readonly stack: TerraformStack;
  readonly provider: AwsProvider;
}

export function scope(): Scope {
  const stack = new TerraformStack(Testing.app(), "test");
  const provider = new AwsProvider(stack, "aws", { region: "us-east-1", alias: "us_east_1" });
  return { stack, provider };
}

/** An IAM JSON policy string, as JSON.stringify writes it. */
export const json = (...Statement: object[]): string => JSON.stringify({ Version: "2012-10-17", Statement });

/** An aws_iam_policy_document named `Doc` (or `id`), for a `${data...json}` reference. */
export const doc = (
  { stack, provider }: Scope,
  statement: DataAwsIamPolicyDocumentStatement[],
  id = "Doc",
): DataAwsIamPolicyDocument => new DataAwsIamPolicyDocument(stack, id, { provider, statement });

export type Companion = "encryption" | "publicAccess" | "policy" | "versioning";

/** A bucket with every companion except those named in `without`. */
export function bucket(s: Scope, without: readonly Companion[] = [], id = "Bucket"): S3Bucket {
  const { stack, provider } = s;
  const b = new S3Bucket(stack, id, {
    provider,
    bucket: `${id.toLowerCase()}-logs`,
    lifecycle: { preventDestroy: true },
  });
  const has = (c: Companion) => !without.includes(c);
  if (has("encryption"))
    new S3BucketServerSideEncryptionConfigurationA(stack, `${id}Sse`, {
      provider,
      bucket: b.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "k" } }],
    });
  if (has("publicAccess"))
    new S3BucketPublicAccessBlock(stack, `${id}Pab`, {
      provider,
      bucket: b.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
  if (has("policy"))
    new S3BucketPolicy(stack, `${id}Policy`, { provider, bucket: b.id, policy: json(tlsDeny(b.arn)) });
  if (has("versioning"))
    new S3BucketVersioningA(stack, `${id}Versioning`, {
      provider,
      bucket: b.id,
      versioningConfiguration: { status: "Enabled" },
    });
  return b;
}

/** The violations of one rule in a stack, as `path: message` lines. */
export const violationsOfRule = (stack: TerraformStack, ruleId: string): string[] =>
  stackViolations(stack)
    .filter((v: Violation) => v.ruleId === ruleId)
    .map((v) => `${v.path}: ${v.message}`);

export const at = (construct: IConstruct, message: string): string => `${construct.node.path}: ${message}`;
