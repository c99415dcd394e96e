/**
 * Every rule of the pack, case by case: at least three constructs that break
 * it, in different representations (JSON string, aws_iam_policy_document
 * reference, Fn.jsonencode token, missing or wrong companion resource...),
 * and at least one that honours it, each with the exact message.
 */
import { Fn, TerraformIterator } from "cdktf";
import { IConstruct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { KmsKey, KmsKeyConfig } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { KinesisStream } from "@cdktf/provider-aws/lib/kinesis-stream";
import { KinesisFirehoseDeliveryStream } from "@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream";
import { CloudwatchLogDestinationPolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-destination-policy";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SECURITY_RULES } from "../../lib/rules/rules";
import { at, bucket, doc, json, ROOT, Scope, scope, violationsOfRule } from "./support";
import { denyInsecureTransport as tlsDeny } from "../support/policies";

interface Case {
  readonly name: string;
  /** Builds the stack and returns the construct the violation is reported on. */
  readonly build: (s: Scope) => IConstruct;
  /** The exact message; none for a compliant case. */
  readonly message?: string;
}

const broken = (name: string, message: string, build: Case["build"]): Case => ({ name, build, message });
const compliant = (name: string, build: Case["build"]): Case => ({ name, build });

const rolePolicy = ({ stack, provider }: Scope, policy: string, id = "Policy") =>
  new IamRolePolicy(stack, id, { provider, role: "r", policy });
const role = ({ stack, provider }: Scope, assumeRolePolicy: string) =>
  new IamRole(stack, "Role", { provider, assumeRolePolicy });
const key = ({ stack, provider }: Scope, extra: Partial<KmsKeyConfig> = {}) =>
  new KmsKey(stack, "Key", {
    provider,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    lifecycle: { preventDestroy: true },
    policy: json({ Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" }),
    ...extra,
  });
const bucketPolicy = ({ stack, provider }: Scope, bucketName: string, policy: string) =>
  new S3BucketPolicy(stack, "BucketPolicy", { provider, bucket: bucketName, policy });
const docRef = (d: DataAwsIamPolicyDocument) => d.json;
const assume = { Effect: "Allow", Action: "sts:AssumeRole" };
const OIDC_ASSUME = { Effect: "Allow", Action: "sts:AssumeRoleWithWebIdentity" };
const OIDC = "arn:aws:iam::111111111111:oidc-provider";
const FIREHOSE = { Service: "firehose.amazonaws.com" };
const DESTINATION = "arn:aws:logs:us-east-1:111111111111:destination:d";
const destinationPolicy = ({ stack, provider }: Scope, accessPolicy: string) =>
  new CloudwatchLogDestinationPolicy(stack, "DestPolicy", { provider, destinationName: "d", accessPolicy });

const CASES: Record<string, readonly Case[]> = {
  POLICY_UNREADABLE: [
    broken("JSON string that is not JSON", "policy is not valid JSON", (s) =>
      rolePolicy(s, "{Statement: []"),
    ),
    broken(
      "reference to a data source not in the stack",
      "policy refers to data.aws_iam_policy_document.Elsewhere, which is not in this stack",
      (s) => rolePolicy(s, "${data.aws_iam_policy_document.Elsewhere.json}"),
    ),
    broken(
      "an expression other than jsonencode",
      'policy is an expression the pack cannot read: ${file("policy.json")}',
      (s) => key(s, { policy: Fn.file("policy.json") }),
    ),
    broken(
      "a jsonencode token with a computed Action",
      'policy has statement Computed whose Action holds a computed value ${lower("S3:GETOBJECT")}',
      (s) =>
        rolePolicy(
          s,
          Fn.jsonencode({
            Statement: [
              {
                Sid: "Computed",
                Effect: "Allow",
                Action: Fn.lower("S3:GETOBJECT"),
                Resource: "arn:aws:s3:::b/*",
              },
            ],
          }),
        ),
    ),
    broken(
      "a data source that merges other documents",
      "policy data.aws_iam_policy_document.Merged merges source_policy_documents, which the pack cannot read",
      (s) => {
        const base = doc(s, [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }], "Base");
        const merged = new DataAwsIamPolicyDocument(s.stack, "Merged", {
          provider: s.provider,
          sourcePolicyDocuments: [base.json],
        });
        return rolePolicy(s, merged.json);
      },
    ),
    broken(
      "a data source with a dynamic statement block",
      "policy data.aws_iam_policy_document.Dynamic builds statements with a dynamic block, which the pack cannot read",
      (s) => {
        const actions = TerraformIterator.fromList(["s3:GetObject", "s3:PutObject"]);
        const dynamic = new DataAwsIamPolicyDocument(s.stack, "Dynamic", {
          provider: s.provider,
          statement: actions.dynamic({ actions: [actions.value], resources: ["arn:aws:s3:::b/*"] }),
        });
        return rolePolicy(s, dynamic.json);
      },
    ),
    broken(
      "an inline_policy block of a role",
      "inline_policy[0].policy is not valid JSON",
      ({ stack, provider }) =>
        new IamRole(stack, "Role", {
          provider,
          assumeRolePolicy: json({
            ...assume,
            Principal: FIREHOSE,
            Condition: { StringEquals: { "sts:ExternalId": "1" } },
          }),
          inlinePolicy: [{ name: "inline", policy: "not json" }],
        }),
    ),
    broken(
      "an AWS managed policy attached by ARN",
      "policy_arn arn:aws:iam::aws:policy/AdministratorAccess is not a policy of this stack",
      ({ stack, provider }) =>
        new IamRolePolicyAttachment(stack, "Attach", {
          provider,
          role: "r",
          policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
        }),
    ),
    broken(
      "managed_policy_arns of a role",
      "managed_policy_arns arn:aws:iam::aws:policy/PowerUserAccess is not a policy of this stack",
      ({ stack, provider }) =>
        new IamRole(stack, "Role", {
          provider,
          assumeRolePolicy: json({
            ...assume,
            Principal: FIREHOSE,
            Condition: { StringEquals: { "sts:ExternalId": "1" } },
          }),
          managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"],
        }),
    ),
    broken(
      "two problems on one role, in attribute order",
      "assume_role_policy is not valid JSON; managed_policy_arns arn:aws:iam::aws:policy/PowerUserAccess is not a policy of this stack",
      ({ stack, provider }) =>
        new IamRole(stack, "Role", {
          provider,
          assumeRolePolicy: "not json",
          managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"],
        }),
    ),
    compliant("a JSON string, a data source reference and a jsonencode token", (s) => {
      rolePolicy(s, json({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }), "A");
      rolePolicy(s, doc(s, [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }]).json, "B");
      return rolePolicy(
        s,
        Fn.jsonencode({
          Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }],
        }),
        "C",
      );
    }),
    compliant("a policy of this stack attached by reference", ({ stack, provider }) => {
      const policy = new IamPolicy(stack, "Managed", {
        provider,
        policy: json({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }),
      });
      return new IamRolePolicyAttachment(stack, "Attach", { provider, role: "r", policyArn: policy.arn });
    }),
  ],
  S3_BUCKET_PREVENT_DESTROY: [
    broken(
      "no lifecycle",
      "bucket lacks lifecycle { prevent_destroy = true }",
      ({ stack, provider }) => new S3Bucket(stack, "B", { provider }),
    ),
    broken(
      "prevent_destroy false",
      "bucket lacks lifecycle { prevent_destroy = true }",
      ({ stack, provider }) => new S3Bucket(stack, "B", { provider, lifecycle: { preventDestroy: false } }),
    ),
    broken(
      "force_destroy",
      "force_destroy = true would delete every object with the bucket",
      ({ stack, provider }) =>
        new S3Bucket(stack, "B", { provider, forceDestroy: true, lifecycle: { preventDestroy: true } }),
    ),
    compliant(
      "prevent_destroy, force_destroy false",
      ({ stack, provider }) =>
        new S3Bucket(stack, "B", { provider, forceDestroy: false, lifecycle: { preventDestroy: true } }),
    ),
  ],
  S3_BUCKET_ENCRYPTED: [
    broken(
      "no encryption configuration",
      "no aws_s3_bucket_server_side_encryption_configuration names this bucket",
      (s) => bucket(s, ["encryption"]),
    ),
    broken(
      "a configuration of another bucket",
      "no aws_s3_bucket_server_side_encryption_configuration names this bucket",
      (s) => {
        const target = bucket(s, ["encryption"]);
        bucket(s, [], "Other");
        return target;
      },
    ),
    broken(
      "a configuration naming the bucket by its ARN",
      "no aws_s3_bucket_server_side_encryption_configuration names this bucket",
      (s) => {
        const target = bucket(s, ["encryption"]);
        new S3BucketServerSideEncryptionConfigurationA(s.stack, "Sse", {
          provider: s.provider,
          bucket: target.arn,
          rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
        });
        return target;
      },
    ),
    compliant("a configuration by reference", (s) => bucket(s)),
    compliant("a bucket without a name, a configuration by reference", ({ stack, provider }) => {
      const target = new S3Bucket(stack, "Unnamed", { provider });
      new S3BucketServerSideEncryptionConfigurationA(stack, "Sse", {
        provider,
        bucket: target.id,
        rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
      });
      return target;
    }),
    compliant("a configuration by the bucket's literal name", (s) => {
      const target = bucket(s, ["encryption"]);
      new S3BucketServerSideEncryptionConfigurationA(s.stack, "Sse", {
        provider: s.provider,
        bucket: "bucket-logs",
        rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
      });
      return target;
    }),
    compliant(
      "the bucket's own (deprecated) block",
      ({ stack, provider }) =>
        new S3Bucket(stack, "B", {
          provider,
          serverSideEncryptionConfiguration: {
            rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } },
          },
        }),
    ),
  ],
  S3_BUCKET_PUBLIC_ACCESS_BLOCKED: [
    broken("no public access block", "no aws_s3_bucket_public_access_block names this bucket", (s) =>
      bucket(s, ["publicAccess"]),
    ),
    broken("a block of another bucket", "no aws_s3_bucket_public_access_block names this bucket", (s) => {
      const target = bucket(s, ["publicAccess"]);
      bucket(s, [], "Other");
      return target;
    }),
    broken(
      "a block naming a bucket of a computed name",
      "no aws_s3_bucket_public_access_block names this bucket",
      ({ stack, provider }) => {
        const target = new S3Bucket(stack, "B", { provider, bucket: Fn.lower("B") });
        new S3BucketPublicAccessBlock(stack, "Pab", { provider, bucket: Fn.lower("B") });
        return target;
      },
    ),
    compliant("a block naming the bucket's bucket attribute", (s) => {
      const target = bucket(s, ["publicAccess"]);
      new S3BucketPublicAccessBlock(s.stack, "Pab", { provider: s.provider, bucket: target.bucket });
      return target;
    }),
  ],
  S3_BUCKET_TLS_ONLY: [
    broken("no bucket policy", "no aws_s3_bucket_policy names this bucket", (s) => bucket(s, ["policy"])),
    broken("a policy of another bucket", "no aws_s3_bucket_policy names this bucket", (s) => {
      const target = bucket(s, ["policy"]);
      bucket(s, [], "Other");
      return target;
    }),
    broken(
      "the bucket's own policy without the deny",
      "no aws_s3_bucket_policy names this bucket",
      ({ stack, provider }) =>
        new S3Bucket(stack, "B", {
          provider,
          bucket: "own",
          policy: json({ ...tlsDeny("arn:aws:s3:::own"), Effect: "Allow" }),
        }),
    ),
    compliant("a policy by reference", (s) => bucket(s)),
    compliant(
      "the bucket's own (deprecated) policy with the deny",
      ({ stack, provider }) =>
        new S3Bucket(stack, "B", { provider, bucket: "own", policy: json(tlsDeny("arn:aws:s3:::own")) }),
    ),
  ],
  S3_BUCKET_VERSIONED: [
    broken("no versioning", "no aws_s3_bucket_versioning names this bucket", (s) =>
      bucket(s, ["versioning"]),
    ),
    broken("versioning suspended", "versioning status is Suspended, not Enabled", (s) => {
      const target = bucket(s, ["versioning"]);
      new S3BucketVersioningA(s.stack, "V", {
        provider: s.provider,
        bucket: target.id,
        versioningConfiguration: { status: "Suspended" },
      });
      return target;
    }),
    broken(
      "the bucket's own block disabled",
      "no aws_s3_bucket_versioning names this bucket",
      ({ stack, provider }) => new S3Bucket(stack, "B", { provider, versioning: { enabled: false } }),
    ),
    broken(
      "a versioning resource whose configuration is computed (no status to read)",
      "versioning status is unreadable, not Enabled",
      (s) => {
        const target = bucket(s, ["versioning"]);
        new S3BucketVersioningA(s.stack, "V", {
          provider: s.provider,
          bucket: target.id,
          versioningConfiguration: { status: "Enabled" },
        }).addOverride("versioning_configuration", "${var.versioning}");
        return target;
      },
    ),
    compliant("versioning by reference", (s) => bucket(s)),
    compliant("one of two configurations Enabled", (s) => {
      const target = bucket(s);
      new S3BucketVersioningA(s.stack, "V", {
        provider: s.provider,
        bucket: target.bucket,
        versioningConfiguration: { status: "Suspended" },
      });
      return target;
    }),
    broken("suspended and disabled", "versioning status is Suspended, Disabled, not Enabled", (s) => {
      const target = bucket(s, ["versioning"]);
      for (const [id, status] of [
        ["V", "Suspended"],
        ["W", "Disabled"],
      ])
        new S3BucketVersioningA(s.stack, id, {
          provider: s.provider,
          bucket: target.id,
          versioningConfiguration: { status },
        });
      return target;
    }),
    compliant(
      "the bucket's own block enabled",
      ({ stack, provider }) => new S3Bucket(stack, "B", { provider, versioning: { enabled: true } }),
    ),
  ],
  S3_PUBLIC_ACCESS_BLOCK_ALL: [
    broken(
      "one setting missing",
      "restrict_public_buckets not true",
      ({ stack, provider }) =>
        new S3BucketPublicAccessBlock(stack, "Pab", {
          provider,
          bucket: "b",
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
        }),
    ),
    broken(
      "every setting false",
      "block_public_acls, block_public_policy, ignore_public_acls, restrict_public_buckets not true",
      ({ stack, provider }) =>
        new S3BucketPublicAccessBlock(stack, "Pab", {
          provider,
          bucket: "b",
          blockPublicAcls: false,
          blockPublicPolicy: false,
          ignorePublicAcls: false,
          restrictPublicBuckets: false,
        }),
    ),
    broken(
      "none set",
      "block_public_acls, block_public_policy, ignore_public_acls, restrict_public_buckets not true",
      ({ stack, provider }) => new S3BucketPublicAccessBlock(stack, "Pab", { provider, bucket: "b" }),
    ),
    compliant(
      "all four",
      ({ stack, provider }) =>
        new S3BucketPublicAccessBlock(stack, "Pab", {
          provider,
          bucket: "b",
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        }),
    ),
  ],
  S3_SSE_KMS: [
    broken(
      "AES256",
      "sse_algorithm is AES256, not aws:kms",
      ({ stack, provider }) =>
        new S3BucketServerSideEncryptionConfigurationA(stack, "Sse", {
          provider,
          bucket: "b",
          rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        }),
    ),
    broken(
      "a rule without a default",
      "sse_algorithm is unset, not aws:kms",
      ({ stack, provider }) =>
        new S3BucketServerSideEncryptionConfigurationA(stack, "Sse", {
          provider,
          bucket: "b",
          rule: [{ bucketKeyEnabled: true }],
        }),
    ),
    broken(
      "no rule",
      "sse_algorithm is unset, not aws:kms",
      ({ stack, provider }) =>
        new S3BucketServerSideEncryptionConfigurationA(stack, "Sse", { provider, bucket: "b", rule: [] }),
    ),
    broken(
      "a rule computed by an expression (no algorithm to read)",
      "sse_algorithm is unset, not aws:kms",
      ({ stack, provider }) => {
        const sse = new S3BucketServerSideEncryptionConfigurationA(stack, "Sse", {
          provider,
          bucket: "b",
          rule: [],
        });
        sse.addOverride("rule", ["${var.rule}"]);
        return sse;
      },
    ),
    broken(
      "one rule of two on AES256",
      "sse_algorithm is aws:kms, AES256, not aws:kms",
      ({ stack, provider }) =>
        new S3BucketServerSideEncryptionConfigurationA(stack, "Sse", {
          provider,
          bucket: "b",
          rule: [
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } },
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
          ],
        }),
    ),
    compliant(
      "aws:kms",
      ({ stack, provider }) =>
        new S3BucketServerSideEncryptionConfigurationA(stack, "Sse", {
          provider,
          bucket: "b",
          rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "k" } }],
        }),
    ),
    compliant(
      "aws:kms:dsse",
      ({ stack, provider }) =>
        new S3BucketServerSideEncryptionConfigurationA(stack, "Sse", {
          provider,
          bucket: "b",
          rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms:dsse" } }],
        }),
    ),
  ],
  S3_POLICY_TLS_ONLY: [
    broken(
      "a deny narrowed by a second condition (conditions are ANDed: it no longer covers every request)",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) =>
        bucketPolicy(
          s,
          "b",
          json({
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            Condition: {
              Bool: { "aws:SecureTransport": "false" },
              StringEquals: { "aws:PrincipalAccount": "111111111111" },
            },
          }),
        ),
    ),
    broken(
      "JSON string without a deny",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) =>
        bucketPolicy(
          s,
          "b",
          json({
            Effect: "Allow",
            Principal: { AWS: ROOT },
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::b/*",
          }),
        ),
    ),
    broken(
      "a data source whose deny misses the bucket ARN",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) =>
        bucketPolicy(
          s,
          "b",
          doc(s, [
            {
              effect: "Deny",
              principals: [{ type: "*", identifiers: ["*"] }],
              actions: ["s3:*"],
              resources: ["arn:aws:s3:::b/*"],
              condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
            },
          ]).json,
        ),
    ),
    broken(
      "a jsonencode deny that misses the objects",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on ${aws_s3_bucket.Bucket.id} and its objects",
      (s) => {
        const b = bucket(s, ["policy"]);
        return bucketPolicy(
          s,
          b.id,
          Fn.jsonencode({ Statement: [{ ...tlsDeny(b.arn), Resource: [b.arn] }] }),
        );
      },
    ),
    broken(
      "a deny to one account only",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) => bucketPolicy(s, "b", json({ ...tlsDeny("arn:aws:s3:::b"), Principal: { AWS: ROOT } })),
    ),
    broken(
      "a deny of reads only",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) => bucketPolicy(s, "b", json({ ...tlsDeny("arn:aws:s3:::b"), Action: "s3:GetObject" })),
    ),
    broken(
      "a deny when aws:SecureTransport is true",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) =>
        bucketPolicy(
          s,
          "b",
          json({ ...tlsDeny("arn:aws:s3:::b"), Condition: { Bool: { "aws:SecureTransport": "true" } } }),
        ),
    ),
    broken(
      "a deny under another operator",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) =>
        bucketPolicy(
          s,
          "b",
          json({
            ...tlsDeny("arn:aws:s3:::b"),
            Condition: { StringEquals: { "aws:SecureTransport": "false" } },
          }),
        ),
    ),
    broken(
      "a deny on another bucket's ARN",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) => bucketPolicy(s, "b", json(tlsDeny("arn:aws:s3:::bb"))),
    ),
    broken(
      "a deny on a name that matches the bucket's only as a pattern",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b.example and its objects",
      (s) => bucketPolicy(s, "b.example", json(tlsDeny("arn:aws:s3:::bxexample"))),
    ),
    broken(
      "a deny on an ARN that merely contains the bucket's",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) => bucketPolicy(s, "b", json(tlsDeny("xarn:aws:s3:::b"))),
    ),
    broken(
      "a deny on another condition key",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) =>
        bucketPolicy(
          s,
          "b",
          json({ ...tlsDeny("arn:aws:s3:::b"), Condition: { Bool: { "aws:ViaAWSService": "false" } } }),
        ),
    ),
    broken(
      "an Allow with the deny's shape",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) => bucketPolicy(s, "b", json({ ...tlsDeny("arn:aws:s3:::b"), Effect: "Allow" })),
    ),
    broken(
      "a deny without a Principal",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) => bucketPolicy(s, "b", json({ ...tlsDeny("arn:aws:s3:::b"), Principal: undefined })),
    ),
    broken(
      "a deny of NotAction (every action but one)",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) =>
        bucketPolicy(
          s,
          "b",
          json({ ...tlsDeny("arn:aws:s3:::b"), Action: undefined, NotAction: "s3:GetObject" }),
        ),
    ),
    broken(
      "a deny without a condition",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) => bucketPolicy(s, "b", json({ ...tlsDeny("arn:aws:s3:::b"), Condition: undefined })),
    ),
    broken(
      "a deny on NotResource",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) =>
        bucketPolicy(
          s,
          "b",
          json({ ...tlsDeny("arn:aws:s3:::b"), Resource: undefined, NotResource: "arn:aws:s3:::other" }),
        ),
    ),
    broken(
      "a deny on the bucket and another bucket's objects",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) =>
        bucketPolicy(
          s,
          "b",
          json({ ...tlsDeny("arn:aws:s3:::b"), Resource: ["arn:aws:s3:::b", "arn:aws:s3:::other/*"] }),
        ),
    ),
    broken(
      "a deny on another bucket of the stack",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) => {
        const other = bucket(s, [], "Other");
        return bucketPolicy(s, "b", json(tlsDeny(other.arn)));
      },
    ),
    broken(
      "a bucket without a name, a deny on a literal ARN",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on ${aws_s3_bucket.Unnamed.id} and its objects",
      ({ stack, provider }) => {
        const target = new S3Bucket(stack, "Unnamed", { provider });
        return bucketPolicy({ stack, provider }, target.id, json(tlsDeny("arn:aws:s3:::other")));
      },
    ),
    broken(
      "a deny on the bucket and one of its objects",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on b and its objects",
      (s) =>
        bucketPolicy(
          s,
          "b",
          json({ ...tlsDeny("arn:aws:s3:::b"), Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/a"] }),
        ),
    ),
    broken(
      "a deny on a name with two dots that matches the bucket's only as a pattern",
      "policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on a.b.c and its objects",
      (s) => bucketPolicy(s, "a.b.c", json(tlsDeny("arn:aws:s3:::a.bxc"))),
    ),
    compliant("JSON by reference to the bucket's ARN", (s) => bucket(s)),
    compliant("a bucket without a name, its policy by reference", ({ stack, provider }) => {
      const target = new S3Bucket(stack, "Unnamed", { provider });
      return bucketPolicy({ stack, provider }, target.id, json(tlsDeny(target.arn)));
    }),
    compliant("a data source on a literal name, aws-cn partition, Principal AWS *", (s) =>
      bucketPolicy(
        s,
        "b.example",
        doc(s, [
          {
            effect: "Deny",
            principals: [{ type: "AWS", identifiers: ["*"] }],
            actions: ["*"],
            resources: ["arn:aws-cn:s3:::b.example", "arn:aws-cn:s3:::b.example/*"],
            condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
          },
        ]).json,
      ),
    ),
    compliant("a jsonencode deny on Resource * of a bucket named by literal in the stack", (s) => {
      bucket(s, ["policy"]);
      return bucketPolicy(
        s,
        "bucket-logs",
        Fn.jsonencode({ Statement: [{ ...tlsDeny("x"), Resource: "*" }] }),
      );
    }),
    compliant("a deny on the literal ARN of a bucket named by reference", (s) => {
      const b = bucket(s, ["policy"]);
      return bucketPolicy(s, b.id, json(tlsDeny("arn:aws:s3:::bucket-logs")));
    }),
    compliant("a deny on the reference ARN of a bucket named by literal", (s) => {
      const b = bucket(s, ["policy"]);
      return bucketPolicy(s, "bucket-logs", json(tlsDeny(b.arn)));
    }),
    compliant("a deny whose lists hold the needed entry among others", (s) =>
      bucketPolicy(
        s,
        "b",
        json({
          ...tlsDeny("arn:aws:s3:::b"),
          Principal: { AWS: [ROOT, "*"] },
          Action: ["s3:GetObject", "s3:*"],
          Resource: ["arn:aws:s3:::other", "arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        }),
      ),
    ),
    compliant("a deny of * among other actions", (s) =>
      bucketPolicy(s, "b", json({ ...tlsDeny("arn:aws:s3:::b"), Action: ["s3:PutObject", "*"] })),
    ),
  ],
  KMS_KEY_ROTATION: [
    broken("rotation off", "enable_key_rotation is not true", (s) => key(s, { enableKeyRotation: false })),
    broken("rotation unset", "enable_key_rotation is not true", (s) =>
      key(s, { enableKeyRotation: undefined }),
    ),
    broken("rotation computed", "enable_key_rotation is not true", (s) =>
      key(s, { enableKeyRotation: Fn.tobool("true") as unknown as boolean }),
    ),
    compliant("rotation on", (s) => key(s)),
  ],
  KMS_KEY_PROTECTED: [
    broken("no prevent_destroy", "key lacks lifecycle { prevent_destroy = true }", (s) =>
      key(s, { lifecycle: {} }),
    ),
    broken("a 7-day window", "deletion_window_in_days is 7, not 30", (s) =>
      key(s, { deletionWindowInDays: 7 }),
    ),
    broken("no window", "deletion_window_in_days is unset (30 by default, but say so), not 30", (s) =>
      key(s, { deletionWindowInDays: undefined }),
    ),
    compliant("protected, 30 days", (s) => key(s)),
  ],
  KMS_KEY_ADMIN_ROOT_ONLY: [
    broken(
      "JSON: kms:* to a role",
      'kms:* granted to [{"AWS":["arn:aws:iam::111111111111:role/admin"]}]',
      (s) =>
        key(s, {
          policy: json({
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::111111111111:role/admin" },
            Action: "kms:*",
            Resource: "*",
          }),
        }),
    ),
    broken("jsonencode: kms:* to *", 'kms:* granted to [{"AWS":["*"]}]', (s) =>
      key(s, {
        policy: Fn.jsonencode({
          Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" }],
        }),
      }),
    ),
    broken("data source: * to a service", 'kms:* granted to [{"Service":["logs.amazonaws.com"]}]', (s) =>
      key(s, {
        policy: doc(s, [
          {
            actions: ["*"],
            resources: ["*"],
            principals: [{ type: "Service", identifiers: ["logs.amazonaws.com"] }],
          },
        ]).json,
      }),
    ),
    broken(
      "aws_kms_key_policy: NotAction to root and a service",
      `kms:* granted to [{"AWS":["${ROOT}"],"Service":["logs.amazonaws.com"]}]`,
      ({ stack, provider }) =>
        new KmsKeyPolicy(stack, "KeyPolicy", {
          provider,
          keyId: "k",
          policy: json({
            Effect: "Allow",
            Principal: { AWS: ROOT, Service: "logs.amazonaws.com" },
            NotAction: "kms:ScheduleKeyDeletion",
            Resource: "*",
          }),
        }),
    ),
    broken(
      "kms:* and * among named actions",
      'kms:* granted to [{"AWS":["arn:aws:iam::111111111111:role/admin"]},{"Service":["logs.amazonaws.com"]}]',
      (s) =>
        key(s, {
          policy: json(
            {
              Effect: "Allow",
              Principal: { AWS: "arn:aws:iam::111111111111:role/admin" },
              Action: ["kms:Decrypt", "kms:*"],
              Resource: "*",
            },
            {
              Effect: "Allow",
              Principal: { Service: "logs.amazonaws.com" },
              Action: ["kms:Encrypt", "*"],
              Resource: "*",
            },
          ),
        }),
    ),
    broken("kms:* without a principal", "kms:* granted to [null]", (s) =>
      key(s, { policy: json({ Effect: "Allow", Action: "kms:*", Resource: "*" }) }),
    ),
    broken("kms:* to an empty principal list", 'kms:* granted to [{"AWS":[]}]', (s) =>
      key(s, { policy: json({ Effect: "Allow", Principal: { AWS: [] }, Action: "kms:*", Resource: "*" }) }),
    ),
    broken(
      "kms:* to principals that only look like a root",
      'kms:* granted to [{"AWS":["arn:aws:iam::111111111111:rootx","xarn:aws:iam::111111111111:root","arn:aws:iam::11111111111:root"]}]',
      (s) =>
        key(s, {
          policy: json({
            Effect: "Allow",
            Principal: {
              AWS: [
                "arn:aws:iam::111111111111:rootx",
                "xarn:aws:iam::111111111111:root",
                "arn:aws:iam::11111111111:root",
              ],
            },
            Action: "kms:*",
            Resource: "*",
          }),
        }),
    ),
    compliant("JSON: kms:* to the root, a Deny of kms:* to anyone", (s) =>
      key(s, {
        policy: json(
          { Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" },
          { Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*" },
        ),
      }),
    ),
    compliant("data source: kms:* to the aws-cn root, named actions to a service", (s) =>
      key(s, {
        policy: doc(s, [
          {
            actions: ["kms:*"],
            resources: ["*"],
            principals: [{ type: "AWS", identifiers: ["arn:aws-cn:iam::111111111111:root"] }],
          },
          {
            actions: ["kms:Decrypt"],
            resources: ["*"],
            principals: [{ type: "Service", identifiers: ["logs.amazonaws.com"] }],
          },
        ]).json,
      }),
    ),
  ],
  IAM_NO_WILDCARD_ACTION: [
    broken("JSON: service:*", "allows s3:*", (s) =>
      rolePolicy(s, json({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" })),
    ),
    broken("data source: *", "allows *", (s) =>
      rolePolicy(s, docRef(doc(s, [{ actions: ["*"], resources: ["arn:aws:s3:::b/*"] }]))),
    ),
    broken("several wildcards in two statements", "allows s3:*, *, every action but iam:*", (s) =>
      rolePolicy(
        s,
        json(
          { Effect: "Allow", Action: ["s3:GetObject", "s3:*", "*"], Resource: "arn:aws:s3:::b/*" },
          { Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::b/*" },
        ),
      ),
    ),
    broken("jsonencode: NotAction", "allows every action but iam:*, s3:DeleteObject", (s) =>
      rolePolicy(
        s,
        Fn.jsonencode({
          Statement: [
            { Effect: "Allow", NotAction: ["iam:*", "s3:DeleteObject"], Resource: "arn:aws:s3:::b/*" },
          ],
        }),
      ),
    ),
    broken(
      "a queue policy allowing sqs:*",
      "allows sqs:*",
      ({ stack, provider }) =>
        new SqsQueuePolicy(stack, "QueuePolicy", {
          provider,
          queueUrl: "q",
          policy: json({
            Effect: "Allow",
            Principal: { AWS: ROOT },
            Action: "sqs:*",
            Resource: "arn:aws:sqs:us-east-1:111111111111:q",
          }),
        }),
    ),
    broken("a key policy granting kms:* to a service", "allows kms:*", (s) =>
      key(s, {
        policy: json({
          Effect: "Allow",
          Principal: { Service: "logs.amazonaws.com" },
          Action: "kms:*",
          Resource: "*",
        }),
      }),
    ),
    broken("an identity policy granting kms:* to a root-like resource", "allows kms:*", (s) =>
      rolePolicy(
        s,
        json({
          Effect: "Allow",
          Principal: { AWS: ROOT },
          Action: "kms:*",
          Resource: "arn:aws:kms:us-east-1:111111111111:key/k",
        }),
      ),
    ),
    compliant("named actions; a Deny of s3:*; the default key policy", (s) => {
      bucket(s);
      key(s);
      return rolePolicy(
        s,
        json(
          { Effect: "Allow", Action: ["s3:PutObject", "kms:Encrypt*"], Resource: "arn:aws:s3:::b/*" },
          { Effect: "Deny", Action: "*", Resource: "*" },
        ),
      );
    }),
    compliant("a trust policy is not an identity policy", (s) =>
      role(
        s,
        json({
          ...assume,
          Action: "sts:*",
          Principal: FIREHOSE,
          Condition: { StringEquals: { "sts:ExternalId": "1" } },
        }),
      ),
    ),
  ],
  IAM_RESOURCE_SCOPED: [
    broken("JSON: Resource *", "statement WriteAnything allows Resource *", (s) =>
      rolePolicy(
        s,
        json({
          Sid: "WriteAnything",
          Effect: "Allow",
          Action: "s3:PutObject",
          Resource: ["arn:aws:s3:::b/*", "*"],
        }),
      ),
    ),
    broken("data source: no resources", "statement #1 allows Resource *", (s) =>
      rolePolicy(s, docRef(doc(s, [{ actions: ["s3:PutObject"] }]))),
    ),
    broken("two open statements", "statement Anything, #3 allows Resource *", (s) =>
      rolePolicy(
        s,
        json(
          { Sid: "Anything", Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
          { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" },
          { Effect: "Allow", Action: "s3:PutObject" },
        ),
      ),
    ),
    broken("jsonencode: NotResource", "statement #2 allows Resource *", (s) =>
      rolePolicy(
        s,
        Fn.jsonencode({
          Statement: [
            { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" },
            { Sid: "", Effect: "Allow", Action: "s3:PutObject", NotResource: "arn:aws:s3:::b/*" },
          ],
        }),
      ),
    ),
    broken(
      "a queue policy on *",
      "statement Send allows Resource *",
      ({ stack, provider }) =>
        new SqsQueuePolicy(stack, "QueuePolicy", {
          provider,
          queueUrl: "q",
          policy: json({
            Sid: "Send",
            Effect: "Allow",
            Principal: { AWS: ROOT },
            Action: "sqs:SendMessage",
            Resource: "*",
          }),
        }),
    ),
    compliant("named resources, a Deny on *, a key policy's * (this key)", (s) => {
      key(s);
      return rolePolicy(
        s,
        json(
          { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*" },
          { Effect: "Deny", Action: "s3:DeleteObject", Resource: "*" },
        ),
      );
    }),
  ],
  IAM_FEDERATED_TRUST_CONDITION: [
    broken(
      "jsonencode: an OIDC provider without any condition",
      "statement #1 trusts arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com without token.actions.githubusercontent.com:aud and token.actions.githubusercontent.com:sub",
      (s) =>
        role(
          s,
          Fn.jsonencode({
            Statement: [
              { ...OIDC_ASSUME, Principal: { Federated: `${OIDC}/token.actions.githubusercontent.com` } },
            ],
          }),
        ),
    ),
    broken(
      "JSON: the audience pinned, the subject any (*)",
      `statement Run trusts ${OIDC}/app.terraform.io without app.terraform.io:sub`,
      (s) =>
        role(
          s,
          json({
            ...OIDC_ASSUME,
            Sid: "Run",
            Principal: { Federated: `${OIDC}/app.terraform.io` },
            Condition: {
              StringEquals: { "app.terraform.io:aud": "aws.workload.identity" },
              StringLike: { "app.terraform.io:sub": "*" },
            },
          }),
        ),
    ),
    broken(
      "data source: a subject for another issuer's key",
      `statement Run trusts ${OIDC}/app.terraform.io without app.terraform.io:sub`,
      (s) =>
        role(
          s,
          docRef(
            doc(s, [
              {
                sid: "Run",
                actions: ["sts:AssumeRoleWithWebIdentity"],
                principals: [{ type: "Federated", identifiers: [`${OIDC}/app.terraform.io`] }],
                condition: [
                  {
                    test: "StringEquals",
                    variable: "app.terraform.io:aud",
                    values: ["aws.workload.identity"],
                  },
                  { test: "StringEquals", variable: "tfe.example.com:sub", values: ["organization:acme"] },
                ],
              },
            ]),
          ),
        ),
    ),
    broken(
      "JSON: a SAML provider without SAML:aud",
      "statement #1 trusts arn:aws:iam::111111111111:saml-provider/idp without SAML:aud",
      (s) =>
        role(
          s,
          json({
            ...OIDC_ASSUME,
            Action: "sts:AssumeRoleWithSAML",
            Principal: { Federated: "arn:aws:iam::111111111111:saml-provider/idp" },
          }),
        ),
    ),
    broken(
      "JSON: a federated principal that is no IAM provider",
      "statement #1 trusts cognito-identity.amazonaws.com, which is not an IAM OIDC or SAML provider",
      (s) => role(s, json({ ...OIDC_ASSUME, Principal: { Federated: "cognito-identity.amazonaws.com" } })),
    ),
    broken(
      "JSON: a subject list with * among exact ones is any subject",
      `statement #1 trusts ${OIDC}/app.terraform.io without app.terraform.io:sub`,
      (s) =>
        role(
          s,
          json({
            ...OIDC_ASSUME,
            Principal: { Federated: `${OIDC}/app.terraform.io` },
            Condition: {
              StringEquals: { "app.terraform.io:aud": "aws.workload.identity" },
              StringLike: { "app.terraform.io:sub": ["organization:acme:*", "*"] },
            },
          }),
        ),
    ),
    broken(
      "JSON: two providers in one statement, two statements: every problem, in order",
      `statement #1 trusts ${OIDC}/a.example.com without a.example.com:aud and a.example.com:sub; arn:aws:iam::111111111111:saml-provider/idp without SAML:aud; statement #2 trusts ${OIDC}/b.example.com without b.example.com:aud and b.example.com:sub`,
      (s) =>
        role(
          s,
          json(
            {
              ...OIDC_ASSUME,
              Principal: {
                Federated: [`${OIDC}/a.example.com`, "arn:aws:iam::111111111111:saml-provider/idp"],
              },
            },
            { ...OIDC_ASSUME, Principal: { Federated: `${OIDC}/b.example.com` } },
          ),
        ),
    ),
    compliant("JSON: audience and exact subject; SAML with SAML:aud", (s) =>
      role(
        s,
        json(
          {
            ...OIDC_ASSUME,
            Principal: { Federated: `${OIDC}/app.terraform.io` },
            Condition: {
              StringEquals: {
                "app.terraform.io:aud": "aws.workload.identity",
                "app.terraform.io:sub":
                  "organization:acme:project:Default Project:workspace:w:run_phase:plan",
              },
            },
          },
          {
            ...OIDC_ASSUME,
            Action: "sts:AssumeRoleWithSAML",
            Principal: { Federated: "arn:aws:iam::111111111111:saml-provider/idp" },
            Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
          },
        ),
      ),
    ),
  ],
  IAM_SERVICE_TRUST_CONDITION: [
    broken(
      "JSON: no condition",
      "service firehose.amazonaws.com may assume the role on behalf of anyone",
      (s) => role(s, json({ ...assume, Principal: FIREHOSE })),
    ),
    broken(
      "data source: a condition that is not a confused-deputy key",
      "service lambda.amazonaws.com, edgelambda.amazonaws.com may assume the role on behalf of anyone",
      (s) =>
        role(
          s,
          docRef(
            doc(s, [
              {
                actions: ["sts:AssumeRole"],
                principals: [
                  { type: "Service", identifiers: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] },
                ],
                condition: [{ test: "StringEquals", variable: "aws:PrincipalTag/team", values: ["sec"] }],
              },
            ]),
          ),
        ),
    ),
    broken(
      "jsonencode: an empty aws:SourceAccount",
      "service logs.amazonaws.com may assume the role on behalf of anyone",
      (s) =>
        role(
          s,
          Fn.jsonencode({
            Statement: [
              {
                ...assume,
                Principal: { Service: "logs.amazonaws.com" },
                Condition: { StringEquals: { "aws:SourceAccount": [] } },
              },
            ],
          }),
        ),
    ),
    compliant("JSON: sts:ExternalId", (s) =>
      role(
        s,
        json({
          ...assume,
          Principal: FIREHOSE,
          Condition: { StringEquals: { "sts:ExternalId": "111111111111" } },
        }),
      ),
    ),
    compliant("data source: aws:SourceArn", (s) =>
      role(
        s,
        docRef(
          doc(s, [
            {
              actions: ["sts:AssumeRole"],
              principals: [{ type: "Service", identifiers: ["logs.amazonaws.com"] }],
              condition: [
                {
                  test: "ArnLike",
                  variable: "aws:SourceArn",
                  values: ["arn:aws:logs:us-east-1:111111111111:*"],
                },
              ],
            },
          ]),
        ),
      ),
    ),
    compliant("jsonencode: aws:SourceAccount, written in another case", (s) =>
      role(
        s,
        Fn.jsonencode({
          Statement: [
            {
              ...assume,
              Principal: FIREHOSE,
              Condition: { StringEquals: { "AWS:SOURCEACCOUNT": "111111111111" } },
            },
          ],
        }),
      ),
    ),
    compliant("a Deny needs no condition", (s) =>
      role(
        s,
        json(
          { ...assume, Principal: FIREHOSE, Condition: { StringEquals: { "sts:ExternalId": "1" } } },
          { ...assume, Effect: "Deny", Principal: { Service: "lambda.amazonaws.com" } },
        ),
      ),
    ),
  ],
  IAM_ACCOUNT_TRUST_CONDITION: [
    broken(
      "JSON: an account root without a condition",
      `${ROOT} may assume the role without sts:ExternalId, aws:PrincipalOrgID, aws:PrincipalArn`,
      (s) => role(s, json({ ...assume, Principal: { AWS: ROOT } })),
    ),
    broken(
      "data source: Principal * without an organization",
      "statement Anyone lets any AWS principal assume the role without aws:PrincipalOrgID",
      (s) =>
        role(
          s,
          docRef(
            doc(s, [
              {
                sid: "Anyone",
                actions: ["sts:AssumeRole"],
                principals: [{ type: "*", identifiers: ["*"] }],
                condition: [{ test: "StringEquals", variable: "sts:ExternalId", values: ["x"] }],
              },
            ]),
          ),
        ),
    ),
    broken("JSON: NotPrincipal", "statement #1 trusts everyone but NotPrincipal", (s) =>
      role(s, json({ ...assume, NotPrincipal: { AWS: ROOT } })),
    ),
    broken(
      "a principal type that is neither, beside a federated one (IAM_FEDERATED_TRUST_CONDITION's)",
      "statement #1 trusts CanonicalUser, neither a service nor an account",
      (s) =>
        role(
          s,
          json({
            ...assume,
            Principal: { Federated: "arn:aws:iam::111111111111:saml-provider/idp", CanonicalUser: "c0ffee" },
          }),
        ),
    ),
    broken(
      "two principal types that are neither",
      "statement #1 trusts CanonicalUser, Unknown, neither a service nor an account",
      (s) => role(s, json({ ...assume, Principal: { CanonicalUser: "c0ffee", Unknown: "x" } })),
    ),
    broken(
      "two account roots without a condition",
      `${ROOT}, arn:aws:iam::222222222222:root may assume the role without sts:ExternalId, aws:PrincipalOrgID, aws:PrincipalArn`,
      (s) => role(s, json({ ...assume, Principal: { AWS: [ROOT, "arn:aws:iam::222222222222:root"] } })),
    ),
    broken(
      "two statements, two problems",
      `${ROOT} may assume the role without sts:ExternalId, aws:PrincipalOrgID, aws:PrincipalArn; statement #2 lets any AWS principal assume the role without aws:PrincipalOrgID`,
      (s) => role(s, json({ ...assume, Principal: { AWS: ROOT } }, { ...assume, Principal: "*" })),
    ),
    compliant("JSON: sts:ExternalId, aws:PrincipalArn; * within the organization; a service", (s) =>
      role(
        s,
        json(
          { ...assume, Principal: { AWS: ROOT }, Condition: { StringEquals: { "sts:ExternalId": "x" } } },
          {
            ...assume,
            Principal: { AWS: ROOT },
            Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::111111111111:role/ci" } },
          },
          {
            ...assume,
            Principal: "*",
            Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
          },
          {
            ...assume,
            Principal: { AWS: ROOT },
            Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
          },
          {
            ...assume,
            Principal: FIREHOSE,
            Condition: { ArnLike: { "aws:SourceArn": "arn:aws:firehose:*:1:*" } },
          },
          { ...assume, Effect: "Deny", Principal: { Federated: "x" } },
        ),
      ),
    ),
  ],
  KINESIS_KMS: [
    broken(
      "NONE",
      "encryption_type is not KMS with a key",
      ({ stack, provider }) =>
        new KinesisStream(stack, "Stream", { provider, name: "s", encryptionType: "NONE" }),
    ),
    broken(
      "KMS without a key",
      "encryption_type is not KMS with a key",
      ({ stack, provider }) =>
        new KinesisStream(stack, "Stream", { provider, name: "s", encryptionType: "KMS" }),
    ),
    broken(
      "a key without KMS",
      "encryption_type is not KMS with a key",
      ({ stack, provider }) => new KinesisStream(stack, "Stream", { provider, name: "s", kmsKeyId: "k" }),
    ),
    compliant(
      "KMS with a key",
      ({ stack, provider }) =>
        new KinesisStream(stack, "Stream", { provider, name: "s", encryptionType: "KMS", kmsKeyId: "k" }),
    ),
  ],
  FIREHOSE_S3_KMS: [
    broken(
      "no key",
      "extended_s3_configuration.kms_key_arn is not set",
      ({ stack, provider }) =>
        new KinesisFirehoseDeliveryStream(stack, "Firehose", {
          provider,
          name: "f",
          destination: "extended_s3",
          extendedS3Configuration: { bucketArn: "arn:aws:s3:::b", roleArn: "r" },
        }),
    ),
    broken(
      "an empty key",
      "extended_s3_configuration.kms_key_arn is not set",
      ({ stack, provider }) =>
        new KinesisFirehoseDeliveryStream(stack, "Firehose", {
          provider,
          name: "f",
          destination: "extended_s3",
          extendedS3Configuration: { bucketArn: "arn:aws:s3:::b", roleArn: "r", kmsKeyArn: "" },
        }),
    ),
    broken(
      "a key of another block",
      "extended_s3_configuration.kms_key_arn is not set",
      ({ stack, provider }) =>
        new KinesisFirehoseDeliveryStream(stack, "Firehose", {
          provider,
          name: "f",
          destination: "extended_s3",
          extendedS3Configuration: { bucketArn: "arn:aws:s3:::b", roleArn: "r" },
          serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: "k" },
        }),
    ),
    compliant(
      "a key",
      ({ stack, provider }) =>
        new KinesisFirehoseDeliveryStream(stack, "Firehose", {
          provider,
          name: "f",
          destination: "extended_s3",
          extendedS3Configuration: { bucketArn: "arn:aws:s3:::b", roleArn: "r", kmsKeyArn: "k" },
        }),
    ),
    compliant(
      "another destination",
      ({ stack, provider }) =>
        new KinesisFirehoseDeliveryStream(stack, "Firehose", {
          provider,
          name: "f",
          destination: "http_endpoint",
          httpEndpointConfiguration: {
            url: "https://example.com",
            s3Configuration: { bucketArn: "arn:aws:s3:::b", roleArn: "r" },
          },
        }),
    ),
  ],
  LOGS_DESTINATION_POLICY_SCOPED: [
    broken(
      "JSON: Principal *",
      "Principal * without an aws:PrincipalOrgID condition lets any AWS account subscribe",
      (s) =>
        destinationPolicy(
          s,
          json({
            Effect: "Allow",
            Principal: "*",
            Action: "logs:PutSubscriptionFilter",
            Resource: DESTINATION,
          }),
        ),
    ),
    broken(
      "data source: principals type *",
      "Principal * without an aws:PrincipalOrgID condition lets any AWS account subscribe",
      (s) =>
        destinationPolicy(
          s,
          docRef(
            doc(s, [
              {
                actions: ["logs:PutSubscriptionFilter"],
                resources: [DESTINATION],
                principals: [{ type: "*", identifiers: ["*"] }],
              },
            ]),
          ),
        ),
    ),
    broken(
      "jsonencode: AWS * limited by the wrong key",
      "Principal * without an aws:PrincipalOrgID condition lets any AWS account subscribe",
      (s) =>
        destinationPolicy(
          s,
          Fn.jsonencode({
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: ["*"] },
                Action: "logs:PutSubscriptionFilter",
                Resource: DESTINATION,
                Condition: { StringEquals: { "aws:PrincipalAccount": "222222222222" } },
              },
            ],
          }),
        ),
    ),
    compliant("Principal * within the organization; named accounts", (s) =>
      destinationPolicy(
        s,
        json(
          {
            Effect: "Allow",
            Principal: "*",
            Action: "logs:PutSubscriptionFilter",
            Resource: DESTINATION,
            Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
          },
          {
            Effect: "Allow",
            Principal: { AWS: ["222222222222"] },
            Action: "logs:PutSubscriptionFilter",
            Resource: DESTINATION,
          },
          { Effect: "Deny", Principal: "*", Action: "logs:PutSubscriptionFilter", Resource: DESTINATION },
        ),
      ),
    ),
  ],
  PROVIDER_EXPLICIT: [
    broken(
      "a bucket",
      "resource has no provider",
      ({ stack }) => new S3Bucket(stack, "B", { lifecycle: { preventDestroy: true } }),
    ),
    broken(
      "a key",
      "resource has no provider",
      ({ stack }) => new KmsKey(stack, "K", { enableKeyRotation: true }),
    ),
    broken(
      "a role",
      "resource has no provider",
      ({ stack }) => new IamRole(stack, "R", { assumeRolePolicy: json({ ...assume, Principal: FIREHOSE }) }),
    ),
    compliant("an aliased provider", ({ stack, provider }) => new S3Bucket(stack, "B", { provider })),
  ],
};

describe("rule cases", () => {
  test("every rule has at least three broken cases and one compliant case", () => {
    expect(Object.keys(CASES).sort()).toEqual(SECURITY_RULES.map((r) => r.id).sort());
    const thin = Object.entries(CASES).filter(
      ([, cases]) => cases.filter((c) => c.message).length < 3 || !cases.some((c) => !c.message),
    );
    expect(thin.map(([id]) => id)).toEqual([]);
  });

  test.each(Object.entries(CASES).flatMap(([id, cases]) => cases.map((c) => [id, c.name, c] as const)))(
    "%s: %s",
    (id, _name, c) => {
      const s = scope();
      const target = c.build(s);
      expect(violationsOfRule(s.stack, id)).toEqual(c.message === undefined ? [] : [at(target, c.message)]);
    },
  );
});
