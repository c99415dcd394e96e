/**
 * The security rule pack as a whole: the probes that once synthesized clean
 * (issue 14), our own stacks staying quiet, synth failing on a violation,
 * and suppressions. Each rule's cases: __tests__/rules/cases.test.ts;
 * policy reading: __tests__/rules/policy.test.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Annotations, App, Fn, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import {
  applySecurityRules,
  errorAnnotations,
  SecurityRulePack,
  stackViolations,
  suppressRule,
  violationsOf,
} from "../lib/rules/pack";
import { SECURITY_RULES } from "../lib/rules/rules";
import { synthesizeAtomically, SynthError } from "../lib/synth";
import { bucket, json, scope } from "./rules/support";

const FIX = (id: string) => ` (fix it, or suppressRule(construct, "${id}", reason))`;

describe("the probes of issue 14 are caught", () => {
  test("a role policy from an aws_iam_policy_document allowing * on *", () => {
    const { stack, provider } = scope();
    const document = new DataAwsIamPolicyDocument(stack, "Everything", {
      provider,
      statement: [{ effect: "Allow", actions: ["*"], resources: ["*"] }],
    });
    new IamRolePolicy(stack, "Policy", { provider, role: "r", policy: document.json });
    expect(stackViolations(stack)).toEqual([
      { path: "test/Policy", ruleId: "IAM_NO_WILDCARD_ACTION", message: "allows *" },
      { path: "test/Policy", ruleId: "IAM_RESOURCE_SCOPED", message: "statement #1 allows Resource *" },
    ]);
  });

  test("a KMS key whose Fn.jsonencode policy grants kms:* to *", () => {
    const { stack, provider } = scope();
    new KmsKey(stack, "Key", {
      provider,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      lifecycle: { preventDestroy: true },
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" }],
      }),
    });
    expect(stackViolations(stack)).toEqual([
      { path: "test/Key", ruleId: "KMS_KEY_ADMIN_ROOT_ONLY", message: 'kms:* granted to [{"AWS":["*"]}]' },
      { path: "test/Key", ruleId: "IAM_NO_WILDCARD_ACTION", message: "allows kms:*" },
    ]);
  });

  test("a bare S3Bucket", () => {
    const { stack, provider } = scope();
    new S3Bucket(stack, "Bare", { provider, bucket: "bare" });
    expect(stackViolations(stack)).toEqual(
      [
        ["S3_BUCKET_PREVENT_DESTROY", "bucket lacks lifecycle { prevent_destroy = true }"],
        ["S3_BUCKET_ENCRYPTED", "no aws_s3_bucket_server_side_encryption_configuration names this bucket"],
        ["S3_BUCKET_PUBLIC_ACCESS_BLOCKED", "no aws_s3_bucket_public_access_block names this bucket"],
        ["S3_BUCKET_TLS_ONLY", "no aws_s3_bucket_policy names this bucket"],
        ["S3_BUCKET_VERSIONED", "no aws_s3_bucket_versioning names this bucket"],
      ].map(([ruleId, message]) => ({ path: "test/Bare", ruleId, message })),
    );
  });
});

describe("the pack at synth", () => {
  test("a violation fails synth with the resource path and the rule, and writes nothing", () => {
    const outdir = mkdtempSync(join(tmpdir(), "seclog-rules-"));
    writeFileSync(join(outdir, "previous.txt"), "last good output");
    // A user's stack with a bare bucket (our own stacks' synth: __tests__/rules/stacks.test.ts).
    const extend = (app: App) => {
      const stack = new TerraformStack(app, "security");
      const provider = new AwsProvider(stack, "aws", { region: "us-east-1", alias: "us_east_1" });
      new S3Bucket(stack, "ExtraBucket", { provider, bucket: "user-added-bucket" });
      applySecurityRules(stack);
      return app;
    };
    let error: unknown;
    try {
      synthesizeAtomically(extend, outdir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SynthError);
    expect((error as SynthError).problems).toEqual(
      [
        ["S3_BUCKET_PREVENT_DESTROY", "bucket lacks lifecycle { prevent_destroy = true }"],
        ["S3_BUCKET_ENCRYPTED", "no aws_s3_bucket_server_side_encryption_configuration names this bucket"],
        ["S3_BUCKET_PUBLIC_ACCESS_BLOCKED", "no aws_s3_bucket_public_access_block names this bucket"],
        ["S3_BUCKET_TLS_ONLY", "no aws_s3_bucket_policy names this bucket"],
        ["S3_BUCKET_VERSIONED", "no aws_s3_bucket_versioning names this bucket"],
      ].map(([id, message]) => `security/ExtraBucket: [${id}] ${message}${FIX(id)}`),
    );
    expect(readdirSync(outdir)).toEqual(["previous.txt"]);
  });

  test("the aspect reports on stacks only, and once per violation", () => {
    const { stack, provider } = scope();
    const key = new KmsKey(stack, "Key", {
      provider,
      enableKeyRotation: false,
      deletionWindowInDays: 30,
      lifecycle: { preventDestroy: true },
    });
    const pack = new SecurityRulePack();
    pack.visit(key);
    expect(errorAnnotations(stack)).toEqual([]);
    pack.visit(stack);
    expect(errorAnnotations(stack)).toEqual([
      `test/Key: [KMS_KEY_ROTATION] enable_key_rotation is not true${FIX("KMS_KEY_ROTATION")}`,
    ]);
  });

  test("a pack of chosen rules applies only those", () => {
    const { stack, provider } = scope();
    new S3Bucket(stack, "Bare", { provider });
    new SecurityRulePack([SECURITY_RULES[1]]).visit(stack);
    expect(errorAnnotations(stack)).toEqual([
      `test/Bare: [S3_BUCKET_PREVENT_DESTROY] bucket lacks lifecycle { prevent_destroy = true }${FIX("S3_BUCKET_PREVENT_DESTROY")}`,
    ]);
  });

  test("violationsOf a resource judges it with its stack and returns only its own", () => {
    const s = scope();
    const target = bucket(s, ["versioning"]);
    new S3Bucket(s.stack, "Other", { provider: s.provider, lifecycle: { preventDestroy: true } });
    expect(violationsOf(target)).toEqual([
      {
        path: "test/Bucket",
        ruleId: "S3_BUCKET_VERSIONED",
        message: "no aws_s3_bucket_versioning names this bucket",
      },
    ]);
  });
});

describe("suppressions", () => {
  test("a suppression with a reason exempts the construct, and is recorded in the output", () => {
    const outdir = mkdtempSync(join(tmpdir(), "seclog-suppress-"));
    synthesizeAtomically((app) => {
      const stack = new TerraformStack(app, "scratch");
      const provider = new AwsProvider(stack, "aws", { region: "us-east-1", alias: "us_east_1" });
      const scratch = new S3Bucket(stack, "Scratch", { provider, bucket: "scratch-bucket" });
      const reasons: Record<string, string> = {
        S3_BUCKET_PREVENT_DESTROY: "scratch space for load tests, holds no evidence",
        S3_BUCKET_ENCRYPTED: "scratch space for load tests: S3 encrypts new objects with SSE-S3 by default",
        S3_BUCKET_PUBLIC_ACCESS_BLOCKED: "scratch space: the account-level public access block applies",
        S3_BUCKET_TLS_ONLY: "scratch space for load tests, written only by the load generator",
        S3_BUCKET_VERSIONED: "scratch space for load tests, nothing worth a previous version",
      };
      for (const [id, reason] of Object.entries(reasons)) suppressRule(scratch, id, reason);
      new IamRolePolicy(stack, "Unreadable", { provider, role: "r", policy: Fn.file("policy.json") });
      suppressRule(stack, "POLICY_UNREADABLE", "policy.json is reviewed in its own repository");
      applySecurityRules(stack);
      expect(stackViolations(stack)).toEqual([]);
      return app;
    }, outdir);
    const synthesized = JSON.parse(readFileSync(join(outdir, "stacks", "scratch", "cdk.tf.json"), "utf8"));
    // The stack-wide suppression is recorded on every resource it exempts.
    expect(synthesized.resource.aws_s3_bucket.Scratch["//"].seclog_suppressed_rules).toEqual({
      POLICY_UNREADABLE: "policy.json is reviewed in its own repository",
      S3_BUCKET_PREVENT_DESTROY: "scratch space for load tests, holds no evidence",
      S3_BUCKET_ENCRYPTED: "scratch space for load tests: S3 encrypts new objects with SSE-S3 by default",
      S3_BUCKET_PUBLIC_ACCESS_BLOCKED: "scratch space: the account-level public access block applies",
      S3_BUCKET_TLS_ONLY: "scratch space for load tests, written only by the load generator",
      S3_BUCKET_VERSIONED: "scratch space for load tests, nothing worth a previous version",
    });
    expect(synthesized.resource.aws_iam_role_policy.Unreadable["//"].seclog_suppressed_rules).toEqual({
      POLICY_UNREADABLE: "policy.json is reviewed in its own repository",
    });
  });

  test("other metadata on a construct is no suppression, and leaves no record", () => {
    const outdir = mkdtempSync(join(tmpdir(), "seclog-noted-"));
    synthesizeAtomically((app) => {
      const stack = new TerraformStack(app, "noted");
      const provider = new AwsProvider(stack, "aws", { region: "us-east-1", alias: "us_east_1" });
      const noted = bucket({ stack, provider });
      Annotations.of(noted).addInfo("a note, not an exemption");
      applySecurityRules(stack);
      return app;
    }, outdir);
    const synthesized = JSON.parse(readFileSync(join(outdir, "stacks", "noted", "cdk.tf.json"), "utf8"));
    expect(synthesized.resource.aws_s3_bucket.Bucket["//"]).toEqual({
      metadata: { path: "noted/Bucket", uniqueId: "Bucket" },
    });
  });

  test("a suppression exempts one rule only, for the construct and everything under it", () => {
    const { stack, provider } = scope();
    const group = new Construct(stack, "Group");
    new KmsKey(group, "Key", {
      provider,
      enableKeyRotation: false,
      deletionWindowInDays: 7,
      lifecycle: { preventDestroy: true },
    });
    suppressRule(group, "KMS_KEY_ROTATION", "a test key, rotated by its test");
    expect(stackViolations(stack)).toEqual([
      {
        path: "test/Group/Key",
        ruleId: "KMS_KEY_PROTECTED",
        message: "deletion_window_in_days is 7, not 30",
      },
    ]);
  });

  test("a suppression needs a known rule and a reason of at least ten characters", () => {
    const { stack } = scope();
    expect(() => suppressRule(stack, "S3_BUCKET_PREVENT_DESTROY", "")).toThrow(
      "suppressRule(S3_BUCKET_PREVENT_DESTROY): give a reason of at least 10 characters",
    );
    expect(() => suppressRule(stack, "S3_BUCKET_PREVENT_DESTROY", "  123456789  ")).toThrow(
      "suppressRule(S3_BUCKET_PREVENT_DESTROY): give a reason of at least 10 characters",
    );
    expect(() => suppressRule(stack, "NO_SUCH_RULE", "because I said so")).toThrow(
      "suppressRule: unknown rule NO_SUCH_RULE",
    );
    expect(stack.node.metadata).toEqual([]);
    suppressRule(stack, "POLICY_UNREADABLE", "1234567890");
    expect(stack.node.metadata.map((m) => [m.type, m.data])).toEqual([
      ["seclog:suppress-rule", { ruleId: "POLICY_UNREADABLE", reason: "1234567890" }],
    ]);
  });

  test("every rule can be suppressed", () => {
    const { stack } = scope();
    for (const rule of SECURITY_RULES) suppressRule(stack, rule.id, `reason for ${rule.id}`);
    expect(stack.node.metadata.length).toBe(SECURITY_RULES.length);
  });
});

test("a JSON policy reaches the rules as written", () => {
  const { stack, provider } = scope();
  new IamRolePolicy(stack, "Policy", {
    provider,
    role: "r",
    policy: json({ Sid: "Wild", Effect: "Allow", Action: "s3:*", Resource: "*" }),
  });
  expect(stackViolations(stack).map((v) => `${v.ruleId}: ${v.message}`)).toEqual([
    "IAM_NO_WILDCARD_ACTION: allows s3:*",
    "IAM_RESOURCE_SCOPED: statement Wild allows Resource *",
  ]);
});
