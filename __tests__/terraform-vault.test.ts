import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../lib/config/load";
import { namingOf } from "../lib/naming";
import { vaultBucketPolicy } from "../lib/policies/replication";
import { baseConfig, fullConfig, SECURITY_ACCOUNT } from "./support/fixtures";
import { synthToDir } from "./support/synth-dir";
import { inParallel, terraformEnv } from "./support/terraform";
import {
  PlanJson,
  plannedOf,
  ValidatedPlan,
  validateAndPlan as offlineValidateAndPlan,
} from "./support/plan";

/**
 * What Terraform itself says about the vault (issue 19): `validate` and an
 * offline `plan` with AWS provider 5.100.0 of the vault and security stacks
 * for a replica in each Object Lock mode, and of the state stack that gains
 * the vault's state role. COMPLIANCE: fullConfig (organization mode, S3
 * state, alarms) with the source backup kept; GOVERNANCE: the default config
 * in raw format with Replication Time Control, another storage class and
 * alarms without an email. Both replicas are in a region no account ships
 * from, so the security stack plans its replication latency alarms through a
 * provider of its own in that region.
 */
const tf = terraformEnv();
const inCi = process.env.CI === "true";
const describeTerraform = typeof tf === "string" && !inCi ? describe.skip : describe;
const VAULT = "444444444444";

function compliance() {
  const config = fullConfig();
  config.delivery = { keepSource: true };
  config.archive.replica = {
    accountId: VAULT,
    region: "us-west-2",
    roleArn: `arn:aws:iam::${VAULT}:role/OrganizationAccountAccessRole`,
    objectLock: { mode: "COMPLIANCE", days: 2555 },
  };
  return config;
}

function governance() {
  const config = baseConfig();
  config.delivery = { format: "raw" };
  config.alarms = {};
  config.archive = {
    objectLock: { mode: "GOVERNANCE", days: 30 },
    replica: {
      accountId: VAULT,
      region: "eu-central-1",
      objectLock: { mode: "GOVERNANCE", days: 90 },
      storageClass: "GLACIER_IR",
      replicationTimeControl: true,
    },
  };
  return config;
}

type Result = ValidatedPlan;
/** A resource of the plan's configuration, with the references of its arguments. */
type PlannedConfig = PlanJson["configuration"]["root_module"]["resources"][number] & {
  expressions: Record<string, { references?: string[] }>;
};

/** The shared offline validate and plan, with Terraform known to run (CI=true makes a missing one fail). */
async function validateAndPlan(stackDir: string): Promise<Result> {
  if (typeof tf === "string") throw new Error(`CI=true but Terraform cannot run: ${tf}`);
  return offlineValidateAndPlan(stackDir, tf);
}

/** The one planned resource of a type (after values). */
function planned(plan: PlanJson, type: string): Record<string, any> {
  const found = plannedOf(plan, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, planned ${found.length}`);
  return found[0].change.after!;
}

describeTerraform("terraform validate and plan of the vault", () => {
  const dirs = {
    compliance: synthToDir(compliance(), "vault-compliance"),
    governance: synthToDir(governance(), "vault-governance"),
  };
  const targets: Record<string, string> = {
    "compliance/vault": dirs.compliance.vault,
    "compliance/security": dirs.compliance.security,
    "compliance/state": dirs.compliance.state,
    "governance/vault": dirs.governance.vault,
    "governance/security": dirs.governance.security,
  };
  let results: Record<string, Result> = {};

  beforeAll(async () => {
    const started = Date.now();
    const entries = await inParallel(
      Object.entries(targets),
      2,
      async ([name, dir]) => [name, await validateAndPlan(dir)] as const,
    );
    results = Object.fromEntries(entries);
    process.stdout.write(
      `terraform vault: ${entries.length} stacks validated and planned in ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
  }, 600_000);

  test.each(Object.keys(targets))("%s is valid with no warnings, and plans creates only", (name) => {
    const { validate, plan } = results[name];
    expect(validate).toEqual({ valid: true, diagnostics: [] });
    const actions = new Set(plan.resource_changes.flatMap((r) => r.change.actions));
    expect([...actions]).toEqual(["create"]);
  });

  test("the vault stack plans exactly the replica bucket, its five settings, its policy, the key and its alias", () => {
    for (const mode of ["compliance", "governance"]) {
      const types = results[`${mode}/vault`].plan.resource_changes.map((r) => r.type).sort();
      expect(types).toEqual([
        "aws_kms_alias",
        "aws_kms_key",
        "aws_s3_bucket",
        "aws_s3_bucket_lifecycle_configuration",
        "aws_s3_bucket_object_lock_configuration",
        "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_versioning",
      ]);
    }
  });

  test("every vault resource is planned through the vault account's one provider, in the replica's region", () => {
    const expected = { compliance: "us-west-2", governance: "eu-central-1" };
    for (const [mode, region] of Object.entries(expected)) {
      const plan = results[`${mode}/vault`].plan;
      const alias = region.replace(/-/g, "_");
      expect(new Set(plan.resource_changes.map((r) => r.provider_name))).toEqual(
        new Set(["registry.terraform.io/hashicorp/aws"]),
      );
      // `aws` without expressions is required_providers' version constraint, not a configured provider.
      const configured = Object.entries(plan.configuration.provider_config).filter(([, p]) => p.expressions);
      expect(configured.map(([key]) => key)).toEqual([`aws.${alias}`]);
      expect(new Set(plan.configuration.root_module.resources.map((r) => r.provider_config_key))).toEqual(
        new Set([`aws.${alias}`]),
      );
    }
  });

  test("COMPLIANCE: both keys are planned locked, with the lockout safety check bypassed", () => {
    const vaultKey = planned(results["compliance/vault"].plan, "aws_kms_key");
    const archiveKey = plannedOf(results["compliance/security"].plan, "aws_kms_key").find((r) =>
      r.address.startsWith("aws_kms_key.ArchiveKey"),
    )!.change.after!;
    for (const key of [vaultKey, archiveKey]) {
      expect(key.bypass_policy_lockout_safety_check).toBe(true);
      const lock = JSON.parse(key.policy).Statement.filter((s: { Effect: string }) => s.Effect === "Deny");
      expect(lock).toEqual([
        {
          Sid: "NobodyDisablesDeletesOrUnlocksTheKey",
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: ["kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
          Resource: "*",
        },
      ]);
    }
  });

  test("GOVERNANCE: no key is locked, and the provider's default (false) check stays on", () => {
    const keys = [
      planned(results["governance/vault"].plan, "aws_kms_key"),
      ...plannedOf(results["governance/security"].plan, "aws_kms_key").map((r) => r.change.after!),
    ];
    for (const key of keys) {
      expect(key.bypass_policy_lockout_safety_check).toBe(false);
      expect(JSON.parse(key.policy).Statement.filter((s: { Effect: string }) => s.Effect === "Deny")).toEqual(
        [],
      );
    }
  });

  test("the vault bucket policy as planned is the policy the IAM rows simulate (lib/policies/replication.ts)", () => {
    for (const mode of ["compliance", "governance"] as const) {
      const config = parseConfig(mode === "compliance" ? compliance() : governance());
      const naming = namingOf(config);
      const bucket = planned(results[`${mode}/vault`].plan, "aws_s3_bucket_policy");
      expect(JSON.parse(bucket.policy)).toEqual(
        vaultBucketPolicy({
          partition: "aws",
          bucketArn: `arn:aws:s3:::secops-security-logs-replica-${VAULT}`,
          replicationRoleArn: naming.replicationRoleArn,
        }),
      );
    }
  });

  test("Object Lock as planned: the configured mode and days on the replica bucket", () => {
    expect(planned(results["compliance/vault"].plan, "aws_s3_bucket_object_lock_configuration").rule).toEqual(
      [{ default_retention: [{ days: 2555, mode: "COMPLIANCE", years: null }] }],
    );
    expect(planned(results["governance/vault"].plan, "aws_s3_bucket_object_lock_configuration").rule).toEqual(
      [{ default_retention: [{ days: 90, mode: "GOVERNANCE", years: null }] }],
    );
  });

  test("the replication configuration as planned: one rule per archived prefix, into the vault, with its key", () => {
    const rule = (id: string, priority: number, destination: Record<string, unknown>) => ({
      id,
      priority,
      status: "Enabled",
      // The deprecated V1 `prefix` argument is unset: the V2 filter carries the prefix.
      prefix: null,
      filter: [{ prefix: `${id}/`, and: [], tag: [] }],
      delete_marker_replication: [{ status: "Disabled" }],
      existing_object_replication: [],
      source_selection_criteria: [
        { sse_kms_encrypted_objects: [{ status: "Enabled" }], replica_modifications: [] },
      ],
      destination: [destination],
    });
    const destination = (region: string, storageClass: string, rtc: boolean) => ({
      account: VAULT,
      bucket: `arn:aws:s3:::secops-security-logs-replica-${VAULT}`,
      storage_class: storageClass,
      access_control_translation: [{ owner: "Destination" }],
      encryption_configuration: [
        { replica_kms_key_id: `arn:aws:kms:${region}:${VAULT}:alias/secops-replica` },
      ],
      metrics: [{ status: "Enabled", event_threshold: rtc ? [{ minutes: 15 }] : [] }],
      replication_time: rtc ? [{ status: "Enabled", time: [{ minutes: 15 }] }] : [],
    });
    const compliance = planned(
      results["compliance/security"].plan,
      "aws_s3_bucket_replication_configuration",
    );
    const toUsWest2 = destination("us-west-2", "STANDARD", false);
    expect(compliance.rule).toEqual([
      rule("events", 0, toUsWest2),
      rule("errors", 1, toUsWest2),
      rule("source", 2, toUsWest2),
    ]);
    const governance = planned(
      results["governance/security"].plan,
      "aws_s3_bucket_replication_configuration",
    );
    const toFrankfurt = destination("eu-central-1", "GLACIER_IR", true);
    expect(governance.rule).toEqual([rule("raw", 0, toFrankfurt), rule("errors", 1, toFrankfurt)]);
  });

  test("the replication role as planned: S3 only, for this account's archive only", () => {
    const role = plannedOf(results["compliance/security"].plan, "aws_iam_role").find(
      (r) => r.change.after!.name === "secops-logs-replication",
    )!.change;
    // The archive bucket's ARN is known only after apply: the trust's SourceArn is then unknown in the plan.
    expect(role.after_unknown.assume_role_policy).toBe(true);
    const synthesized = JSON.parse(readFileSync(join(dirs.compliance.security, "cdk.tf.json"), "utf8"));
    const trust = synthesized.resource.aws_iam_role.Replication_Role_31133ADA.assume_role_policy;
    expect(JSON.parse(trust)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "S3ReplicatesTheArchive",
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": SECURITY_ACCOUNT },
            ArnEquals: { "aws:SourceArn": "${aws_s3_bucket.Archive_Bucket_DB32D495.arn}" },
          },
        },
      ],
    });
  });

  test("the replication latency alarms are planned through the security account's provider of the replica's region, with that region's topic; the failure alarms at home", () => {
    // S3 publishes ReplicationLatency in the destination bucket's region, OperationsFailedReplication
    // in the source's (https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html).
    const expected = {
      compliance: { region: "us-west-2", rules: ["errors", "events", "source"], latency: 3600 },
      governance: { region: "eu-central-1", rules: ["errors", "raw"], latency: 900 },
    };
    for (const [mode, { region, rules, latency }] of Object.entries(expected)) {
      const plan = results[`${mode}/security`].plan;
      const alias = `aws.${region.replace(/-/g, "_")}`;
      const configured = plan.configuration.provider_config;
      const regionOf = (key: string) => configured[key].expressions!.region.constant_value;
      // The provider of the replica's region is the security account's (allowed_account_ids is
      // dropped for the offline plan; the synthesized provider is asserted in vault-stack.test.ts).
      expect([configured[alias].alias, regionOf(alias)]).toEqual([region.replace(/-/g, "_"), region]);
      const configOf = new Map(
        (plan.configuration.root_module.resources as PlannedConfig[]).map((r) => [r.address, r]),
      );
      const where = (prefix: string, metric: string) =>
        plannedOf(plan, "aws_cloudwatch_metric_alarm")
          .filter((r) => r.change.after!.metric_name === metric)
          .map((r) => {
            const config = configOf.get(r.address)!;
            return {
              name: r.change.after!.alarm_name,
              provider: config.provider_config_key,
              region: regionOf(config.provider_config_key),
              topic: config.expressions.alarm_actions.references,
              ok: config.expressions.ok_actions.references,
              threshold: r.change.after!.threshold,
            };
          })
          .filter((a) => a.name.startsWith(`secops-security-logs-replication-${prefix}-`))
          .sort((a, b) => a.name.localeCompare(b.name));
      const TOPIC = ["aws_sns_topic.AlarmTopic_AD6681D3.arn", "aws_sns_topic.AlarmTopic_AD6681D3"];
      const REPLICA_TOPIC = [
        "aws_sns_topic.ReplicaRegionAlarmTopic_42093BA2.arn",
        "aws_sns_topic.ReplicaRegionAlarmTopic_42093BA2",
      ];
      expect(where("latency", "ReplicationLatency")).toEqual(
        rules.map((rule) => ({
          name: `secops-security-logs-replication-latency-${rule}`,
          provider: alias,
          region,
          topic: REPLICA_TOPIC,
          ok: REPLICA_TOPIC,
          threshold: latency,
        })),
      );
      expect(where("failed", "OperationsFailedReplication")).toEqual(
        rules.map((rule) => ({
          name: `secops-security-logs-replication-failed-${rule}`,
          provider: "aws.us_east_1",
          region: "us-east-1",
          topic: TOPIC,
          ok: TOPIC,
          threshold: 0,
        })),
      );
      // The replica region's topic, its policy, key and alias are planned there too; the topic
      // policy admits only this account's alarms of that region.
      const replicaRegion = plan.configuration.root_module.resources
        .filter((r) => r.address.includes(".ReplicaRegion") && !r.address.includes("_Alarm_"))
        .map((r) => [r.address.replace(/_[0-9A-F]{8}$/, ""), r.provider_config_key]);
      expect(replicaRegion.sort()).toEqual(
        [
          "aws_kms_alias.ReplicaRegionNotificationsKey_Alias",
          "aws_kms_key.ReplicaRegionNotificationsKey",
          "aws_sns_topic.ReplicaRegionAlarmTopic",
          "aws_sns_topic_policy.ReplicaRegionAlarmTopic_Policy",
          ...(mode === "compliance" ? ["aws_sns_topic_subscription.ReplicaRegionAlarmTopic_Email"] : []),
        ].map((address) => [address, alias]),
      );
      const key = plannedOf(plan, "aws_kms_key").find((r) =>
        r.address.startsWith("aws_kms_key.ReplicaRegionNotificationsKey"),
      )!.change.after!;
      expect(JSON.parse(key.policy).Statement[1].Condition.ArnLike).toEqual({
        "aws:SourceArn": `arn:aws:cloudwatch:${region}:${SECURITY_ACCOUNT}:alarm:*`,
      });
      expect(key.enable_key_rotation).toBe(true);
    }
  });

  test("the state stack plans a state role for the vault stack, trusted by the vault account", () => {
    const roles = plannedOf(results["compliance/state"].plan, "aws_iam_role").map((r) => r.change.after!);
    const vault = roles.find((r) => r.name === "secops-tfstate-vault")!;
    expect(
      JSON.parse(vault.assume_role_policy).Statement.map((s: { Principal: unknown }) => s.Principal),
    ).toEqual([{ AWS: `arn:aws:iam::${VAULT}:root` }]);
  });
});
