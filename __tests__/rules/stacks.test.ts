/**
 * Every stack this app synthesizes passes the rule pack, and the exemptions
 * it needs are exactly the ones recorded in cdk.tf.json, each with a reason.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TerraformStack, Testing } from "cdktf";
import { stackViolations } from "../../lib/rules/pack";
import { synthesizeAtomically } from "../../lib/synth";
import { buildApp } from "../../stacks/app";
import { parseConfig } from "../../lib/config/load";
import { baseConfig, chinaConfig, fullConfig, largeConfig } from "../support/fixtures";

describe("our stacks", () => {
  const keepSource = () => ({ ...baseConfig(), delivery: { keepSource: true } });
  /** fullConfig with a replica in us-west-2: the replication latency alarms' topic and key there. */
  const crossRegionReplica = () => {
    const config = fullConfig();
    config.archive.replica = {
      accountId: "444444444444",
      region: "us-west-2",
      objectLock: { mode: "COMPLIANCE", days: 365 },
    };
    return config;
  };
  test.each([
    ["default config", baseConfig()],
    ["every-option config", fullConfig()],
    ["organisation-scale config", largeConfig(6)],
    ["China config", chinaConfig()],
    ["keepSource config", keepSource()],
    ["cross-region replica config", crossRegionReplica()],
  ])("synthesize with zero violations (%s)", (_name, document) => {
    const app = buildApp(parseConfig(document), Testing.app());
    const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
    expect(stacks.length).toBeGreaterThan(2);
    expect(stacks.flatMap((s) => stackViolations(s))).toEqual([]);
  });

  test("the whole app synthesizes, every suppression recorded with its reason", () => {
    const outdir = mkdtempSync(join(tmpdir(), "seclog-rules-app-"));
    synthesizeAtomically((app) => buildApp(parseConfig(fullConfig()), app), outdir);
    const suppressed = (stack: string) => {
      const synthesized = JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
      return Object.entries(synthesized.resource as Record<string, Record<string, any>>).flatMap(
        ([type, byName]) =>
          Object.entries(byName).flatMap(([name, body]) =>
            Object.keys(body["//"]?.seclog_suppressed_rules ?? {}).map((id) => `${type}.${name}: ${id}`),
          ),
      );
    };
    expect(suppressed("security").map((s) => s.replace(/_[0-9A-F]{8}:/, ":"))).toEqual([
      "aws_iam_role.Processor_Role: IAM_SERVICE_TRUST_CONDITION",
      // Protects messages in flight only; it may go when alarms and notifications are turned off.
      "aws_kms_key.NotificationsKey: KMS_KEY_PROTECTED",
      // Athena query results only (copies that expire): they go when search is turned off.
      "aws_kms_key.SearchResultsKey: KMS_KEY_PROTECTED",
      "aws_s3_bucket.AccessLogs_Bucket: S3_BUCKET_VERSIONED",
      "aws_s3_bucket.SearchResults_Bucket: S3_BUCKET_PREVENT_DESTROY",
      "aws_s3_bucket_server_side_encryption_configuration.AccessLogs_Encryption: S3_SSE_KMS",
    ]);
    expect(suppressed("state").map((s) => s.replace(/_[0-9A-F]{8}:/, ":"))).toEqual([
      "aws_iam_role.StateAccess_payments-prod_Role: IAM_ACCOUNT_TRUST_CONDITION",
      "aws_iam_role.StateAccess_web-prod_Role: IAM_ACCOUNT_TRUST_CONDITION",
    ]);
    expect(suppressed("payments-prod").map((s) => s.replace(/_[0-9A-F]{8}:/, ":"))).toEqual([
      "aws_iam_role.SenderRole: IAM_SERVICE_TRUST_CONDITION",
    ]);
  });

  test("a cross-region replica adds exactly the replica-region notifications key's suppression, with its reason", () => {
    const outdir = mkdtempSync(join(tmpdir(), "seclog-rules-replica-"));
    synthesizeAtomically((app) => buildApp(parseConfig(crossRegionReplica()), app), outdir);
    const synthesized = JSON.parse(readFileSync(join(outdir, "stacks", "security", "cdk.tf.json"), "utf8"));
    const keys = synthesized.resource.aws_kms_key as Record<string, Record<string, any>>;
    const suppressions = Object.fromEntries(
      Object.entries(keys)
        .filter(([, key]) => key["//"]?.seclog_suppressed_rules)
        .map(([id, key]) => [id.replace(/_[0-9A-F]{8}$/, ""), key["//"].seclog_suppressed_rules]),
    );
    expect(Object.keys(suppressions).sort()).toEqual([
      "NotificationsKey",
      "ReplicaRegionNotificationsKey",
      "SearchResultsKey",
    ]);
    expect(suppressions.ReplicaRegionNotificationsKey).toEqual({
      KMS_KEY_PROTECTED:
        "encrypts only the alarm topic in us-west-2, messages in flight: turning alarms off or moving the replica into the home region deletes it, and the key goes with it (KMS waits 30 days)",
    });
  });
});
