import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformResource, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KinesisStream } from "@cdktf/provider-aws/lib/kinesis-stream";
import { KinesisFirehoseDeliveryStream } from "@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream";
import { CloudwatchLogDestinationPolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-destination-policy";
import { SECURITY_RULES } from "../lib/rules/rules";
import { applySecurityRules, suppressRule, violationsOf } from "../lib/rules/pack";
import { synthesizeAtomically, SynthError } from "../lib/synth";
import { buildApp } from "../stacks/app";
import { parseConfig } from "../lib/config/load";
import { baseConfig, fullConfig } from "./support/fixtures";

type Factory = (scope: Construct, provider: AwsProvider | undefined) => TerraformResource;

const ROOT = "arn:aws:iam::111111111111:root";
const policy = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const key =
  (extra: Record<string, unknown> = {}) =>
  (s: Construct, provider?: AwsProvider) =>
    new KmsKey(s, "Key", {
      provider,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      lifecycle: { preventDestroy: true },
      policy: policy({ Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" }),
      ...extra,
    });
const rolePolicy = (statement: object) => (s: Construct, provider?: AwsProvider) =>
  new IamRolePolicy(s, "Policy", { provider, role: "r", policy: policy(statement) });
const trust = (statement: object) => (s: Construct, provider?: AwsProvider) =>
  new IamRole(s, "Role", { provider, assumeRolePolicy: policy(statement) });

/** Per rule: a construct that breaks it, and one that honors it. */
const CASES: Record<string, [Factory, Factory]> = {
  S3_BUCKET_PREVENT_DESTROY: [
    (s, provider) => new S3Bucket(s, "Bucket", { provider, bucket: "b-logs" }),
    (s, provider) =>
      new S3Bucket(s, "Bucket", { provider, bucket: "b-logs", lifecycle: { preventDestroy: true } }),
  ],
  S3_PUBLIC_ACCESS_BLOCK_ALL: [
    (s, provider) =>
      new S3BucketPublicAccessBlock(s, "Pab", {
        provider,
        bucket: "b",
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
      }),
    (s, provider) =>
      new S3BucketPublicAccessBlock(s, "Pab", {
        provider,
        bucket: "b",
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      }),
  ],
  S3_SSE_KMS: [
    (s, provider) =>
      new S3BucketServerSideEncryptionConfigurationA(s, "Sse", {
        provider,
        bucket: "b",
        rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      }),
    (s, provider) =>
      new S3BucketServerSideEncryptionConfigurationA(s, "Sse", {
        provider,
        bucket: "b",
        rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "k" } }],
      }),
  ],
  S3_POLICY_TLS_ONLY: [
    (s, provider) =>
      new S3BucketPolicy(s, "Policy", {
        provider,
        bucket: "b",
        policy: policy({
          Effect: "Allow",
          Principal: { AWS: ROOT },
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::b/*",
        }),
      }),
    (s, provider) =>
      new S3BucketPolicy(s, "Policy", {
        provider,
        bucket: "b",
        policy: policy({
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: "arn:aws:s3:::b/*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
      }),
  ],
  KMS_KEY_ROTATION: [key({ enableKeyRotation: false }), key()],
  KMS_KEY_PROTECTED: [key({ lifecycle: {} }), key()],
  KMS_KEY_ADMIN_ROOT_ONLY: [
    key({
      policy: policy({
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::111111111111:role/admin" },
        Action: "kms:*",
        Resource: "*",
      }),
    }),
    key(),
  ],
  IAM_NO_WILDCARD_ACTION: [
    rolePolicy({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" }),
    rolePolicy({ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*" }),
  ],
  IAM_RESOURCE_SCOPED: [
    rolePolicy({ Effect: "Allow", Action: "s3:PutObject", Resource: "*" }),
    rolePolicy({ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*" }),
  ],
  IAM_SERVICE_TRUST_CONDITION: [
    trust({ Effect: "Allow", Principal: { Service: "firehose.amazonaws.com" }, Action: "sts:AssumeRole" }),
    trust({
      Effect: "Allow",
      Principal: { Service: "firehose.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": "111111111111" } },
    }),
  ],
  KINESIS_KMS: [
    (s, provider) => new KinesisStream(s, "Stream", { provider, name: "s", encryptionType: "NONE" }),
    (s, provider) =>
      new KinesisStream(s, "Stream", { provider, name: "s", encryptionType: "KMS", kmsKeyId: "k" }),
  ],
  FIREHOSE_S3_KMS: [
    (s, provider) =>
      new KinesisFirehoseDeliveryStream(s, "Firehose", {
        provider,
        name: "f",
        destination: "extended_s3",
        extendedS3Configuration: { bucketArn: "arn:aws:s3:::b", roleArn: "r" },
      }),
    (s, provider) =>
      new KinesisFirehoseDeliveryStream(s, "Firehose", {
        provider,
        name: "f",
        destination: "extended_s3",
        extendedS3Configuration: { bucketArn: "arn:aws:s3:::b", roleArn: "r", kmsKeyArn: "k" },
      }),
  ],
  LOGS_DESTINATION_POLICY_SCOPED: [
    (s, provider) =>
      new CloudwatchLogDestinationPolicy(s, "DestPolicy", {
        provider,
        destinationName: "d",
        accessPolicy: policy({
          Effect: "Allow",
          Principal: "*",
          Action: "logs:PutSubscriptionFilter",
          Resource: "arn:aws:logs:us-east-1:111111111111:destination:d",
        }),
      }),
    (s, provider) =>
      new CloudwatchLogDestinationPolicy(s, "DestPolicy", {
        provider,
        destinationName: "d",
        accessPolicy: policy({
          Effect: "Allow",
          Principal: "*",
          Action: "logs:PutSubscriptionFilter",
          Resource: "arn:aws:logs:us-east-1:111111111111:destination:d",
          Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
        }),
      }),
  ],
  PROVIDER_EXPLICIT: [
    (s) => new S3Bucket(s, "Bucket", { bucket: "b-logs", lifecycle: { preventDestroy: true } }),
    (s, provider) =>
      new S3Bucket(s, "Bucket", { provider, bucket: "b-logs", lifecycle: { preventDestroy: true } }),
  ],
};

function build(
  factory: Factory,
  withProvider = true,
): { stack: TerraformStack; resource: TerraformResource } {
  const stack = new TerraformStack(Testing.app(), "test");
  const provider = withProvider
    ? new AwsProvider(stack, "aws", { region: "us-east-1", alias: "us_east_1" })
    : undefined;
  const resource = factory(stack, provider);
  return { stack, resource };
}

describe("security rule pack", () => {
  test("every rule has a case", () => {
    expect(Object.keys(CASES).sort()).toEqual(SECURITY_RULES.map((r) => r.id).sort());
  });

  test.each(SECURITY_RULES.map((r) => [r.id, r.description] as const))(
    "%s fires on a broken construct and not on a compliant one (%s)",
    (id) => {
      const [broken, compliant] = CASES[id];
      const bad = build(broken, id !== "PROVIDER_EXPLICIT");
      expect(violationsOf(bad.resource).map((v) => v.ruleId)).toContain(id);
      const good = build(compliant);
      expect(violationsOf(good.resource)).toEqual([]);
    },
  );

  test.each([
    ["default config", baseConfig()],
    ["every-option config", fullConfig()],
  ])("stays quiet on every resource of our stacks (%s)", (_name, document) => {
    const app = buildApp(parseConfig(document), Testing.app());
    const resources = app.node
      .findAll()
      .filter((c): c is TerraformResource => c instanceof TerraformResource);
    expect(resources.length).toBeGreaterThan(20);
    expect(resources.flatMap((r) => violationsOf(r))).toEqual([]);
  });

  test("a violation fails synth with the resource path and the rule, and writes nothing", () => {
    const outdir = mkdtempSync(join(tmpdir(), "seclog-rules-"));
    writeFileSync(join(outdir, "previous.txt"), "last good output");
    const extend = (app: App) => {
      buildApp(parseConfig(baseConfig()), app);
      const stack = app.node.findChild("security") as TerraformStack;
      const provider = stack.node.children.find((c) => c instanceof AwsProvider) as AwsProvider;
      new S3Bucket(stack, "ExtraBucket", { provider, bucket: "user-added-bucket" });
      return app;
    };
    let error: unknown;
    try {
      synthesizeAtomically(extend, outdir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SynthError);
    expect((error as SynthError).problems).toEqual([
      expect.stringMatching(/^security\/ExtraBucket: \[S3_BUCKET_PREVENT_DESTROY\] bucket lacks lifecycle/),
    ]);
    expect(readdirSync(outdir)).toEqual(["previous.txt"]);
  });

  test("a suppression with a reason exempts the construct, and is recorded in the output", () => {
    const outdir = mkdtempSync(join(tmpdir(), "seclog-suppress-"));
    synthesizeAtomically((app) => {
      const stack = new TerraformStack(app, "scratch");
      const provider = new AwsProvider(stack, "aws", { region: "us-east-1", alias: "us_east_1" });
      const bucket = new S3Bucket(stack, "Scratch", { provider, bucket: "scratch-bucket" });
      suppressRule(bucket, "S3_BUCKET_PREVENT_DESTROY", "scratch space for load tests, holds no evidence");
      applySecurityRules(stack);
      expect(violationsOf(bucket)).toEqual([]);
      return app;
    }, outdir);
    const synthesized = JSON.parse(readFileSync(join(outdir, "stacks", "scratch", "cdk.tf.json"), "utf8"));
    expect(synthesized.resource.aws_s3_bucket.Scratch["//"].seclog_suppressed_rules).toEqual({
      S3_BUCKET_PREVENT_DESTROY: "scratch space for load tests, holds no evidence",
    });
  });

  test("a suppression needs a known rule and a real reason", () => {
    const { resource } = build(CASES.S3_BUCKET_PREVENT_DESTROY[0]);
    expect(() => suppressRule(resource, "S3_BUCKET_PREVENT_DESTROY", "")).toThrow(/reason/);
    expect(() => suppressRule(resource, "NO_SUCH_RULE", "because I said so")).toThrow(/unknown rule/);
  });
});
