import { TerraformStack, Testing } from "cdktf";
import { buildApp } from "../stacks/app";
import { ConfigError, parseConfig } from "../lib/config/load";
import { baseConfig, fullConfig, PAYMENTS_ACCOUNT, SECURITY_ACCOUNT, WEB_ACCOUNT } from "./support/fixtures";
import { denyInsecureTransport, iamDocument, ref, sortedActions } from "./support/policies";
import { onlyResource, policyOf, resourcesOf, resourceUnder, StackJson, synthStacks } from "./support/synth";

/**
 * The vault (`archive.replica`): a second, locked copy of the archive in an
 * account of its own. What AWS requires of cross-account replication of
 * SSE-KMS objects (Amazon S3 User Guide, "Replicating encrypted objects",
 * "Configuring replication for buckets in different accounts", "Replication
 * configuration file elements", "S3 Replication metrics"): versioned buckets
 * at both ends, a role S3 assumes (confused-deputy conditions), the role
 * reads the source versions and their lock, replicates objects and tags and
 * hands ownership to the destination account, decrypts with the source key
 * and encrypts with the replica key through S3 only; the destination's
 * bucket policy and key policy admit that one role. The expected values are
 * written from those rules and the names the config derives, not from a synth.
 */

const VAULT_ACCOUNT = "444444444444";
const VAULT_REGION = "us-west-2";
const VAULT_DEPLOY_ROLE = `arn:aws:iam::${VAULT_ACCOUNT}:role/OrganizationAccountAccessRole`;
const REPLICATION_ROLE = `arn:aws:iam::${SECURITY_ACCOUNT}:role/secops-logs-replication`;
const SECURITY_ROOT = `arn:aws:iam::${SECURITY_ACCOUNT}:root`;
const REPLICA_BUCKET = `secops-security-logs-replica-${VAULT_ACCOUNT}`;
const REPLICA_BUCKET_ARN = `arn:aws:s3:::${REPLICA_BUCKET}`;
const REPLICA_KEY_ALIAS_ARN = `arn:aws:kms:${VAULT_REGION}:${VAULT_ACCOUNT}:alias/secops-replica`;
const ARCHIVE_BUCKET = `secops-security-logs-${SECURITY_ACCOUNT}`;
// Logical ids are a contract (security-stack.test.ts, policies-exact.test.ts).
const ARCHIVE = ref("aws_s3_bucket.Archive_Bucket_DB32D495");
const ARCHIVE_KEY = ref("aws_kms_key.ArchiveKey_5C51534B");
const ALARM_TOPIC = ref("aws_sns_topic.AlarmTopic_AD6681D3");
// New with the replica-region alarms (a replica in another region than security.region).
const REPLICA_REGION_TOPIC = ref("aws_sns_topic.ReplicaRegionAlarmTopic_42093BA2");
const REPLICA_REGION_KEY = "aws_kms_key.ReplicaRegionNotificationsKey_7CAD495F";

type Config = Record<string, any>;
type Stacks = Record<string, StackJson>;

/** `config` with `archive.replica` in the vault account, any replica field overridden. */
function withReplica(config: Config, fields: Record<string, unknown> = {}): Config {
  config.archive = {
    ...(config.archive ?? {}),
    replica: {
      accountId: VAULT_ACCOUNT,
      region: VAULT_REGION,
      objectLock: { mode: "COMPLIANCE", days: 365 },
      ...fields,
    },
  };
  return config;
}

/** Synthesizes once, on first use: a failing synth fails only the tests that need it. */
function lazy(document: () => Config): () => Stacks {
  let stacks: Stacks | undefined;
  return () => (stacks ??= synthStacks(document()));
}

/** Every stack of the app by name, as objects (their `dependencies` are what manifest.json records). */
function stacksOf(document: Config): Record<string, TerraformStack> {
  const app = buildApp(parseConfig(document), Testing.app());
  return Object.fromEntries(
    app.node.children.filter((c) => c instanceof TerraformStack).map((s) => [s.node.id, s as TerraformStack]),
  );
}

function dependenciesOf(document: Config): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(stacksOf(document)).map(([name, stack]) => [
      name,
      stack.dependencies.map((d) => d.node.id).sort(),
    ]),
  );
}

/** The replica of fullConfig (bootstrapped S3 state, alarms, archive lock COMPLIANCE), deployed through a role. */
const full = lazy(() => withReplica(fullConfig(), { roleArn: VAULT_DEPLOY_ROLE }));
const fullNoReplica = lazy(fullConfig);
const governance = lazy(() => withReplica(baseConfig(), { objectLock: { mode: "GOVERNANCE", days: 30 } }));
const events = lazy(() => withReplica(baseConfig()));
const keepSource = lazy(() => ({ ...withReplica(baseConfig()), delivery: { keepSource: true } }));
const raw = lazy(() => ({ ...withReplica(baseConfig()), delivery: { format: "raw" } }));
const rtcGlacierIr = lazy(() =>
  withReplica(baseConfig(), { storageClass: "GLACIER_IR", replicationTimeControl: true }),
);
const fullRtc = lazy(() => withReplica(fullConfig(), { replicationTimeControl: true }));

describe("stacks and deploy order", () => {
  test("a replica adds the vault stack", () => {
    expect(Object.keys(full())).toEqual(["state", "vault", "security", "payments-prod", "web-prod"]);
  });

  test("without a replica there is no vault stack", () => {
    expect(Object.keys(fullNoReplica())).toEqual(["state", "security", "payments-prod", "web-prod"]);
    expect(Object.keys(synthStacks(baseConfig()))).toEqual(["security", "payments-prod", "web-prod"]);
  });

  test("security depends on vault, vault on state, app stacks on security (and state)", () => {
    expect(dependenciesOf(withReplica(fullConfig()))).toEqual({
      state: [],
      vault: ["state"],
      security: ["state", "vault"],
      "payments-prod": ["security", "state"],
      "web-prod": ["security", "state"],
    });
  });

  test("without bootstrapped state the vault depends on nothing and security on the vault", () => {
    expect(dependenciesOf(withReplica(baseConfig()))).toEqual({
      vault: [],
      security: ["vault"],
      "payments-prod": ["security"],
      "web-prod": ["security"],
    });
  });
});

describe("vault stack: provider and backend", () => {
  test("exactly one aws provider, in the vault's region, pinned to the vault account, assuming roleArn", () => {
    expect(full().vault.provider.aws).toEqual([
      {
        alias: "us_west_2",
        region: VAULT_REGION,
        allowed_account_ids: [VAULT_ACCOUNT],
        assume_role: [{ role_arn: VAULT_DEPLOY_ROLE, session_name: "secops-seclog" }],
        default_tags: [{ tags: { owner: "security" } }],
      },
    ]);
  });

  test("without roleArn the provider assumes no role", () => {
    expect(governance().vault.provider.aws).toEqual([
      {
        alias: "us_west_2",
        region: VAULT_REGION,
        allowed_account_ids: [VAULT_ACCOUNT],
        default_tags: [{ tags: { owner: "security" } }],
      },
    ]);
  });

  test("every vault resource names the vault provider", () => {
    const stack = full().vault;
    const bodies = Object.values(stack.resource).flatMap((instances) => Object.values(instances));
    expect(bodies.length).toBeGreaterThan(0);
    for (const [type, instances] of Object.entries(stack.resource))
      for (const [id, body] of Object.entries(instances))
        expect({ resource: `${type}.${id}`, provider: body.provider }).toEqual({
          resource: `${type}.${id}`,
          provider: "aws.us_west_2",
        });
  });

  test("S3 backend: key seclog/vault.tfstate, reached through the vault's state role", () => {
    expect(full().vault.terraform.backend).toEqual({
      s3: {
        bucket: "tf-state-bucket",
        region: "us-east-1",
        key: "seclog/vault.tfstate",
        encrypt: true,
        kms_key_id: `arn:aws:kms:us-east-1:${SECURITY_ACCOUNT}:alias/secops-terraform-state`,
        assume_role: { role_arn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/secops-tfstate-vault` },
        use_lockfile: true,
      },
    });
  });

  test("the state stack creates the vault's state role, trusted by the vault account only", () => {
    const role = resourceUnder(full().state, "aws_iam_role", "StateAccess_vault_");
    expect(role.name).toBe("secops-tfstate-vault");
    expect(policyOf(role.assume_role_policy)).toEqual(
      iamDocument({
        Sid: "ApplicationAccountAssumes",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${VAULT_ACCOUNT}:root` },
        Action: "sts:AssumeRole",
      }),
    );
    const policy = policyOf(resourceUnder(full().state, "aws_iam_role_policy", "StateAccess_vault_").policy);
    expect(policy.Statement.map((s) => s.Resource)).toEqual([
      "arn:aws:s3:::tf-state-bucket",
      "arn:aws:s3:::tf-state-bucket/seclog/vault.tfstate",
      "arn:aws:s3:::tf-state-bucket/seclog/vault.tfstate.tflock",
      ref("aws_kms_key.StateKey_D2B02354"),
    ]);
  });

  test("without a replica the state stack has no vault role", () => {
    expect(resourcesOf(fullNoReplica().state, "aws_iam_role").map(([id]) => id)).not.toContainEqual(
      expect.stringMatching(/^StateAccess_vault_/),
    );
  });
});

describe("vault stack: replica bucket", () => {
  const bucketPart = (type: string) => resourceUnder(full().vault, type, "Replica_");

  test("named for the vault account, undeletable by Terraform", () => {
    expect(bucketPart("aws_s3_bucket")).toEqual({
      provider: "aws.us_west_2",
      bucket: REPLICA_BUCKET,
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  test("versioning Enabled (S3 replicates only into a versioned bucket)", () => {
    expect(bucketPart("aws_s3_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
  });

  test("all four public access blocks on, and BucketOwnerEnforced", () => {
    const pab = bucketPart("aws_s3_bucket_public_access_block");
    expect([
      pab.block_public_acls,
      pab.block_public_policy,
      pab.ignore_public_acls,
      pab.restrict_public_buckets,
    ]).toEqual([true, true, true, true]);
    expect(bucketPart("aws_s3_bucket_ownership_controls").rule).toEqual({
      object_ownership: "BucketOwnerEnforced",
    });
  });

  test("SSE-KMS with the replica key, bucket key on", () => {
    expect(bucketPart("aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
      {
        apply_server_side_encryption_by_default: {
          sse_algorithm: "aws:kms",
          kms_master_key_id: ref("aws_kms_key.ReplicaKey_7EB26FE2"),
        },
        bucket_key_enabled: true,
      },
    ]);
  });

  test("Object Lock with the replica's mode and days", () => {
    const lock = bucketPart("aws_s3_bucket_object_lock_configuration");
    expect(lock.object_lock_enabled).toBe("Enabled");
    expect(lock.rule).toEqual({ default_retention: { mode: "COMPLIANCE", days: 365 } });
    expect(
      resourceUnder(governance().vault, "aws_s3_bucket_object_lock_configuration", "Replica_").rule,
    ).toEqual({ default_retention: { mode: "GOVERNANCE", days: 30 } });
  });

  test("the archive's lifecycle: Glacier after glacierAfterDays, expiry after expireAfterDays", () => {
    const lifecycle = bucketPart("aws_s3_bucket_lifecycle_configuration");
    expect(lifecycle.transition_default_minimum_object_size).toBe("all_storage_classes_128K");
    expect(lifecycle.rule).toEqual([
      {
        id: "archive",
        status: "Enabled",
        filter: [{}],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
        transition: [{ days: 30, storage_class: "GLACIER" }],
        noncurrent_version_transition: [{ noncurrent_days: 30, storage_class: "GLACIER" }],
        expiration: [{ days: 2555 }],
        noncurrent_version_expiration: [{ noncurrent_days: 2555 }],
      },
    ]);
  });

  test("bucket policy: TLS only, the replication role (root + aws:PrincipalArn) replicates, nobody else writes", () => {
    const onlyTheRole = {
      Principal: { AWS: SECURITY_ROOT },
      Condition: { ArnEquals: { "aws:PrincipalArn": REPLICATION_ROLE } },
    };
    const objects = `${REPLICA_BUCKET_ARN}/*`;
    expect(sortedActions(policyOf(bucketPart("aws_s3_bucket_policy").policy))).toEqual(
      iamDocument(
        denyInsecureTransport(REPLICA_BUCKET_ARN),
        {
          Sid: "ReplicationRoleWritesReplicas",
          Effect: "Allow",
          ...onlyTheRole,
          Action: ["s3:ObjectOwnerOverrideToBucketOwner", "s3:ReplicateObject", "s3:ReplicateTags"],
          Resource: objects,
        },
        {
          Sid: "ReplicationRoleReadsVersioning",
          Effect: "Allow",
          ...onlyTheRole,
          Action: "s3:GetBucketVersioning",
          Resource: REPLICA_BUCKET_ARN,
        },
        {
          Sid: "OnlyTheReplicationRoleReplicates",
          Effect: "Deny",
          Principal: "*",
          Action: [
            "s3:ObjectOwnerOverrideToBucketOwner",
            "s3:ReplicateDelete",
            "s3:ReplicateObject",
            "s3:ReplicateTags",
          ],
          Resource: objects,
          Condition: { ArnNotEquals: { "aws:PrincipalArn": REPLICATION_ROLE } },
        },
        { Sid: "NoDirectWrites", Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: objects },
      ),
    );
  });
});

/** The replica key's statement for the replication role: encrypt, through S3 in the vault's region. */
const replicationRoleEncrypts = {
  Sid: "ReplicationRoleEncryptsReplicas",
  Effect: "Allow",
  Principal: { AWS: SECURITY_ROOT },
  Action: ["kms:Encrypt", "kms:GenerateDataKey"],
  Resource: "*",
  Condition: {
    ArnEquals: { "aws:PrincipalArn": REPLICATION_ROLE },
    StringEquals: { "kms:ViaService": `s3.${VAULT_REGION}.amazonaws.com` },
    // The vault itself holds the role to the replica bucket.
    StringLike: { "kms:EncryptionContext:aws:s3:arn": [REPLICA_BUCKET_ARN, `${REPLICA_BUCKET_ARN}/*`] },
  },
};

const rootAdministers = (accountId: string) => ({
  Sid: "AccountRootAdministersKey",
  Effect: "Allow",
  Principal: { AWS: `arn:aws:iam::${accountId}:root` },
  Action: "kms:*",
  Resource: "*",
});

/** COMPLIANCE: nobody, the root included, disables the key, deletes it or replaces its policy. */
const keyLock = {
  Sid: "NobodyDisablesDeletesOrUnlocksTheKey",
  Effect: "Deny",
  Principal: { AWS: "*" },
  Action: ["kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
  Resource: "*",
};

describe("vault stack: replica key", () => {
  const key = () => onlyResource(full().vault, "aws_kms_key");

  test("rotates, waits 30 days before deletion, cannot be destroyed", () => {
    expect(key().enable_key_rotation).toBe(true);
    expect(key().deletion_window_in_days).toBe(30);
    expect(key().lifecycle).toEqual({ prevent_destroy: true });
  });

  test("its description names the pipeline and the replica", () => {
    expect(key().description).toBe("secops-security-logs: the vault's replica of the archive");
  });

  test("outputs: the replica bucket's name and the replica key's ARN, described", () => {
    expect(full().vault.output).toEqual({
      replica_bucket: {
        value: ref("aws_s3_bucket.Replica_Bucket_539718B8", "bucket"),
        description: "S3 bucket holding the vault's replica of the archive",
      },
      replica_key_arn: {
        value: ref("aws_kms_key.ReplicaKey_7EB26FE2", "arn"),
        description: "KMS key of the replica",
      },
    });
  });

  test("alias alias/secops-replica (the alias ARN the security stack names)", () => {
    expect(onlyResource(full().vault, "aws_kms_alias")).toEqual({
      provider: "aws.us_west_2",
      name: "alias/secops-replica",
      target_key_id: ref("aws_kms_key.ReplicaKey_7EB26FE2", "key_id"),
    });
  });

  test("COMPLIANCE: the whole policy is root admin, the role's encrypt grant and the lock, with the lockout bypass", () => {
    expect(sortedActions(policyOf(key().policy))).toEqual(
      iamDocument(rootAdministers(VAULT_ACCOUNT), replicationRoleEncrypts, keyLock),
    );
    expect(key().bypass_policy_lockout_safety_check).toBe(true);
  });

  test("GOVERNANCE: the same policy without the lock, and no bypass argument", () => {
    const governed = onlyResource(governance().vault, "aws_kms_key");
    expect(sortedActions(policyOf(governed.policy))).toEqual(
      iamDocument(rootAdministers(VAULT_ACCOUNT), replicationRoleEncrypts),
    );
    expect(governed).not.toHaveProperty("bypass_policy_lockout_safety_check");
  });
});

describe("security stack: the archive key", () => {
  /** CloudWatch Logs encrypts the pipeline's two log groups (format events and raw alike). */
  const logsEncrypt = {
    Sid: "CloudWatchLogsEncryptsLogGroup",
    Effect: "Allow",
    Principal: { Service: "logs.us-east-1.amazonaws.com" },
    Action: ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
    Resource: "*",
    Condition: {
      ArnEquals: {
        "kms:EncryptionContext:aws:logs:arn": [
          `arn:aws:logs:us-east-1:${SECURITY_ACCOUNT}:log-group:/aws/kinesisfirehose/secops-security-logs`,
          `arn:aws:logs:us-east-1:${SECURITY_ACCOUNT}:log-group:/aws/lambda/secops-logs-processor`,
        ],
      },
    },
  };
  const archiveKey = (config: Config) =>
    resourceUnder(synthStacks(config).security, "aws_kms_key", "ArchiveKey_");
  const locked = (format: "events" | "raw") => ({
    ...baseConfig(),
    delivery: { format },
    archive: { objectLock: { mode: "COMPLIANCE", days: 30 } },
  });

  test("archive Object Lock COMPLIANCE locks the key: whole policy with the lock, bypass on", () => {
    const key = archiveKey(locked("events"));
    expect(sortedActions(policyOf(key.policy))).toEqual(
      iamDocument(rootAdministers(SECURITY_ACCOUNT), logsEncrypt, keyLock),
    );
    expect(key.bypass_policy_lockout_safety_check).toBe(true);
  });

  test.each([
    ["GOVERNANCE", { objectLock: { mode: "GOVERNANCE", days: 30 } }],
    ["no Object Lock", {}],
  ])("%s: the key is not locked", (_, archive) => {
    const key = archiveKey({ ...baseConfig(), archive });
    expect(sortedActions(policyOf(key.policy))).toEqual(
      iamDocument(rootAdministers(SECURITY_ACCOUNT), logsEncrypt),
    );
    expect(key).not.toHaveProperty("bypass_policy_lockout_safety_check");
  });

  test("the locked policy is the same for format events and raw (both log groups named in each)", () => {
    expect(archiveKey(locked("raw")).policy).toBe(archiveKey(locked("events")).policy);
  });

  test("a replica does not change the archive key (a locked policy could not follow)", () => {
    expect(resourceUnder(full().security, "aws_kms_key", "ArchiveKey_").policy).toBe(
      resourceUnder(fullNoReplica().security, "aws_kms_key", "ArchiveKey_").policy,
    );
  });
});

/** One replication rule of a prefix, as S3 requires it for cross-account SSE-KMS replication. */
function rule(
  prefix: string,
  priority: number,
  options: { storageClass?: string; rtc?: boolean } = {},
): Record<string, any> {
  return {
    id: prefix.replace(/\/$/, ""),
    priority,
    status: "Enabled",
    filter: { prefix },
    delete_marker_replication: { status: "Disabled" },
    source_selection_criteria: { sse_kms_encrypted_objects: { status: "Enabled" } },
    destination: {
      bucket: REPLICA_BUCKET_ARN,
      account: VAULT_ACCOUNT,
      storage_class: options.storageClass ?? "STANDARD",
      access_control_translation: { owner: "Destination" },
      encryption_configuration: { replica_kms_key_id: REPLICA_KEY_ALIAS_ARN },
      ...(options.rtc
        ? {
            metrics: { status: "Enabled", event_threshold: { minutes: 15 } },
            replication_time: { status: "Enabled", time: { minutes: 15 } },
          }
        : { metrics: { status: "Enabled" } }),
    },
  };
}

const replicationOf = (stacks: Stacks) =>
  onlyResource(stacks.security, "aws_s3_bucket_replication_configuration");

describe("security stack: replication configuration", () => {
  test("the archive replicates with the replication role", () => {
    const [[roleId]] = resourcesOf(events().security, "aws_iam_role").filter(
      ([, role]) => role.name === "secops-logs-replication",
    );
    expect(replicationOf(events()).bucket).toBe(ref("aws_s3_bucket.Archive_Bucket_DB32D495", "id"));
    expect(replicationOf(events()).role).toBe(ref(`aws_iam_role.${roleId}`));
  });

  test("events format: one rule each for events/ and errors/", () => {
    expect(replicationOf(events()).rule).toEqual([rule("events/", 0), rule("errors/", 1)]);
  });

  test("events format with keepSource: source/ too", () => {
    expect(replicationOf(keepSource()).rule).toEqual([
      rule("events/", 0),
      rule("errors/", 1),
      rule("source/", 2),
    ]);
  });

  test("raw format: raw/ and errors/", () => {
    expect(replicationOf(raw()).rule).toEqual([rule("raw/", 0), rule("errors/", 1)]);
  });

  test("storageClass GLACIER_IR and Replication Time Control: 15-minute metrics threshold and replication time", () => {
    expect(replicationOf(rtcGlacierIr()).rule).toEqual([
      rule("events/", 0, { storageClass: "GLACIER_IR", rtc: true }),
      rule("errors/", 1, { storageClass: "GLACIER_IR", rtc: true }),
    ]);
  });

  test("waits for the archive's versioning and the role's policy", () => {
    const stack = events().security;
    const [[versioning]] = resourcesOf(stack, "aws_s3_bucket_versioning").filter(([id]) =>
      id.startsWith("Archive_"),
    );
    const [[policy]] = resourcesOf(stack, "aws_iam_role_policy").filter(([id]) =>
      id.startsWith("Replication_"),
    );
    expect([...replicationOf(events()).depends_on].sort()).toEqual([
      `aws_iam_role_policy.${policy}`,
      `aws_s3_bucket_versioning.${versioning}`,
    ]);
  });

  test("without a replica: no replication configuration and no replication role", () => {
    const stack = fullNoReplica().security;
    expect(resourcesOf(stack, "aws_s3_bucket_replication_configuration")).toEqual([]);
    expect(resourcesOf(stack, "aws_iam_role").map(([, r]) => r.name)).not.toContain(
      "secops-logs-replication",
    );
  });
});

/** The replication role's inline policy for the replicated prefixes, written from the S3 rules above. */
function replicationPermissions(prefixes: string[]) {
  const under = (bucketArn: string) => prefixes.map((p) => `${bucketArn}/${p}*`);
  return iamDocument(
    {
      Sid: "ReadTheReplicationConfiguration",
      Effect: "Allow",
      Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
      Resource: ARCHIVE,
    },
    {
      Sid: "ReadSourceVersions",
      Effect: "Allow",
      Action: [
        "s3:GetObjectLegalHold",
        "s3:GetObjectRetention",
        "s3:GetObjectVersionAcl",
        "s3:GetObjectVersionForReplication",
        "s3:GetObjectVersionTagging",
      ],
      Resource: under(ARCHIVE),
    },
    {
      Sid: "ReadReplicaVersioning",
      Effect: "Allow",
      Action: "s3:GetBucketVersioning",
      Resource: REPLICA_BUCKET_ARN,
    },
    {
      Sid: "WriteReplicas",
      Effect: "Allow",
      Action: ["s3:ObjectOwnerOverrideToBucketOwner", "s3:ReplicateObject", "s3:ReplicateTags"],
      Resource: under(REPLICA_BUCKET_ARN),
    },
    {
      Sid: "DecryptSourceThroughS3",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: ARCHIVE_KEY,
      Condition: {
        StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [ARCHIVE, ...under(ARCHIVE)] },
      },
    },
    {
      Sid: "EncryptReplicasThroughS3",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
      Resource: `arn:aws:kms:${VAULT_REGION}:${VAULT_ACCOUNT}:key/*`,
      Condition: {
        StringEquals: { "kms:ViaService": `s3.${VAULT_REGION}.amazonaws.com` },
        StringLike: {
          "kms:EncryptionContext:aws:s3:arn": [REPLICA_BUCKET_ARN, ...under(REPLICA_BUCKET_ARN)],
        },
      },
    },
  );
}

describe("security stack: replication role", () => {
  const role = (stacks: Stacks) => resourceUnder(stacks.security, "aws_iam_role", "Replication_");
  const inline = (stacks: Stacks) =>
    sortedActions(policyOf(resourceUnder(stacks.security, "aws_iam_role_policy", "Replication_").policy));

  test("named secops-logs-replication (the ARN the vault's policies name)", () => {
    expect(role(events()).name).toBe("secops-logs-replication");
  });

  test("its description, and its one inline policy's name", () => {
    expect(role(events()).description).toBe("S3 replicates the security log archive into the vault account");
    expect(resourceUnder(events().security, "aws_iam_role_policy", "Replication_").name).toBe(
      "replicate-archive",
    );
  });

  test("trust: S3, for the archive bucket of the security account only", () => {
    expect(policyOf(role(events()).assume_role_policy)).toEqual(
      iamDocument({
        Sid: "S3ReplicatesTheArchive",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": SECURITY_ACCOUNT },
          // The archive's ARN as Terraform resolves it at apply.
          ArnEquals: { "aws:SourceArn": ARCHIVE },
        },
      }),
    );
  });

  test("inline policy, events format: events/ and errors/ only", () => {
    expect(inline(events())).toEqual(replicationPermissions(["events/", "errors/"]));
  });

  test("inline policy, keepSource: source/ as well", () => {
    expect(inline(keepSource())).toEqual(replicationPermissions(["events/", "errors/", "source/"]));
  });

  test("inline policy, raw format: raw/ and errors/", () => {
    expect(inline(raw())).toEqual(replicationPermissions(["raw/", "errors/"]));
  });
});

describe("security stack: replication alarms", () => {
  // A list sorted by name, not a map by name: an alarm created twice (at home and in the replica's
  // region) must show up twice.
  const byName = (a: Record<string, any>, b: Record<string, any>) => a.alarm_name.localeCompare(b.alarm_name);
  const replicationAlarms = (stacks: Stacks) =>
    resourcesOf(stacks.security, "aws_cloudwatch_metric_alarm")
      .filter(([, alarm]) => alarm.alarm_name.startsWith("secops-security-logs-replication-"))
      .map(([id, alarm]): Record<string, any> => ({ id, ...alarm }))
      .sort(byName);

  // S3 publishes OperationsFailedReplication in the source bucket's region and ReplicationLatency
  // in the destination bucket's (Amazon S3 User Guide, "Using S3 Replication metrics",
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html): each alarm lives
  // where its metric is, with a topic of that region. The failure alarms keep their logical ids.
  const HOME = { provider: "aws.us_east_1", topic: ALARM_TOPIC, construct: "Alarms_" };
  const replicaRegion = (region: string) => ({
    provider: `aws.${region.replace(/-/g, "_")}`,
    topic: REPLICA_REGION_TOPIC,
    construct: "ReplicaRegionAlarms_",
  });

  const alarm = (
    kind: "failed" | "latency",
    ruleId: string,
    latencySeconds: number,
    where: { provider: string; topic: string; construct: string },
  ): Record<string, any> => ({
    id: expect.stringMatching(
      new RegExp(`^${where.construct}Alarm_replication_${kind}_${ruleId}_[0-9a-f]{8}_[0-9A-F]{8}$`),
    ),
    provider: where.provider,
    alarm_name: `secops-security-logs-replication-${kind}-${ruleId}`,
    alarm_description: expect.stringContaining(`${ruleId}/`),
    namespace: "AWS/S3",
    dimensions: { SourceBucket: ARCHIVE_BUCKET, DestinationBucket: REPLICA_BUCKET, RuleId: ruleId },
    comparison_operator: "GreaterThanThreshold",
    treat_missing_data: "notBreaching",
    alarm_actions: [where.topic],
    ok_actions: [where.topic],
    period: 300,
    ...(kind === "failed"
      ? {
          metric_name: "OperationsFailedReplication",
          statistic: "Sum",
          evaluation_periods: 1,
          datapoints_to_alarm: 1,
          threshold: 0,
        }
      : {
          metric_name: "ReplicationLatency",
          statistic: "Maximum",
          evaluation_periods: 3,
          datapoints_to_alarm: 3,
          threshold: latencySeconds,
        }),
  });

  /** Per rule: the failure alarm at home, the latency alarm where `latencyIn` says. */
  const expected = (
    latencySeconds: number,
    latencyIn: { provider: string; topic: string; construct: string },
  ) =>
    ["events", "errors"]
      .flatMap((ruleId) =>
        (["failed", "latency"] as const).map((kind) =>
          alarm(kind, ruleId, latencySeconds, kind === "failed" ? HOME : latencyIn),
        ),
      )
      .sort(byName);

  const securityProvider = (alias: string, region: string) => ({
    alias,
    region,
    allowed_account_ids: [SECURITY_ACCOUNT],
    assume_role: [
      {
        role_arn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/OrganizationAccountAccessRole`,
        session_name: "secops-seclog",
      },
    ],
    default_tags: [{ tags: { owner: "security" } }],
  });
  const FULL_PROVIDERS = [
    securityProvider("ap_southeast_2", "ap-southeast-2"),
    securityProvider("eu_west_1", "eu-west-1"),
    securityProvider("us_east_1", "us-east-1"),
  ];
  const replicaRegionResources = (stacks: Stacks) =>
    Object.entries(stacks.security.resource).flatMap(([type, byId]) =>
      Object.keys(byId)
        .filter((id) => id.startsWith("ReplicaRegion"))
        .map((id) => `${type}.${id}`),
    );

  test("without RTC: any failed replication (home region), and latency above an hour for 15 minutes (replica region), per rule", () => {
    expect(replicationAlarms(full())).toEqual(expected(3600, replicaRegion(VAULT_REGION)));
  });

  test("the failure alarms keep the logical ids they had when every replication alarm was at home", () => {
    expect(
      replicationAlarms(full())
        .filter((a) => a.metric_name === "OperationsFailedReplication")
        .map((a) => a.id)
        .sort(),
    ).toEqual([
      "Alarms_Alarm_replication_failed_errors_5f3ae693_0699C625",
      "Alarms_Alarm_replication_failed_events_67c207bd_FE398E45",
    ]);
  });

  test("with RTC: the latency alarm fires above RTC's 15 minutes, in the replica's region", () => {
    expect(replicationAlarms(fullRtc())).toEqual(expected(900, replicaRegion(VAULT_REGION)));
  });

  test("a replica region no account ships from: the security stack gains that region's provider, last", () => {
    expect(full().security.provider.aws).toEqual([
      ...FULL_PROVIDERS,
      securityProvider("us_west_2", VAULT_REGION),
    ]);
  });

  describe("the alarm topic of the replica's region", () => {
    const security = () => full().security;

    // Its KMS_KEY_PROTECTED suppression and reason: __tests__/rules/stacks.test.ts (the metadata is in cdk.tf.json only).
    test("its key: rotating, destroyable (messages in flight only), only this account's alarms of us-west-2 may use it", () => {
      const { policy, ...key } = resourceUnder(security(), "aws_kms_key", "ReplicaRegionNotificationsKey_");
      expect(key).toEqual({
        provider: "aws.us_west_2",
        description: "secops-security-logs: alarm topic in us-west-2 (replication latency alarms)",
        enable_key_rotation: true,
        deletion_window_in_days: 30,
        lifecycle: { prevent_destroy: false },
      });
      expect(policyOf(policy)).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AccountRootAdministersKey",
            Effect: "Allow",
            Principal: { AWS: SECURITY_ROOT },
            Action: "kms:*",
            Resource: "*",
          },
          {
            Sid: "CloudWatchAlarmsPublishToTopic",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
            Resource: "*",
            Condition: {
              StringEquals: { "aws:SourceAccount": SECURITY_ACCOUNT },
              ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:us-west-2:${SECURITY_ACCOUNT}:alarm:*` },
            },
          },
        ],
      });
      expect(resourceUnder(security(), "aws_kms_alias", "ReplicaRegionNotificationsKey_")).toEqual({
        provider: "aws.us_west_2",
        name: "alias/secops-notifications-us-west-2",
        target_key_id: ref(REPLICA_REGION_KEY, "key_id"),
      });
    });

    test("the topic: the home topic's name, encrypted with that key, the same email subscribed", () => {
      expect(resourceUnder(security(), "aws_sns_topic", "ReplicaRegionAlarmTopic_")).toEqual({
        provider: "aws.us_west_2",
        name: "secops-security-logs-alarms",
        kms_master_key_id: ref(REPLICA_REGION_KEY),
      });
      expect(resourceUnder(security(), "aws_sns_topic_subscription", "ReplicaRegionAlarmTopic_")).toEqual({
        provider: "aws.us_west_2",
        topic_arn: REPLICA_REGION_TOPIC,
        protocol: "email",
        endpoint: "secops@example.com",
      });
      expect(security().output!.replica_region_alarm_topic_arn).toEqual({
        value: REPLICA_REGION_TOPIC,
        description: "SNS topic of the replication latency alarms, in the replica's region us-west-2",
      });
    });

    test("the topic policy: only this account's CloudWatch alarms of us-west-2 may publish", () => {
      const { policy, ...rest } = resourceUnder(
        security(),
        "aws_sns_topic_policy",
        "ReplicaRegionAlarmTopic_",
      );
      expect(rest).toEqual({ provider: "aws.us_west_2", arn: REPLICA_REGION_TOPIC });
      expect(policyOf(policy)).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "CloudWatchAlarmsOfThisAccount",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: REPLICA_REGION_TOPIC,
            Condition: {
              StringEquals: { "aws:SourceAccount": SECURITY_ACCOUNT },
              ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:us-west-2:${SECURITY_ACCOUNT}:alarm:*` },
            },
          },
        ],
      });
    });

    test("the home topic, its key and its policy stay in the home region, for the home region's alarms", () => {
      const home = resourceUnder(security(), "aws_sns_topic", "AlarmTopic_");
      expect(home.provider).toBe("aws.us_east_1");
      expect(home.kms_master_key_id).toBe(ref("aws_kms_key.NotificationsKey_1DC6809C"));
      expect(
        policyOf(resourceUnder(security(), "aws_sns_topic_policy", "AlarmTopic_").policy).Statement[0]
          .Condition,
      ).toEqual({
        StringEquals: { "aws:SourceAccount": SECURITY_ACCOUNT },
        ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:us-east-1:${SECURITY_ACCOUNT}:alarm:*` },
      });
      expect(
        resourcesOf(security(), "aws_cloudwatch_metric_alarm")
          .filter(([id]) => id.startsWith("ReplicaRegion"))
          .map(([, a]) => a.metric_name),
      ).toEqual(["ReplicationLatency", "ReplicationLatency"]);
    });
  });

  test("a replica in a destination region: that region's existing provider, no second one", () => {
    const stacks = synthStacks(withReplica(fullConfig(), { region: "eu-west-1" }));
    expect(stacks.security.provider.aws).toEqual(FULL_PROVIDERS);
    expect(replicationAlarms(stacks)).toEqual(expected(3600, replicaRegion("eu-west-1")));
    const topic = resourceUnder(stacks.security, "aws_sns_topic", "ReplicaRegionAlarmTopic_");
    expect(topic).toEqual({
      provider: "aws.eu_west_1",
      name: "secops-security-logs-alarms",
      kms_master_key_id: ref(REPLICA_REGION_KEY),
    });
    expect(
      policyOf(resourceUnder(stacks.security, "aws_sns_topic_policy", "ReplicaRegionAlarmTopic_").policy)
        .Statement[0].Condition.ArnLike,
    ).toEqual({ "aws:SourceArn": `arn:aws:cloudwatch:eu-west-1:${SECURITY_ACCOUNT}:alarm:*` });
    expect(resourceUnder(stacks.security, "aws_kms_alias", "ReplicaRegionNotificationsKey_").name).toBe(
      "alias/secops-notifications-eu-west-1",
    );
  });

  test("a replica in the home region: every replication alarm at home, notifying the home topic; no second topic, key or provider", () => {
    const stacks = synthStacks(withReplica(fullConfig(), { region: "us-east-1" }));
    expect(replicationAlarms(stacks)).toEqual(expected(3600, HOME));
    expect(replicaRegionResources(stacks)).toEqual([]);
    expect(resourcesOf(stacks.security, "aws_sns_topic").map(([id]) => id)).toEqual(["AlarmTopic_AD6681D3"]);
    expect(
      resourcesOf(stacks.security, "aws_kms_key")
        .map(([id]) => id)
        .filter((id) => id.includes("Notifications")),
    ).toEqual(["NotificationsKey_1DC6809C"]);
    expect(stacks.security.provider.aws).toEqual(FULL_PROVIDERS);
    expect(stacks.security.output).not.toHaveProperty("replica_region_alarm_topic_arn");
  });

  test("without alarms config: no replication alarms, no replica-region topic and no extra provider", () => {
    expect(resourcesOf(events().security, "aws_cloudwatch_metric_alarm")).toEqual([]);
    expect(replicaRegionResources(events())).toEqual([]);
    expect(events().security.provider.aws.map((p) => p.alias)).toEqual(["eu_west_1", "us_east_1"]);
  });

  test("without a replica: no replication alarms, no replica-region topic", () => {
    expect(replicationAlarms(fullNoReplica())).toEqual([]);
    expect(replicaRegionResources(fullNoReplica())).toEqual([]);
    expect(fullNoReplica().security.provider.aws).toEqual(FULL_PROVIDERS);
  });
});

describe("config errors of archive.replica", () => {
  type Printed = { path: string; message: string };

  function problemsAfter(change: (config: Config) => void): Printed[] {
    const config = withReplica(baseConfig());
    change(config);
    try {
      parseConfig(config);
      return [];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return error.located.map(({ path, message }) => ({ path, message }));
    }
  }

  test("a replica in its own vault account is accepted", () => {
    expect(problemsAfter(() => {})).toEqual([]);
  });

  test("the replica in the security account is refused", () => {
    expect(problemsAfter((c) => (c.archive.replica.accountId = SECURITY_ACCOUNT))).toEqual([
      {
        path: "archive.replica.accountId",
        message:
          "is the security account; the replica must live in a separate vault account, or whoever controls the security account controls both copies",
      },
    ]);
  });

  test("the replica in an application account is refused, naming the account", () => {
    expect(problemsAfter((c) => (c.archive.replica.accountId = PAYMENTS_ACCOUNT))).toEqual([
      {
        path: "archive.replica.accountId",
        message:
          "is application account accounts[0] (payments-prod); use a vault account that ships no logs and that application teams cannot administer",
      },
    ]);
    expect(problemsAfter((c) => (c.archive.replica.accountId = WEB_ACCOUNT))).toEqual([
      {
        path: "archive.replica.accountId",
        message:
          "is application account accounts[1] (web-prod); use a vault account that ships no logs and that application teams cannot administer",
      },
    ]);
  });

  test("a roleArn of another account is refused", () => {
    expect(
      problemsAfter((c) => (c.archive.replica.roleArn = `arn:aws:iam::${SECURITY_ACCOUNT}:role/deploy`)),
    ).toEqual([
      {
        path: "archive.replica.roleArn",
        message: `role is in account ${SECURITY_ACCOUNT} but the account id is ${VAULT_ACCOUNT}; use a role of account ${VAULT_ACCOUNT}`,
      },
    ]);
  });

  test("a replica region in another partition is refused (S3 replicates within a partition)", () => {
    expect(problemsAfter((c) => (c.archive.replica.region = "cn-north-1"))).toEqual([
      {
        path: "archive.replica.region",
        message:
          "cn-north-1 is outside partition aws of security.region; S3 cannot replicate across partitions",
      },
    ]);
  });

  test("expireAfterDays shorter than the replica's lock is refused", () => {
    expect(
      problemsAfter((c) => {
        c.archive.glacierAfterDays = 1;
        c.archive.expireAfterDays = 364;
      }),
    ).toEqual([
      {
        path: "archive.expireAfterDays",
        message:
          "is shorter than archive.replica.objectLock.days (365); locked versions cannot expire, so raise expireAfterDays or lower the lock",
      },
    ]);
  });

  test("a replica without Object Lock is refused", () => {
    expect(problemsAfter((c) => delete c.archive.replica.objectLock)).toEqual([
      { path: "archive.replica.objectLock", message: "is required; expected object, received undefined" },
    ]);
  });

  test("storage class ONEZONE_IA is refused (one Availability Zone is no second copy)", () => {
    expect(problemsAfter((c) => (c.archive.replica.storageClass = "ONEZONE_IA"))).toEqual([
      {
        path: "archive.replica.storageClass",
        message:
          'Invalid option: expected one of "STANDARD"|"STANDARD_IA"|"INTELLIGENT_TIERING"|"GLACIER_IR"|"GLACIER"|"DEEP_ARCHIVE"',
      },
    ]);
  });

  test('an application account named "vault" is refused (the vault stack\'s name)', () => {
    expect(problemsAfter((c) => (c.accounts[0].name = "vault"))).toEqual([
      {
        path: "accounts[0] (vault).name",
        message: '"vault" is reserved for a stack of this app; choose another name',
      },
    ]);
  });
});
