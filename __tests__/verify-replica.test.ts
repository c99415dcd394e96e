import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../lib/config/load";
import { CheckRow, exitCodeOf, verifyRows } from "../lib/verify/checks";
import { expectedState, narrowed, VAULT_ACCOUNT } from "../lib/verify/expected";
import { BucketRead, KeyRead, Observed, ReplicationRead } from "../lib/verify/observed";
import { buildReport } from "../lib/verify/report";
import { VerifyReport } from "../lib/verify/report";
import { AwsAccess, Clients, run } from "../scripts/verify";
import { VAULT_STACK_NAME } from "../stacks/vault-stack";
import { render, writeConfigFile } from "./support/config-files";
import { baseConfig, SECURITY_ACCOUNT } from "./support/fixtures";
import { onlyResource, resourcesOf, synthStacks } from "./support/synth";
import {
  healthy,
  healthyWithReplica,
  REPLICA_BUCKET,
  REPLICA_KEY,
  REPLICA_KEY_ALIAS_ARN,
  replicationRule,
  REPLICATION_ROLE,
  VAULT_ACCOUNT as VAULT_ACCOUNT_ID,
  vaultPolicy,
  withReplica,
} from "./support/verify-responses";

/**
 * verify with `archive.replica`: the archive's replication configuration in
 * the security account, and the vault account's replica bucket and key,
 * judged on recorded-shaped responses (support/verify-responses.ts
 * healthyWithReplica), one fault at a time; then the reader, through a fake
 * AWS that records every command each account was sent.
 */

const config = parseConfig(withReplica(baseConfig()), "replica.json");
const expected = expectedState(config);
const OPTIONS = { securityStack: "security", windowHours: 24, flowMarginSeconds: 600 };

type Observation = Observed & { security: any; vault: any };

function rowsOf(edit: (observed: Observation) => void = () => {}, cfg = expected): CheckRow[] {
  const observed = healthyWithReplica() as Observation;
  edit(observed);
  return verifyRows(cfg, observed, OPTIONS);
}

/** The rows that are not ok. */
function notOk(edit: (observed: Observation) => void, cfg = expected): CheckRow[] {
  return rowsOf(edit, cfg).filter((r) => r.status !== "ok");
}

/** Every row that is not ok: [status, account, region, check, found]. */
function problems(edit: (observed: Observation) => void, cfg = expected): string[][] {
  return notOk(edit, cfg).map((r) => [r.status, r.account, r.region, r.check, r.found]);
}

const REPLICATION_SUMMARY =
  "role arn:aws:iam::111111111111:role/secops-logs-replication; rules events, errors (one per archived prefix): enabled, SSE-KMS objects included, delete markers not replicated; to arn:aws:s3:::secops-security-logs-replica-444444444444 in account 444444444444 as STANDARD, owner Destination, encrypted with arn:aws:kms:us-west-2:444444444444:alias/secops-replica; metrics on";
const REPLICATION_FIX =
  "run `cdktf deploy security` (terraform apply of the security stack writes the replication configuration back)";
const POLICY_SUMMARY =
  "exactly the statements DenyInsecureTransport, ReplicationRoleWritesReplicas, ReplicationRoleReadsVersioning, OnlyTheReplicationRoleReplicates, NoDirectWrites";

/** A synthesized replication rule (Terraform JSON) as GetBucketReplication returns it. */
function asS3Rule(rule: Record<string, any>) {
  const d = rule.destination;
  return {
    ID: rule.id,
    Priority: rule.priority,
    Status: rule.status,
    Filter: { Prefix: rule.filter.prefix },
    DeleteMarkerReplication: { Status: rule.delete_marker_replication.status },
    SourceSelectionCriteria: {
      SseKmsEncryptedObjects: { Status: rule.source_selection_criteria.sse_kms_encrypted_objects.status },
    },
    Destination: {
      Bucket: d.bucket,
      Account: d.account,
      StorageClass: d.storage_class,
      AccessControlTranslation: { Owner: d.access_control_translation.owner },
      EncryptionConfiguration: { ReplicaKmsKeyID: d.encryption_configuration.replica_kms_key_id },
      Metrics: {
        Status: d.metrics.status,
        ...(d.metrics.event_threshold
          ? { EventThreshold: { Minutes: d.metrics.event_threshold.minutes } }
          : {}),
      },
      ...(d.replication_time
        ? {
            ReplicationTime: {
              Status: d.replication_time.status,
              Time: { Minutes: d.replication_time.time.minutes },
            },
          }
        : {}),
    },
  };
}

describe("what verify expects of the replica is what the stacks synthesize", () => {
  test("the vault's name in verify is its stack's", () => {
    expect(VAULT_ACCOUNT).toBe(VAULT_STACK_NAME);
  });

  for (const [name, fields, delivery] of [
    ["defaults (events, errors)", {}, undefined],
    [
      "Replication Time Control, GLACIER_IR, keepSource (events, errors, source)",
      { replicationTimeControl: true, storageClass: "GLACIER_IR" },
      { keepSource: true },
    ],
    ["raw format (raw, errors)", {}, { format: "raw" }],
  ] as const)
    test(`${name}: the synthesized rules, as S3 returns them, are judged ok; the rule ids are one per archived prefix`, () => {
      const raw = withReplica(baseConfig(), fields);
      if (delivery) raw.delivery = delivery;
      const stacks = synthStacks(raw);
      const cfg = expectedState(parseConfig(raw, "variant.json"));
      const synthesized = onlyResource(stacks.security, "aws_s3_bucket_replication_configuration");
      const [[, role]] = resourcesOf(stacks.security, "aws_iam_role").filter(([id]) =>
        id.startsWith("Replication_"),
      );
      expect(`arn:aws:iam::${SECURITY_ACCOUNT}:role/${role.name}`).toBe(cfg.security.replication!.roleArn);
      expect(synthesized.rule.map((r: any) => r.id)).toEqual(
        cfg.security.replication!.rules.map((r) => r.id),
      );
      const replication: ReplicationRead = { Role: REPLICATION_ROLE, Rules: synthesized.rule.map(asS3Rule) };
      const observed = healthyWithReplica() as Observation;
      observed.security.replication = replication;
      const rows = verifyRows(cfg, observed, OPTIONS).filter((r) => r.check === "archive replication");
      expect(rows.map((r) => r.status)).toEqual(["ok"]);
    });

  test("the vault stack's bucket (name, policy, Object Lock, lifecycle days) and key alias are what verify expects", () => {
    const stacks = synthStacks(withReplica(baseConfig()));
    const vault = expected.vault!;
    expect(onlyResource(stacks.vault, "aws_s3_bucket").bucket).toBe(vault.bucket.bucketName);
    expect(onlyResource(stacks.vault, "aws_kms_alias").name).toBe(vault.keyAlias);
    expect(expected.security.replication!.destination.keyAliasArn).toBe(REPLICA_KEY_ALIAS_ARN);
    const lock = onlyResource(stacks.vault, "aws_s3_bucket_object_lock_configuration").rule.default_retention;
    expect({ mode: lock.mode, days: lock.days }).toEqual(vault.bucket.objectLock);
    const [rule] = onlyResource(stacks.vault, "aws_s3_bucket_lifecycle_configuration").rule;
    expect([rule.transition[0].days, rule.expiration]).toEqual([vault.bucket.glacierAfterDays, undefined]);
    // The synthesized policy, as S3 would return it, is the policy verify expects.
    const observed = healthyWithReplica() as Observation;
    observed.vault.bucket.policy = onlyResource(stacks.vault, "aws_s3_bucket_policy").policy;
    expect(verifyRows(expected, observed, OPTIONS).filter((r) => r.status !== "ok")).toEqual([]);
  });
});

describe("a healthy deployment with a replica (recorded responses)", () => {
  test("every check is ok, exit 0: the replication row in the security account, then the vault's rows", () => {
    const rows = rowsOf();
    expect(rows.filter((r) => r.status !== "ok")).toEqual([]);
    expect(exitCodeOf(rows)).toBe(0);
    const names = rows.map((r) => `${r.account} ${r.region}: ${r.check}`);
    expect(names.slice(11, 13)).toEqual([
      "security us-east-1: archive Object Lock",
      "security us-east-1: archive replication",
    ]);
    expect(names.filter((n) => n.startsWith("vault "))).toEqual([
      "vault us-west-2: identity",
      "vault us-west-2: replica versioning",
      "vault us-west-2: replica public access",
      "vault us-west-2: replica encryption",
      "vault us-west-2: replica bucket policy",
      "vault us-west-2: replica ownership",
      "vault us-west-2: replica lifecycle",
      "vault us-west-2: replica Object Lock",
      "vault us-west-2: key alias/secops-replica",
    ]);
    // The vault's rows come right after the security account's, before the application accounts'.
    expect(names.indexOf("vault us-west-2: identity")).toBe(
      names.indexOf("security us-east-1: delivery errors") + 1,
    );
    expect(rows).toHaveLength(32 + 1 + 9);
  });

  test("the replication row, whole", () => {
    expect(rowsOf().find((r) => r.check === "archive replication")).toEqual({
      account: "security",
      region: "us-east-1",
      check: "archive replication",
      status: "ok",
      expected: REPLICATION_SUMMARY,
      found: REPLICATION_SUMMARY,
      fix: "",
    });
  });

  test("the same policy with the account id for the root ARN, another key order and Sids renamed is no drift", () => {
    const policy = JSON.parse(vaultPolicy());
    policy.Statement = policy.Statement.reverse().map((s: any, i: number) => ({
      ...Object.fromEntries(Object.entries(s).reverse()),
      Sid: `S${i}`,
      ...(s.Principal?.AWS ? { Principal: { AWS: ["111111111111"] } } : {}),
    }));
    expect(problems((o) => (o.vault.bucket.policy = JSON.stringify(policy)))).toEqual([]);
  });

  test("a replica key named by its key ARN (not its alias ARN) in the rules is the replica key", () => {
    expect(
      problems((o) =>
        o.security.replication.Rules.forEach(
          (r: any) => (r.Destination.EncryptionConfiguration.ReplicaKmsKeyID = REPLICA_KEY),
        ),
      ),
    ).toEqual([]);
  });
});

describe("the faults the brief names, one at a time: each the only non-ok row, exactly", () => {
  test("the replication configuration missing: drift, fixed by the security stack's apply", () => {
    const rows = notOk((o) => (o.security.replication = undefined));
    expect(rows).toEqual([
      {
        account: "security",
        region: "us-east-1",
        check: "archive replication",
        status: "drift",
        expected: REPLICATION_SUMMARY,
        found: "no replication configuration on secops-security-logs-111111111111",
        fix: REPLICATION_FIX,
      },
    ]);
    expect(exitCodeOf(rowsOf((o) => (o.security.replication = undefined)))).toBe(3);
  });

  test("a rule with DeleteMarkerReplication Enabled", () => {
    expect(
      notOk((o) => (o.security.replication.Rules[1].DeleteMarkerReplication = { Status: "Enabled" })),
    ).toEqual([
      {
        account: "security",
        region: "us-east-1",
        check: "archive replication",
        status: "drift",
        expected: REPLICATION_SUMMARY,
        found: "rule errors: delete marker replication Enabled",
        fix: REPLICATION_FIX,
      },
    ]);
  });

  test("a rule's destination account wrong", () => {
    expect(notOk((o) => (o.security.replication.Rules[0].Destination.Account = "999999999999"))).toEqual([
      {
        account: "security",
        region: "us-east-1",
        check: "archive replication",
        status: "drift",
        expected: REPLICATION_SUMMARY,
        found: "rule events: destination account 999999999999",
        fix: REPLICATION_FIX,
      },
    ]);
  });

  test("the replica's versioning suspended", () => {
    expect(notOk((o) => (o.vault.bucket.versioning = { Status: "Suspended" }))).toEqual([
      {
        account: "vault",
        region: "us-west-2",
        check: "replica versioning",
        status: "drift",
        expected: "Enabled",
        found: "versioning Suspended",
        fix: "run `cdktf deploy vault`",
      },
    ]);
  });

  test("the replica's Object Lock in GOVERNANCE mode where the config says COMPLIANCE", () => {
    expect(
      notOk(
        (o) =>
          (o.vault.bucket.objectLock = {
            ObjectLockEnabled: "Enabled",
            Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 365 } },
          }),
      ),
    ).toEqual([
      {
        account: "vault",
        region: "us-west-2",
        check: "replica Object Lock",
        status: "drift",
        expected: "Object Lock enabled, default retention COMPLIANCE 365 days",
        found: "Object Lock enabled, default retention GOVERNANCE 365 days",
        fix: "run `cdktf deploy vault`",
      },
    ]);
  });

  test("the replica key scheduled for deletion: the cancel command is the fix", () => {
    expect(
      notOk((o) => {
        const key = o.vault.keys["alias/secops-replica"];
        key.KeyMetadata = {
          ...key.KeyMetadata,
          Enabled: false,
          KeyState: "PendingDeletion",
          DeletionDate: new Date("2026-12-31T00:00:00Z"),
        };
      }),
    ).toEqual([
      {
        account: "vault",
        region: "us-west-2",
        check: "key alias/secops-replica",
        status: "drift",
        expected: "enabled, rotating, not pending deletion",
        found: "pending deletion on 2026-12-31T00:00:00.000Z",
        fix: "aws kms cancel-key-deletion --key-id 0a1b2c3d-0000-4000-8000-000000000004, then aws kms enable-key --key-id 0a1b2c3d-0000-4000-8000-000000000004, before that date",
      },
    ]);
  });

  test("the replica's bucket policy without the NoDirectWrites deny", () => {
    const policy = JSON.parse(vaultPolicy());
    policy.Statement = policy.Statement.filter((s: any) => s.Sid !== "NoDirectWrites");
    expect(notOk((o) => (o.vault.bucket.policy = JSON.stringify(policy)))).toEqual([
      {
        account: "vault",
        region: "us-west-2",
        check: "replica bucket policy",
        status: "drift",
        expected: POLICY_SUMMARY,
        found: "no statement equal to NoDirectWrites",
        fix: "run `cdktf deploy vault`",
      },
    ]);
  });
});

describe("replication drift, one fault at a time", () => {
  const rule = (o: Observation, i = 0) => o.security.replication.Rules[i];
  const drift = (found: string) => [["drift", "security", "us-east-1", "archive replication", found]];

  test("ownership not handed to the vault account, or not translated at all", () => {
    expect(problems((o) => (rule(o).Destination.AccessControlTranslation = { Owner: "Source" }))).toEqual(
      drift("rule events: owner Source"),
    );
    expect(problems((o) => delete rule(o).Destination.AccessControlTranslation)).toEqual(
      drift("rule events: owner not translated (the source account)"),
    );
  });

  test("metrics off (the alarms read them), or absent", () => {
    expect(problems((o) => (rule(o, 1).Destination.Metrics = { Status: "Disabled" }))).toEqual(
      drift("rule errors: metrics Disabled"),
    );
    expect(problems((o) => delete rule(o, 1).Destination.Metrics)).toEqual(drift("rule errors: metrics off"));
  });

  test("another destination bucket, another replica key, another storage class", () => {
    expect(problems((o) => (rule(o).Destination.Bucket = "arn:aws:s3:::elsewhere"))).toEqual(
      drift("rule events: destination bucket arn:aws:s3:::elsewhere"),
    );
    const other = "arn:aws:kms:us-west-2:999999999999:alias/other";
    expect(problems((o) => (rule(o).Destination.EncryptionConfiguration.ReplicaKmsKeyID = other))).toEqual(
      drift(`rule events: replica key ${other}`),
    );
    expect(problems((o) => delete rule(o).Destination.EncryptionConfiguration)).toEqual(
      drift("rule events: replica key (none)"),
    );
    // A vault key read that found nothing leaves no key id to match a rule without one.
    expect(
      problems((o) => {
        delete rule(o).Destination.EncryptionConfiguration;
        o.vault.keys["alias/secops-replica"] = undefined;
      })[0],
    ).toEqual(drift("rule events: replica key (none)")[0]);
    expect(problems((o) => (rule(o).Destination.StorageClass = "ONEZONE_IA"))).toEqual(
      drift("rule events: storage class ONEZONE_IA"),
    );
  });

  test("SSE-KMS objects not selected (S3 would skip every archive object), a rule disabled, its filter changed", () => {
    expect(problems((o) => delete rule(o).SourceSelectionCriteria)).toEqual(
      drift("rule events: SSE-KMS objects not selected"),
    );
    expect(problems((o) => (rule(o).Status = "Disabled"))).toEqual(drift("rule events: status Disabled"));
    expect(problems((o) => (rule(o).Filter = { Prefix: "" }))).toEqual(
      drift('rule events: filter {"Prefix":""}'),
    );
    expect(
      problems((o) => (rule(o).Filter = { And: { Prefix: "events/", Tags: [{ Key: "k", Value: "v" }] } })),
    ).toEqual(drift('rule events: filter {"And":{"Prefix":"events/","Tags":[{"Key":"k","Value":"v"}]}}'));
    expect(problems((o) => (rule(o).Priority = 5))).toEqual(drift("rule events: priority 5"));
  });

  test("a rule read back bare (only its id): every setting it lacks, each once, in order", () => {
    expect(
      problems((o) => {
        o.security.replication.Rules[0] = { ID: rule(o).ID, Status: "Enabled" };
      }),
    ).toEqual(
      drift(
        [
          "priority (none)",
          "filter (none; prefix (none))",
          "delete marker replication (not set)",
          "SSE-KMS objects not selected",
          "destination bucket (none)",
          "destination account (none)",
          "storage class (the source object's)",
          "owner not translated (the source account)",
          "replica key (none)",
          "metrics off",
        ]
          .map((failure) => `rule events: ${failure}`)
          .join("; "),
      ),
    );
  });

  test("the legacy rule form (a Prefix, no Filter), delete markers not stated, SSE-KMS selection without its status", () => {
    expect(
      problems((o) => {
        delete rule(o).Filter;
        rule(o).Prefix = "events/";
      }),
    ).toEqual(drift("rule events: filter (none; prefix events/)"));
    expect(problems((o) => delete rule(o).DeleteMarkerReplication)).toEqual(
      drift("rule events: delete marker replication (not set)"),
    );
    expect(problems((o) => (rule(o).SourceSelectionCriteria = {}))).toEqual(
      drift("rule events: SSE-KMS objects not selected"),
    );
  });

  test("a rule missing, a rule the config does not make (it may copy the archive anywhere), another role", () => {
    expect(problems((o) => o.security.replication.Rules.pop())).toEqual(drift("no rule errors"));
    expect(
      problems((o) =>
        o.security.replication.Rules.push({
          ...replicationRule("raw", 2),
          Destination: { Bucket: "arn:aws:s3:::exfil" },
        }),
      ),
    ).toEqual(drift("unexpected rule raw to arn:aws:s3:::exfil"));
    expect(problems((o) => (o.security.replication.Role = "arn:aws:iam::111111111111:role/other"))).toEqual(
      drift("role arn:aws:iam::111111111111:role/other"),
    );
  });

  test("with Replication Time Control: on with 15 minutes is ok; off, another time, no event threshold are drift", () => {
    const rtc = expectedState(
      parseConfig(withReplica(baseConfig(), { replicationTimeControl: true }), "rtc.json"),
    );
    const withRtc = (o: Observation) =>
      o.security.replication.Rules.forEach((r: any) => {
        r.Destination.Metrics = { Status: "Enabled", EventThreshold: { Minutes: 15 } };
        r.Destination.ReplicationTime = { Status: "Enabled", Time: { Minutes: 15 } };
      });
    const found = (edit: (o: Observation) => void) =>
      notOk((o) => {
        withRtc(o);
        edit(o);
      }, rtc).map((r) => r.found);
    expect(found(() => {})).toEqual([]);
    expect(notOk(() => {}, rtc).map((r) => r.found)).toEqual([
      "rule events: metrics event threshold (none); rule events: Replication Time Control off; rule errors: metrics event threshold (none); rule errors: Replication Time Control off",
    ]);
    expect(
      found((o) => (rule(o).Destination.ReplicationTime = { Status: "Enabled", Time: { Minutes: 30 } })),
    ).toEqual(["rule events: Replication Time Control 30 minutes"]);
    expect(found((o) => (rule(o).Destination.ReplicationTime = { Status: "Enabled" }))).toEqual([
      "rule events: Replication Time Control on without a time",
    ]);
    // Metrics off: that is the finding; no event threshold is judged on metrics that are not there.
    expect(found((o) => delete rule(o).Destination.Metrics)).toEqual(["rule events: metrics off"]);
    expect(found((o) => delete rule(o).Destination.ReplicationTime)).toEqual([
      "rule events: Replication Time Control off",
    ]);
    expect(rowsOf(() => {}, rtc).find((r) => r.check === "archive replication")!.expected).toBe(
      `${REPLICATION_SUMMARY}, Replication Time Control 15 minutes`,
    );
    // Without it in the config, RTC on is drift too (Terraform would turn it off).
    expect(problems(withRtc)).toEqual(
      drift("rule events: Replication Time Control on; rule errors: Replication Time Control on"),
    );
  });
});

describe("replica bucket and key drift, one fault at a time", () => {
  const drift = (check: string, found: string) => [["drift", "vault", "us-west-2", check, found]];

  test("encryption with the archive's key, a public-access block off, ownership back to ACLs, a lifecycle expiry", () => {
    expect(
      problems(
        (o) =>
          (o.vault.bucket.encryption[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID =
            "arn:aws:kms:us-west-2:444444444444:key/other"),
      ),
    ).toEqual(drift("replica encryption", "aws:kms arn:aws:kms:us-west-2:444444444444:key/other"));
    expect(problems((o) => (o.vault.bucket.publicAccessBlock.BlockPublicPolicy = false))).toEqual(
      drift("replica public access", "off: BlockPublicPolicy"),
    );
    expect(problems((o) => (o.vault.bucket.ownership = [{ ObjectOwnership: "ObjectWriter" }]))).toEqual(
      drift("replica ownership", "ObjectWriter"),
    );
    expect(problems((o) => (o.vault.bucket.lifecycle[0].Expiration = { Days: 30 }))).toEqual(
      drift("replica lifecycle", "a rule expires objects after 30 days"),
    );
  });

  test("Object Lock off, or fewer days", () => {
    expect(problems((o) => (o.vault.bucket.objectLock = undefined))).toEqual(
      drift("replica Object Lock", "Object Lock not enabled"),
    );
    expect(
      problems((o) => (o.vault.bucket.objectLock.Rule.DefaultRetention = { Mode: "COMPLIANCE", Days: 30 })),
    ).toEqual(drift("replica Object Lock", "Object Lock enabled, default retention COMPLIANCE 30 days"));
  });

  test("the bucket policy: none, a statement loosened, a statement added", () => {
    expect(problems((o) => (o.vault.bucket.policy = undefined))).toEqual(
      drift("replica bucket policy", "no bucket policy"),
    );
    const policy = JSON.parse(vaultPolicy());
    const loosened = {
      ...policy,
      Statement: policy.Statement.map((s: any) =>
        s.Sid === "OnlyTheReplicationRoleReplicates" ? { ...s, Action: "s3:ReplicateObject" } : s,
      ),
    };
    expect(problems((o) => (o.vault.bucket.policy = JSON.stringify(loosened)))).toEqual(
      drift(
        "replica bucket policy",
        `no statement equal to OnlyTheReplicationRoleReplicates; unexpected statement ${JSON.stringify(
          loosened.Statement[3],
        )}`,
      ),
    );
    const grant = {
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: `arn:aws:s3:::${REPLICA_BUCKET}/*`,
    };
    expect(
      problems(
        (o) =>
          (o.vault.bucket.policy = JSON.stringify({ ...policy, Statement: [...policy.Statement, grant] })),
      ),
    ).toEqual(drift("replica bucket policy", `unexpected statement ${JSON.stringify(grant)}`));
  });

  test("the replica key disabled, not rotating, or no key with the alias", () => {
    const key = (o: Observation) => o.vault.keys["alias/secops-replica"];
    expect(
      notOk(
        (o) => (key(o).KeyMetadata = { ...key(o).KeyMetadata, Enabled: false, KeyState: "Disabled" }),
      ).map((r) => [r.check, r.found, r.fix]),
    ).toEqual([
      [
        "key alias/secops-replica",
        "state Disabled",
        "aws kms enable-key --key-id 0a1b2c3d-0000-4000-8000-000000000004",
      ],
    ]);
    expect(problems((o) => (key(o).rotationEnabled = false))).toEqual(
      drift("key alias/secops-replica", "rotation off"),
    );
    // Without the alias the bucket's key is no longer known to be the replica key either.
    expect(problems((o) => (o.vault.keys["alias/secops-replica"] = undefined))).toEqual([
      ...drift("replica encryption", `aws:kms ${REPLICA_KEY}`),
      ...drift("key alias/secops-replica", "no key has the alias alias/secops-replica"),
    ]);
  });

  test("the vault read with another account's credentials", () => {
    expect(problems((o) => (o.vault.identity = "arn:aws:sts::111111111111:assumed-role/Admin/me"))).toEqual(
      drift(
        "identity",
        "credentials of account 111111111111 (arn:aws:sts::111111111111:assumed-role/Admin/me)",
      ),
    );
  });

  test("no replica bucket: every setting says so", () => {
    expect(notOk((o) => (o.vault.bucket = undefined)).map((r) => [r.check, r.found, r.fix])).toEqual(
      [
        "replica versioning",
        "replica public access",
        "replica encryption",
        "replica bucket policy",
        "replica ownership",
        "replica lifecycle",
        "replica Object Lock",
      ].map((check) => [check, `no bucket ${REPLICA_BUCKET}`, "run `cdktf deploy vault`"]),
    );
  });
});

describe("reads that failed: an error row naming the call, exit 4", () => {
  test("the replication configuration and the replica bucket unreadable; the replica key's rotation unreadable", () => {
    const denied = (call: string) => ({
      failure: { call, message: "AccessDenied (HTTP 403): Access Denied" },
    });
    const rows = rowsOf((o) => {
      o.security.replication = denied("s3:GetReplicationConfiguration");
      o.vault.bucket.policy = denied("s3:GetBucketPolicy");
      o.vault.keys["alias/secops-replica"].rotationEnabled = denied(
        "kms:GetKeyRotationStatus alias/secops-replica",
      );
    });
    expect(rows.filter((r) => r.status !== "ok").map((r) => [r.status, r.account, r.check, r.found])).toEqual(
      [
        [
          "error",
          "security",
          "archive replication",
          "s3:GetReplicationConfiguration failed: AccessDenied (HTTP 403): Access Denied",
        ],
        [
          "error",
          "vault",
          "replica bucket policy",
          "s3:GetBucketPolicy failed: AccessDenied (HTTP 403): Access Denied",
        ],
        [
          "error",
          "vault",
          "key alias/secops-replica",
          "kms:GetKeyRotationStatus alias/secops-replica failed: AccessDenied (HTTP 403): Access Denied",
        ],
      ],
    );
    expect(exitCodeOf(rows)).toBe(4);
  });
});

describe("without a replica, nothing about it is expected or reported", () => {
  const plain = expectedState(parseConfig(baseConfig(), "base.json"));

  test("no vault, no replication expected; a vault read (were there one) adds no row", () => {
    expect(plain.vault).toBeUndefined();
    expect(plain.security.replication).toBeUndefined();
    const rows = verifyRows(plain, healthyWithReplica(), OPTIONS);
    expect(rows.map((r) => r.check)).toEqual(verifyRows(plain, healthy(), OPTIONS).map((r) => r.check));
    expect(rows.filter((r) => r.account === "vault" || r.check.includes("replica"))).toEqual([]);
  });

  test("the protection in the report has no replication or replica entries", () => {
    const protection = buildReport("c", healthy(), [], []).protection;
    expect(Object.keys(protection)).toEqual([
      "versioning",
      "publicAccessBlock",
      "defaultEncryption",
      "objectLock",
      "lifecycleRules",
      "ownership",
      "bucketPolicy",
      "keys",
    ]);
  });
});

describe("with a replica, the report's protection holds the replication configuration and the replica's settings as read", () => {
  test("replication and replica, next to the archive's", () => {
    const observed = healthyWithReplica() as Observation;
    const protection = buildReport("c", observed, [], []).protection as Record<string, any>;
    expect(protection.replication).toEqual(observed.security.replication);
    expect(protection.replica).toEqual({
      versioning: { Status: "Enabled" },
      publicAccessBlock: observed.vault.bucket.publicAccessBlock,
      defaultEncryption: observed.vault.bucket.encryption,
      objectLock: {
        ObjectLockEnabled: "Enabled",
        Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 365 } },
      },
      lifecycleRules: observed.vault.bucket.lifecycle,
      ownership: [{ ObjectOwnership: "BucketOwnerEnforced" }],
      bucketPolicy: vaultPolicy(),
      keys: { "alias/secops-replica": { arn: REPLICA_KEY, state: "Enabled", rotationEnabled: true } },
    });
    observed.security.replication = undefined;
    observed.vault.bucket = { failure: { call: "s3:GetBucketVersioning", message: "denied" } };
    const broken = buildReport("c", observed, [], []).protection as Record<string, any>;
    expect([broken.replication, broken.replica]).toEqual([
      "not set",
      { bucket: "could not read: s3:GetBucketVersioning: denied" },
    ]);
  });
});

describe("narrowing with --account and --region", () => {
  const accountsOf = (rows: CheckRow[]) => [...new Set(rows.map((r) => r.account))];

  test("--account vault: the vault's rows only", () => {
    const rows = verifyRows(
      narrowed(expected, "security", "vault", undefined),
      healthyWithReplica(),
      OPTIONS,
    );
    expect(accountsOf(rows)).toEqual(["vault"]);
    expect(rows).toHaveLength(9);
  });

  test("--account security: the replication row, no vault rows; --account web-prod: neither", () => {
    const security = verifyRows(
      narrowed(expected, "security", "security", undefined),
      healthyWithReplica(),
      OPTIONS,
    );
    expect(accountsOf(security)).toEqual(["security"]);
    expect(security.map((r) => r.check)).toContain("archive replication");
    const web = verifyRows(
      narrowed(expected, "security", "web-prod", undefined),
      healthyWithReplica(),
      OPTIONS,
    );
    expect(accountsOf(web)).toEqual(["web-prod"]);
  });

  test("--region us-west-2 (the vault's): the vault's rows and the security identity; --region eu-west-1: no vault", () => {
    const west2 = verifyRows(
      narrowed(expected, "security", undefined, "us-west-2"),
      healthyWithReplica(),
      OPTIONS,
    );
    expect(west2.map((r) => `${r.account}: ${r.check}`).slice(0, 2)).toEqual([
      "security: identity",
      "vault: identity",
    ]);
    expect(west2).toHaveLength(1 + 9);
    const eu = verifyRows(
      narrowed(expected, "security", undefined, "eu-west-1"),
      healthyWithReplica(),
      OPTIONS,
    );
    expect(eu.filter((r) => r.account === "vault" || r.check === "archive replication")).toEqual([]);
  });
});

/**
 * The reader through a fake AWS: each account's clients answer from the
 * recorded healthy responses and record every command they were sent, so the
 * tests see which account was asked what.
 */
function fakeAws(observed: Observation) {
  const sent: string[] = [];
  const notFound = (name: string) => Object.assign(new Error(name), { name });
  const buckets: Record<string, BucketRead> = {
    "secops-security-logs-111111111111": observed.security.bucket,
    [REPLICA_BUCKET]: observed.vault.bucket,
  };
  const keysOf: Record<string, Record<string, KeyRead>> = {
    [SECURITY_ACCOUNT]: observed.security.keys,
    [VAULT_ACCOUNT_ID]: observed.vault.keys,
  };
  const answer = (accountId: string, region: string, name: string, input: any): any => {
    const bucket = buckets[input.Bucket];
    switch (name) {
      case "GetCallerIdentityCommand":
        return { Arn: `arn:aws:sts::${accountId}:assumed-role/SecurityAudit/seclog-verify` };
      case "DescribeDestinationsCommand":
        return { destinations: [observed.security.destinations[region]] };
      case "DescribeStreamSummaryCommand":
        return { StreamDescriptionSummary: observed.security.stream };
      case "DescribeDeliveryStreamCommand":
        return { DeliveryStreamDescription: observed.security.delivery };
      case "GetBucketVersioningCommand":
        if (!bucket) throw notFound("NoSuchBucket");
        return bucket.versioning;
      case "GetPublicAccessBlockCommand":
        return { PublicAccessBlockConfiguration: bucket.publicAccessBlock };
      case "GetBucketEncryptionCommand":
        return { ServerSideEncryptionConfiguration: { Rules: bucket.encryption } };
      case "GetBucketPolicyCommand":
        return { Policy: bucket.policy };
      case "GetBucketOwnershipControlsCommand":
        return { OwnershipControls: { Rules: bucket.ownership } };
      case "GetBucketLifecycleConfigurationCommand":
        return { Rules: bucket.lifecycle };
      case "GetObjectLockConfigurationCommand":
        if (!bucket.objectLock) throw notFound("ObjectLockConfigurationNotFoundError");
        return { ObjectLockConfiguration: bucket.objectLock };
      case "GetBucketReplicationCommand":
        if (!observed.security.replication) throw notFound("ReplicationConfigurationNotFoundError");
        return { ReplicationConfiguration: observed.security.replication };
      case "ListObjectsV2Command":
        return { Contents: [] };
      case "DescribeKeyCommand": {
        const key = keysOf[accountId]?.[input.KeyId];
        if (!key) throw notFound("NotFoundException");
        return { KeyMetadata: key.KeyMetadata };
      }
      case "GetKeyRotationStatusCommand":
        return { KeyRotationEnabled: true };
      case "DescribeLogGroupsCommand":
        return { logGroups: [] };
      case "DescribeAccountPoliciesCommand":
        return { accountPolicies: [] };
      default:
        throw new Error(`the fake AWS has no answer to ${name}`);
    }
  };
  const access: AwsAccess = {
    async clients({ accountId, region }) {
      const client = {
        send: async (command: { constructor: { name: string }; input: unknown }) => {
          const name = command.constructor.name;
          sent.push(
            `${accountId} ${name}${name === "GetBucketReplicationCommand" ? ` ${(command.input as any).Bucket}` : ""}`,
          );
          return answer(accountId, region, name, command.input);
        },
      };
      return {
        logs: client,
        kinesis: client,
        firehose: client,
        s3: client,
        kms: client,
        sts: client,
      } as unknown as Clients;
    },
  };
  return { access, sent };
}

describe("the reader (scripts/verify.ts) through a fake AWS", () => {
  const work = mkdtempSync(join(tmpdir(), "seclog-verify-replica-"));
  const file = (name: string, document: Record<string, any>) =>
    writeConfigFile(work, name, "json", render(document, "json"));
  const replicaFile = file("replica", withReplica(baseConfig()));
  const plainFile = file("plain", baseConfig());

  const invoke = async (
    configFile: string,
    argv: string[] = [],
    observed = healthyWithReplica() as Observation,
  ) => {
    const aws = fakeAws(observed);
    let stdout = "";
    let stderr = "";
    const code = await run(
      ["--config", configFile, "--json", ...argv],
      {},
      {
        stdout: { write: (s: string) => ((stdout += s), true) },
        stderr: { write: (s: string) => ((stderr += s), true) },
      },
      aws.access,
    );
    const report = (stdout.startsWith("{") ? JSON.parse(stdout) : undefined) as VerifyReport | undefined;
    const vaultCommands = [
      ...new Set(aws.sent.filter((s) => s.startsWith(VAULT_ACCOUNT_ID)).map((s) => s.split(" ")[1])),
    ];
    return { code, stderr, report, sent: aws.sent, vaultCommands };
  };
  const rowsFor = (report: VerifyReport | undefined, account: string) =>
    report!.rows.filter((r) => r.account === account).map((r) => `${r.status} ${r.check}`);

  test("with a replica: the vault is read with the archive's commands, the replication configuration in the security account; a progress line for it", async () => {
    const { stderr, report, sent, vaultCommands } = await invoke(replicaFile);
    expect(vaultCommands.sort()).toEqual([
      "DescribeKeyCommand",
      "GetBucketEncryptionCommand",
      "GetBucketLifecycleConfigurationCommand",
      "GetBucketOwnershipControlsCommand",
      "GetBucketPolicyCommand",
      "GetBucketVersioningCommand",
      "GetCallerIdentityCommand",
      "GetKeyRotationStatusCommand",
      "GetObjectLockConfigurationCommand",
      "GetPublicAccessBlockCommand",
    ]);
    expect(sent.filter((s) => s.includes("GetBucketReplicationCommand"))).toEqual([
      `${SECURITY_ACCOUNT} GetBucketReplicationCommand secops-security-logs-${SECURITY_ACCOUNT}`,
    ]);
    expect(
      stderr
        .split("\n")
        .filter((l) => l.startsWith("verify: ["))
        .map((l) => l.replace(/\[\d\/4\]/, "[n/4]"))
        .sort(),
    ).toEqual([
      "verify: [n/4] payments-prod: read",
      "verify: [n/4] security: read",
      "verify: [n/4] vault: read",
      "verify: [n/4] web-prod: read",
    ]);
    expect(rowsFor(report, "vault")).toEqual([
      "ok identity",
      "ok replica versioning",
      "ok replica public access",
      "ok replica encryption",
      "ok replica bucket policy",
      "ok replica ownership",
      "ok replica lifecycle",
      "ok replica Object Lock",
      "ok key alias/secops-replica",
    ]);
    expect(report!.rows.find((r) => r.check === "archive replication")!.status).toBe("ok");
    expect(report!.identities.map((i) => i.account)).toContain("vault");
  });

  test("a missing replication configuration (ReplicationConfigurationNotFoundError) is drift, exit 3", async () => {
    const observed = healthyWithReplica() as Observation;
    observed.security.replication = undefined;
    const { code, report } = await invoke(replicaFile, ["--account", "security"], observed);
    expect(report!.rows.filter((r) => r.status !== "ok").map((r) => [r.check, r.found])).toEqual([
      ["archive replication", "no replication configuration on secops-security-logs-111111111111"],
    ]);
    expect(code).toBe(3);
  });

  test("--account vault: only the vault is read", async () => {
    const { sent, report, stderr } = await invoke(replicaFile, ["--account", "vault"]);
    expect(new Set(sent.map((s) => s.split(" ")[0]))).toEqual(new Set([VAULT_ACCOUNT_ID]));
    expect(new Set(report!.rows.map((r) => r.account))).toEqual(new Set(["vault"]));
    expect(stderr).toContain("verify: [1/1] vault: read\n");
  });

  test("without a replica: nothing is sent to the vault, no replication read, no vault row, and `vault` is no account", async () => {
    const { sent, report, stderr } = await invoke(plainFile, [], healthyWithReplica() as Observation);
    expect(
      sent.filter((s) => s.startsWith(VAULT_ACCOUNT_ID) || s.includes("GetBucketReplicationCommand")),
    ).toEqual([]);
    expect(report!.rows.filter((r) => r.account === "vault" || r.check.includes("replica"))).toEqual([]);
    expect(stderr.split("\n").filter((l) => l.startsWith("verify: ["))).toHaveLength(3);
    const refused = await invoke(plainFile, ["--account", "vault"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      '--account must be one of security, payments-prod, web-prod, got "vault"',
    );
  });

  test("--account accepts vault with a replica; --region accepts the vault's region", async () => {
    const wrong = await invoke(replicaFile, ["--account", "shop"]);
    expect(wrong.stderr).toContain(
      '--account must be one of security, vault, payments-prod, web-prod, got "shop"',
    );
    const west2 = await invoke(replicaFile, ["--region", "us-west-2"]);
    expect(new Set(west2.report!.rows.map((r) => r.account))).toEqual(new Set(["security", "vault"]));
  });

  test("--print-policy: the vault's policy after the security account's; --account vault narrows to it", async () => {
    const all = await invoke(replicaFile, ["--print-policy"]);
    expect(all.sent).toEqual([]);
    expect(all.code).toBe(0);
    const printed = async (argv: string[]) => {
      let stdout = "";
      await run(
        ["--config", replicaFile, ...argv],
        {},
        {
          stdout: { write: (s: string) => ((stdout += s), true) },
          stderr: { write: () => true },
        },
      );
      return JSON.parse(stdout);
    };
    expect(Object.keys(await printed(["--print-policy"]))).toEqual([
      "security",
      "vault",
      "payments-prod",
      "web-prod",
    ]);
    expect(Object.keys(await printed(["--print-policy", "--account", "vault"]))).toEqual(["vault"]);
  });
});
