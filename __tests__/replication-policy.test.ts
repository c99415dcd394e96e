/**
 * Cross-account replication of the archive into the vault account, through
 * the IAM simulator: the replication role's trust and permissions (security
 * account), the vault bucket policy and the replica key policy (vault
 * account), the locked key policies of COMPLIANCE mode, and the two SCPs with
 * `archive.replica` (the security account's and the vault account's). Every expected decision follows AWS's evaluation rules:
 * within one account an identity or a resource policy may allow; across
 * accounts both must; an explicit deny anywhere (identity, resource policy,
 * SCP) wins; a KMS key policy applies to every principal, root included.
 */
import { Simulation } from "@cloud-copilot/iam-simulate";
import { SCP_MAX_BYTES } from "../lib/aws-limits";
import { parseConfig } from "../lib/config/load";
import { PolicyDocument } from "../lib/iam/policy";
import { namingOf } from "../lib/naming";
import { archivedPrefixes } from "../lib/pipeline";
import { KEY_LOCK_SID } from "../lib/policies/key-lock";
import {
  replicaKeyStatement,
  replicationPermissions,
  replicationTrust,
  vaultBucketPolicy,
} from "../lib/policies/replication";
import {
  ALIAS_ACTIONS,
  ARCHIVE_BUCKET_ACTIONS,
  ARCHIVE_OBJECT_ACTIONS,
  KEY_ACTIONS,
  ROLE_ACTIONS,
  scpSize,
  securityAccountScp,
  vaultAccountScp,
} from "../lib/scp";
import { keyPolicy, logsEncryptionStatement } from "../modules/encryption-key";
import { baseConfig, SECURITY_ACCOUNT } from "./support/fixtures";
import { request, Row, simulateRows } from "./support/iam-rows";
import { Policy } from "./support/planned-policies";

const VAULT_ACCOUNT = "444444444444";
const OTHER_ACCOUNT = "999999999999";
const VAULT_REGION = "us-west-2";
const HOME_REGION = "us-east-1";

function replicaConfig() {
  const raw = baseConfig();
  // Alarms, with the replica in another region: the security stack's alarm key there too.
  raw.alarms = {};
  raw.archive = {
    objectLock: { mode: "COMPLIANCE", days: 365 },
    replica: {
      accountId: VAULT_ACCOUNT,
      region: VAULT_REGION,
      objectLock: { mode: "COMPLIANCE", days: 365 },
    },
  };
  return parseConfig(raw, "replica.json");
}

const config = replicaConfig();
const naming = namingOf(config);
const replica = config.archive.replica!;
const EXEMPT = ["seclog-break-glass", "terraform-deploy"];

const ROLE = naming.replicationRoleArn;
const ARCHIVE = `arn:aws:s3:::${config.archive.bucketName}`;
const REPLICA = `arn:aws:s3:::${naming.replicaBucketName(VAULT_ACCOUNT)}`;
const ARCHIVE_ALIAS = naming.keyAlias("archive");
const REPLICA_ALIAS = naming.keyAlias("replica");
/** Key ids are the one value nobody can predict: placeholders. */
const ARCHIVE_KEY = `arn:aws:kms:${HOME_REGION}:${SECURITY_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const REPLICA_KEY = `arn:aws:kms:${VAULT_REGION}:${VAULT_ACCOUNT}:key/0f0e0d0c-0b0a-4908-8706-050403020100`;
const OTHER_VAULT_KEY = `arn:aws:kms:${VAULT_REGION}:${VAULT_ACCOUNT}:key/aaaabbbb-cccc-4ddd-8eee-ffff00001111`;
const REPLICA_ALIAS_ARN = `arn:aws:kms:${VAULT_REGION}:${VAULT_ACCOUNT}:alias/secops-replica`;
/** The security account's alarm topic key in the replica's region (ReplicationLatency is published there). */
const REGIONAL_ALIAS = naming.regionalKeyAlias("notifications", VAULT_REGION);
const REGIONAL_KEY = `arn:aws:kms:${VAULT_REGION}:${SECURITY_ACCOUNT}:key/5e5e5e5e-0000-4000-8000-000000000002`;
const REGIONAL_ALIAS_ARN = `arn:aws:kms:${VAULT_REGION}:${SECURITY_ACCOUNT}:${REGIONAL_ALIAS}`;

const SECURITY_ADMIN = `arn:aws:iam::${SECURITY_ACCOUNT}:role/Admin`;
const VAULT_ADMIN = `arn:aws:iam::${VAULT_ACCOUNT}:role/Admin`;
const VAULT_BREAK_GLASS = `arn:aws:iam::${VAULT_ACCOUNT}:role/seclog-break-glass`;
const SECURITY_BREAK_GLASS = `arn:aws:iam::${SECURITY_ACCOUNT}:role/seclog-break-glass`;
const root = (account: string) => `arn:aws:iam::${account}:root`;

const ALLOW_ALL: Policy = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};
const FULL_AWS_ACCESS = { name: "FullAWSAccess", policy: ALLOW_ALL };

const asPolicy = (document: PolicyDocument) => document as unknown as Policy;

/** The archive key's policy as the security stack builds it (stacks/security-stack.ts, ArchiveKey). */
function archiveKeyPolicy(locked: boolean): Policy {
  return asPolicy(
    keyPolicy({
      partition: "aws",
      accountId: SECURITY_ACCOUNT,
      serviceStatements: [
        logsEncryptionStatement({
          partition: "aws",
          region: HOME_REGION,
          accountId: SECURITY_ACCOUNT,
          logGroupNames: [naming.firehoseLogGroupName, naming.processorLogGroupName],
        }),
      ],
      locked,
    }),
  );
}

/** The replica key's policy as the vault stack builds it (stacks/vault-stack.ts, ReplicaKey). */
function replicaKeyPolicy(locked: boolean): Policy {
  return asPolicy(
    keyPolicy({
      partition: "aws",
      accountId: VAULT_ACCOUNT,
      serviceStatements: [
        replicaKeyStatement({
          partition: "aws",
          region: VAULT_REGION,
          replicaBucketArn: REPLICA,
          replicationRoleArn: ROLE,
        }),
      ],
      locked,
    }),
  );
}

interface ReplicationPolicies {
  readonly trust: Policy;
  readonly permissions: Policy;
  readonly vaultBucket: Policy;
  readonly archiveKey: { readonly locked: Policy; readonly unlocked: Policy };
  readonly replicaKey: { readonly locked: Policy; readonly unlocked: Policy };
  /** The security stack's keys that delegate to IAM (the replica region's alarm key). */
  readonly securityKey: Policy;
  /** Each account's SCP, attached to that account only. */
  readonly scp: { readonly security: Policy; readonly vault: Policy };
}

const prefixes = archivedPrefixes(config.delivery);
const securityScp = securityAccountScp(config, { exemptRoleNames: EXEMPT });
const vaultScp = vaultAccountScp(config, { exemptRoleNames: EXEMPT })!;
const POLICIES: ReplicationPolicies = {
  trust: asPolicy(replicationTrust("aws", SECURITY_ACCOUNT, ARCHIVE)),
  permissions: asPolicy(
    replicationPermissions({
      partition: "aws",
      source: { bucketArn: ARCHIVE, keyArn: ARCHIVE_KEY, region: HOME_REGION },
      destination: {
        bucketArn: REPLICA,
        region: VAULT_REGION,
        accountId: VAULT_ACCOUNT,
      },
      prefixes,
    }),
  ),
  vaultBucket: asPolicy(
    vaultBucketPolicy({ partition: "aws", bucketArn: REPLICA, replicationRoleArn: ROLE }),
  ),
  archiveKey: { locked: archiveKeyPolicy(true), unlocked: archiveKeyPolicy(false) },
  replicaKey: { locked: replicaKeyPolicy(true), unlocked: replicaKeyPolicy(false) },
  securityKey: asPolicy(keyPolicy({ partition: "aws", accountId: SECURITY_ACCOUNT })),
  scp: { security: asPolicy(securityScp), vault: asPolicy(vaultScp) },
};

const accountOf = (arn: string) => arn.split(":")[4];

/** The replication role's session: its identity policy, AWS's aws:PrincipalArn, and the resource's policy if any. */
function asRole(
  action: string,
  resource: string,
  options: {
    resourceAccount?: string;
    resourcePolicy?: (p: ReplicationPolicies) => Policy;
    context?: Record<string, string | string[]>;
  } = {},
) {
  return (p: ReplicationPolicies): Simulation =>
    request({
      principal: ROLE,
      action,
      resource,
      resourceAccount: options.resourceAccount ?? SECURITY_ACCOUNT,
      identity: p.permissions,
      resourcePolicy: options.resourcePolicy?.(p),
      context: { "aws:PrincipalArn": ROLE, ...options.context },
    });
}

/**
 * A principal whose identity policy allows everything, against a resource policy. For an account
 * root the Allow-all stands for what AWS gives the root user without any policy (every action in
 * its account, unless an SCP or a resource policy denies it): iam-simulate 0.1.173 does not model
 * the root user (DefaultServiceAuthorizer: "Add checks for: root user"), and without it would
 * answer ImplicitlyDenied for everything the key policy's `root` statement delegates to IAM.
 */
function asAdministrator(
  principal: string,
  action: string,
  resource: string,
  resourceAccount: string,
  resourcePolicy: (p: ReplicationPolicies) => Policy | undefined,
  context: Record<string, string | string[]> = {},
) {
  return (p: ReplicationPolicies): Simulation =>
    request({
      principal,
      action,
      resource,
      resourceAccount,
      identity: ALLOW_ALL,
      resourcePolicy: resourcePolicy(p),
      context: { "aws:PrincipalArn": principal, ...context },
    });
}

/**
 * The same, under the principal's account's SCP: the security account's document attached to the
 * security account, the vault's to the vault account (README, "Guard rails for the organization"),
 * none to any other. An S3 ARN names no account: its owner is given.
 */
function underScp(
  principal: string,
  action: string,
  resource: string,
  options: {
    resourceAccount?: string;
    resourcePolicy?: (p: ReplicationPolicies) => Policy;
    context?: Record<string, string | string[]>;
  } = {},
) {
  const resourceAccount = options.resourceAccount ?? accountOf(resource);
  const resourcePolicy = options.resourcePolicy ?? (() => undefined);
  const account = accountOf(principal);
  const attached = (p: ReplicationPolicies) =>
    account === SECURITY_ACCOUNT
      ? [{ name: "seclog-security", policy: p.scp.security }]
      : account === VAULT_ACCOUNT
        ? [{ name: "seclog-vault", policy: p.scp.vault }]
        : [];
  return (p: ReplicationPolicies): Simulation => ({
    ...asAdministrator(principal, action, resource, resourceAccount, resourcePolicy, options.context)(p),
    serviceControlPolicies: [
      { orgIdentifier: "r-root", policies: [FULL_AWS_ACCESS] },
      { orgIdentifier: account, policies: [FULL_AWS_ACCESS, ...attached(p)] },
    ],
  });
}

const viaS3 = (region: string, bucketArn: string, aliases?: string[]) => ({
  "kms:ViaService": `s3.${region}.amazonaws.com`,
  "kms:EncryptionContext:aws:s3:arn": bucketArn,
  ...(aliases ? { "kms:ResourceAliases": aliases } : {}),
});

const vaultBucket = (p: ReplicationPolicies) => p.vaultBucket;
const lockedArchiveKey = (p: ReplicationPolicies) => p.archiveKey.locked;
const lockedReplicaKey = (p: ReplicationPolicies) => p.replicaKey.locked;
const unlockedReplicaKey = (p: ReplicationPolicies) => p.replicaKey.unlocked;

const SOURCE_OBJECTS = [`${ARCHIVE}/events/x.gz`, `${ARCHIVE}/errors/x`];
const SOURCE_VERSION_ACTIONS = [
  "s3:GetObjectVersionForReplication",
  "s3:GetObjectVersionAcl",
  "s3:GetObjectVersionTagging",
  "s3:GetObjectRetention",
  "s3:GetObjectLegalHold",
];
const REPLICA_OBJECT = `${REPLICA}/events/x.gz`;
/** The replica bucket and its objects: owned by the vault account, under the vault bucket policy. */
const inVault = { resourceAccount: VAULT_ACCOUNT, resourcePolicy: vaultBucket };

const ROLE_ROWS: Row<ReplicationPolicies>[] = [
  ...["s3:GetReplicationConfiguration", "s3:ListBucket"].map((action): Row<ReplicationPolicies> => ({
    rule: `the replication role may ${action} on the archive bucket`,
    expected: "Allowed",
    simulation: asRole(action, ARCHIVE),
  })),
  ...SOURCE_OBJECTS.flatMap((object) =>
    SOURCE_VERSION_ACTIONS.map((action): Row<ReplicationPolicies> => ({
      rule: `the replication role may ${action} on ${object.slice(ARCHIVE.length + 1)}`,
      expected: "Allowed",
      simulation: asRole(action, object),
    })),
  ),
  ...["s3:ReplicateObject", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner"].map(
    (action): Row<ReplicationPolicies> => ({
      rule: `the replication role may ${action} into the replica (its policy and the vault bucket policy both allow)`,
      expected: "Allowed",
      simulation: asRole(action, REPLICA_OBJECT, inVault),
    }),
  ),
  {
    rule: "the replication role may read the replica bucket's versioning (both policies allow)",
    expected: "Allowed",
    simulation: asRole("s3:GetBucketVersioning", REPLICA, inVault),
  },
  {
    rule: "the replication role cannot change the replica bucket's versioning",
    expected: "Denied",
    simulation: asRole("s3:PutBucketVersioning", REPLICA, inVault),
  },
  {
    rule: "the replication role may decrypt with the archive key through S3 for the bucket (S3 Bucket Key context)",
    expected: "Allowed",
    simulation: asRole("kms:Decrypt", ARCHIVE_KEY, {
      resourcePolicy: lockedArchiveKey,
      context: viaS3(HOME_REGION, ARCHIVE, [ARCHIVE_ALIAS]),
    }),
  },
  {
    rule: "the replication role may decrypt with the archive key through S3 for an events/ object (no Bucket Key)",
    expected: "Allowed",
    simulation: asRole("kms:Decrypt", ARCHIVE_KEY, {
      resourcePolicy: lockedArchiveKey,
      context: viaS3(HOME_REGION, `${ARCHIVE}/events/x.gz`, [ARCHIVE_ALIAS]),
    }),
  },
  ...["kms:Encrypt", "kms:GenerateDataKey"].map((action): Row<ReplicationPolicies> => ({
    rule: `the replication role may ${action} with the replica key through S3 in the vault's region (both policies allow)`,
    expected: "Allowed",
    simulation: asRole(action, REPLICA_KEY, {
      resourceAccount: VAULT_ACCOUNT,
      resourcePolicy: lockedReplicaKey,
      context: viaS3(VAULT_REGION, REPLICA, [REPLICA_ALIAS]),
    }),
  })),
  {
    rule: "the replication role cannot s3:ReplicateDelete into the replica (delete markers are not replicated)",
    expected: "Denied",
    simulation: asRole("s3:ReplicateDelete", REPLICA_OBJECT, inVault),
  },
  ...["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObject"].map(
    (action): Row<ReplicationPolicies> => ({
      rule: `the replication role cannot ${action} on the archive`,
      expected: "Denied",
      simulation: asRole(action, `${ARCHIVE}/events/x.gz`),
    }),
  ),
  {
    rule: "the replication role cannot read a version outside the replicated prefixes (other/)",
    expected: "Denied",
    simulation: asRole("s3:GetObjectVersionForReplication", `${ARCHIVE}/other/x`),
  },
  {
    rule: "the replication role cannot replicate into a bucket other than the replica",
    expected: "Denied",
    simulation: asRole("s3:ReplicateObject", "arn:aws:s3:::someone-elses-bucket/events/x.gz", {
      resourceAccount: OTHER_ACCOUNT,
    }),
  },
  {
    rule: "the replication role cannot decrypt with the archive key directly (no kms:ViaService)",
    expected: "Denied",
    simulation: asRole("kms:Decrypt", ARCHIVE_KEY, {
      resourcePolicy: lockedArchiveKey,
      context: { "kms:EncryptionContext:aws:s3:arn": ARCHIVE, "kms:ResourceAliases": [ARCHIVE_ALIAS] },
    }),
  },
  {
    rule: "the replication role cannot decrypt with the archive key through S3 for another bucket",
    expected: "Denied",
    simulation: asRole("kms:Decrypt", ARCHIVE_KEY, {
      resourcePolicy: lockedArchiveKey,
      context: viaS3(HOME_REGION, "arn:aws:s3:::someone-elses-bucket", [ARCHIVE_ALIAS]),
    }),
  },
  {
    // The role's policy names every key of the vault's region (the replica key's id is not derivable):
    // the cross-account rule, that the key policy must allow too, is what leaves only the replica key.
    rule: "the replication role cannot encrypt with another vault key, whose policy does not admit it",
    expected: "Denied",
    simulation: asRole("kms:Encrypt", OTHER_VAULT_KEY, {
      resourceAccount: VAULT_ACCOUNT,
      resourcePolicy: () => asPolicy(keyPolicy({ partition: "aws", accountId: VAULT_ACCOUNT })),
      context: viaS3(VAULT_REGION, REPLICA, ["alias/team"]),
    }),
  },
  {
    rule: "the replica key itself refuses the replication role an encryption for another bucket (the vault enforces the bucket)",
    expected: "Denied",
    simulation: (p: ReplicationPolicies) =>
      request({
        principal: ROLE,
        action: "kms:Encrypt",
        resource: REPLICA_KEY,
        resourceAccount: VAULT_ACCOUNT,
        // An identity policy that would allow anything: only the key policy's condition can deny.
        identity: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
        resourcePolicy: p.replicaKey.locked,
        context: {
          "aws:PrincipalArn": ROLE,
          ...viaS3(VAULT_REGION, "arn:aws:s3:::someone-elses-bucket", [REPLICA_ALIAS]),
        },
      }),
  },
  {
    rule: "the replication role cannot encrypt with the replica key through S3 in another region",
    expected: "Denied",
    simulation: asRole("kms:Encrypt", REPLICA_KEY, {
      resourceAccount: VAULT_ACCOUNT,
      resourcePolicy: lockedReplicaKey,
      context: viaS3(HOME_REGION, REPLICA, [REPLICA_ALIAS]),
    }),
  },
  // The role's policy grants no key management, and each locked key policy denies it to everyone.
  {
    rule: "the replication role cannot schedule the archive key's deletion",
    expected: "ExplicitlyDenied",
    simulation: asRole("kms:ScheduleKeyDeletion", ARCHIVE_KEY, {
      resourcePolicy: lockedArchiveKey,
      context: { "kms:ResourceAliases": [ARCHIVE_ALIAS] },
    }),
  },
  {
    rule: "the replication role cannot schedule the replica key's deletion",
    expected: "ExplicitlyDenied",
    simulation: asRole("kms:ScheduleKeyDeletion", REPLICA_KEY, {
      resourceAccount: VAULT_ACCOUNT,
      resourcePolicy: lockedReplicaKey,
      context: { "kms:ResourceAliases": [REPLICA_ALIAS] },
    }),
  },
];

const s3Assumes = (sourceAccount: string, sourceArn: string) => (p: ReplicationPolicies) =>
  request({
    principal: "s3.amazonaws.com",
    action: "sts:AssumeRole",
    resource: ROLE,
    resourceAccount: SECURITY_ACCOUNT,
    resourcePolicy: p.trust,
    context: { "aws:SourceAccount": sourceAccount, "aws:SourceArn": sourceArn },
  });

const TRUST_ROWS: Row<ReplicationPolicies>[] = [
  {
    rule: "S3 may assume the replication role for the archive bucket of the security account",
    expected: "Allowed",
    simulation: s3Assumes(SECURITY_ACCOUNT, ARCHIVE),
  },
  {
    rule: "S3 cannot assume the replication role for another source bucket",
    expected: "Denied",
    simulation: s3Assumes(SECURITY_ACCOUNT, "arn:aws:s3:::someone-elses-bucket"),
  },
  {
    rule: "S3 cannot assume the replication role on behalf of another account",
    expected: "Denied",
    simulation: s3Assumes(OTHER_ACCOUNT, ARCHIVE),
  },
];

const VAULT_BUCKET_ROWS: Row<ReplicationPolicies>[] = [
  {
    rule: "another role of the security account, allowed everything, cannot replicate into the vault",
    expected: "ExplicitlyDenied",
    simulation: asAdministrator(
      SECURITY_ADMIN,
      "s3:ReplicateObject",
      REPLICA_OBJECT,
      VAULT_ACCOUNT,
      vaultBucket,
    ),
  },
  {
    rule: "a vault administrator cannot write an object directly into the replica",
    expected: "ExplicitlyDenied",
    simulation: asAdministrator(VAULT_ADMIN, "s3:PutObject", REPLICA_OBJECT, VAULT_ACCOUNT, vaultBucket),
  },
  {
    rule: "a vault administrator cannot replicate into the replica",
    expected: "ExplicitlyDenied",
    simulation: asAdministrator(
      VAULT_ADMIN,
      "s3:ReplicateObject",
      REPLICA_OBJECT,
      VAULT_ACCOUNT,
      vaultBucket,
    ),
  },
  {
    rule: "a vault administrator may read a replica (same account, the identity policy allows)",
    expected: "Allowed",
    simulation: asAdministrator(VAULT_ADMIN, "s3:GetObject", REPLICA_OBJECT, VAULT_ACCOUNT, vaultBucket),
  },
  {
    rule: "the replication role cannot replicate over plain HTTP",
    expected: "ExplicitlyDenied",
    simulation: asRole("s3:ReplicateObject", REPLICA_OBJECT, {
      ...inVault,
      context: { "aws:SecureTransport": "false" },
    }),
  },
];

const LOCK_ACTIONS = ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"];
const STILL_ALLOWED = ["kms:EnableKeyRotation", "kms:Decrypt", "kms:TagResource"];
const KEYS = [
  {
    name: "archive key",
    arn: ARCHIVE_KEY,
    account: SECURITY_ACCOUNT,
    admin: SECURITY_ADMIN,
    alias: ARCHIVE_ALIAS,
    policies: (p: ReplicationPolicies) => p.archiveKey,
  },
  {
    name: "replica key",
    arn: REPLICA_KEY,
    account: VAULT_ACCOUNT,
    admin: VAULT_ADMIN,
    alias: REPLICA_ALIAS,
    policies: (p: ReplicationPolicies) => p.replicaKey,
  },
];

const LOCK_ROWS: Row<ReplicationPolicies>[] = KEYS.flatMap((key) => {
  const onKey = (principal: string, action: string, locked: boolean) =>
    asAdministrator(
      principal,
      action,
      key.arn,
      key.account,
      (p) => (locked ? key.policies(p).locked : key.policies(p).unlocked),
      { "kms:ResourceAliases": [key.alias] },
    );
  return [
    ...LOCK_ACTIONS.flatMap((action): Row<ReplicationPolicies>[] => [
      {
        rule: `an administrator of the ${key.name}'s account cannot ${action} on the locked ${key.name}`,
        expected: "ExplicitlyDenied",
        simulation: onKey(key.admin, action, true),
      },
      {
        rule: `the account root cannot ${action} on the locked ${key.name}`,
        expected: "ExplicitlyDenied",
        simulation: onKey(root(key.account), action, true),
      },
    ]),
    ...STILL_ALLOWED.map((action): Row<ReplicationPolicies> => ({
      rule: `an administrator may still ${action} on the locked ${key.name}`,
      expected: "Allowed",
      simulation: onKey(key.admin, action, true),
    })),
    {
      rule: `the account root may still kms:EnableKeyRotation on the locked ${key.name}`,
      expected: "Allowed",
      simulation: onKey(root(key.account), "kms:EnableKeyRotation", true),
    },
    {
      rule: `without the lock (GOVERNANCE), an administrator may schedule the ${key.name}'s deletion`,
      expected: "Allowed",
      simulation: onKey(key.admin, "kms:ScheduleKeyDeletion", false),
    },
  ];
});

/** The key policy without the lock (GOVERNANCE): what denies here is the SCP. */
const onUnlockedReplicaKey = {
  resourcePolicy: unlockedReplicaKey,
  context: { "kms:ResourceAliases": [REPLICA_ALIAS] },
};
/**
 * Every vault action the SCP denies, from the lists the SCP itself is built of, with the resource it
 * acts on and what the request carries. An alias has no policy of its own: IAM alone decides the alias
 * half of an alias request (the key half is not what the SCP denies).
 */
const VAULT_GUARDED: Array<[string, string, "bucket" | "object" | "key" | "alias"]> = [
  ...ARCHIVE_BUCKET_ACTIONS.map((a): [string, string, "bucket"] => [a, REPLICA, "bucket"]),
  ...ARCHIVE_OBJECT_ACTIONS.map((a): [string, string, "object"] => [a, REPLICA_OBJECT, "object"]),
  ...KEY_ACTIONS.map((a): [string, string, "key"] => [a, REPLICA_KEY, "key"]),
  ...ALIAS_ACTIONS.map((a): [string, string, "alias"] => [a, REPLICA_ALIAS_ARN, "alias"]),
];
const vaultRequest = (kind: "bucket" | "object" | "key" | "alias") =>
  kind === "key" ? onUnlockedReplicaKey : kind === "alias" ? {} : inVault;
const securityKey = (p: ReplicationPolicies) => p.securityKey;
const REGIONAL_GUARDED: Array<[string, string, "key" | "alias"]> = [
  ...KEY_ACTIONS.map((a): [string, string, "key"] => [a, REGIONAL_KEY, "key"]),
  ...ALIAS_ACTIONS.map((a): [string, string, "alias"] => [a, REGIONAL_ALIAS_ARN, "alias"]),
];
const regionalRequest = (kind: "key" | "alias") =>
  kind === "key" ? { resourcePolicy: securityKey, context: { "kms:ResourceAliases": [REGIONAL_ALIAS] } } : {};
const SCP_ROWS: Row<ReplicationPolicies>[] = [
  ...VAULT_GUARDED.map(([action, resource, kind]): Row<ReplicationPolicies> => ({
    rule: `under the SCP, a vault administrator cannot ${action} on the replica ${kind}${kind === "key" ? ", even unlocked" : ""}`,
    expected: "ExplicitlyDenied",
    simulation: underScp(VAULT_ADMIN, action, resource, vaultRequest(kind)),
  })),
  ...VAULT_GUARDED.map(([action, resource, kind]): Row<ReplicationPolicies> => ({
    rule: `under the SCP, the vault's break-glass role may ${action} on the replica ${kind}${kind === "key" ? " (unlocked)" : ""}`,
    expected: "Allowed",
    simulation: underScp(VAULT_BREAK_GLASS, action, resource, vaultRequest(kind)),
  })),
  {
    rule: "under the SCP, the vault account's root user cannot delete the replica key's alias",
    expected: "ExplicitlyDenied",
    simulation: underScp(root(VAULT_ACCOUNT), "kms:DeleteAlias", REPLICA_ALIAS_ARN),
  },
  ...ROLE_ACTIONS.map((action): Row<ReplicationPolicies> => ({
    rule: `under the SCP, a security-account administrator cannot ${action} on the replication role`,
    expected: "ExplicitlyDenied",
    simulation: underScp(SECURITY_ADMIN, action, ROLE),
  })),
  ...ROLE_ACTIONS.map((action): Row<ReplicationPolicies> => ({
    rule: `under the SCP, the security account's break-glass role may ${action} on the replication role`,
    expected: "Allowed",
    simulation: underScp(SECURITY_BREAK_GLASS, action, ROLE),
  })),
  ...["s3:PutBucketPolicy", "s3:DeleteBucket"].map((action): Row<ReplicationPolicies> => ({
    rule: `under the SCP, a vault administrator may still ${action} on an unrelated bucket of the vault account`,
    expected: "Allowed",
    simulation: underScp(VAULT_ADMIN, action, `arn:aws:s3:::team-scratch-${VAULT_ACCOUNT}`, {
      resourceAccount: VAULT_ACCOUNT,
    }),
  })),
  {
    rule: "under the SCP, a vault administrator may still disable a vault key without the replica alias",
    expected: "Allowed",
    simulation: underScp(VAULT_ADMIN, "kms:DisableKey", OTHER_VAULT_KEY, {
      resourcePolicy: unlockedReplicaKey,
      context: { "kms:ResourceAliases": ["alias/team"] },
    }),
  },
  ...ALIAS_ACTIONS.map((action): Row<ReplicationPolicies> => ({
    rule: `under the SCP, a vault administrator may still ${action} on another alias of the vault account`,
    expected: "Allowed",
    simulation: underScp(VAULT_ADMIN, action, `arn:aws:kms:${VAULT_REGION}:${VAULT_ACCOUNT}:alias/team`),
  })),
  // The security stack's alarm key in the replica's region, outside the home region the other keys share.
  ...REGIONAL_GUARDED.flatMap(([action, resource, kind]): Row<ReplicationPolicies>[] => [
    {
      rule: `under the security account's SCP, an administrator cannot ${action} on the replica region's alarm ${kind}`,
      expected: "ExplicitlyDenied",
      simulation: underScp(SECURITY_ADMIN, action, resource, regionalRequest(kind)),
    },
    {
      rule: `under the security account's SCP, the break-glass role may ${action} on the replica region's alarm ${kind}`,
      expected: "Allowed",
      simulation: underScp(SECURITY_BREAK_GLASS, action, resource, regionalRequest(kind)),
    },
  ]),
  {
    rule: "under the security account's SCP, the account root cannot delete the replica region's alarm key alias",
    expected: "ExplicitlyDenied",
    simulation: underScp(root(SECURITY_ACCOUNT), "kms:DeleteAlias", REGIONAL_ALIAS_ARN),
  },
  {
    rule: "under the security account's SCP, an administrator may still disable another key of the replica's region",
    expected: "Allowed",
    simulation: underScp(
      SECURITY_ADMIN,
      "kms:DisableKey",
      `arn:aws:kms:${VAULT_REGION}:${SECURITY_ACCOUNT}:key/aaaabbbb-cccc-4ddd-8eee-ffff00002222`,
      { resourcePolicy: securityKey, context: { "kms:ResourceAliases": ["alias/team"] } },
    ),
  },
  {
    rule: "under the security account's SCP, an administrator may still delete the alias of that name in another region",
    expected: "Allowed",
    simulation: underScp(
      SECURITY_ADMIN,
      "kms:DeleteAlias",
      `arn:aws:kms:eu-west-1:${SECURITY_ACCOUNT}:${REGIONAL_ALIAS}`,
    ),
  },
];

describe("the replication policies, as data", () => {
  test("the config's names are the naming's", () => {
    expect(replica.bucketName).toBe(naming.replicaBucketName(VAULT_ACCOUNT));
    expect(ROLE).toBe(`arn:aws:iam::${SECURITY_ACCOUNT}:role/secops-logs-replication`);
    expect(REPLICA).toBe(`arn:aws:s3:::secops-security-logs-replica-${VAULT_ACCOUNT}`);
    expect(REPLICA_ALIAS).toBe("alias/secops-replica");
    expect(prefixes).toEqual(["events/", "errors/"]);
  });

  test("the locked key policies end with the lock, and only COMPLIANCE locks them", () => {
    for (const key of [POLICIES.archiveKey, POLICIES.replicaKey]) {
      expect(key.locked.Statement.at(-1)).toEqual({
        Sid: KEY_LOCK_SID,
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: ["kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
        Resource: "*",
      });
      expect(key.unlocked.Statement.map((s) => s.Sid)).not.toContain(KEY_LOCK_SID);
    }
  });
});

describe("the SCPs with archive.replica: one document per account", () => {
  const exemptIn = (account: string) => EXEMPT.map((name) => `arn:aws:iam::${account}:role/${name}`);
  const byId = (document: PolicyDocument, sid: string) => document.Statement.find((s) => s.Sid === sid)!;

  test("the vault account's document, exactly: the replica bucket, its objects, key and alias; the vault's exempt roles", () => {
    const unless = { ArnNotLike: { "aws:PrincipalArn": exemptIn(VAULT_ACCOUNT) } };
    expect(vaultScp).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ProtectReplica",
          Effect: "Deny",
          Action: [...ARCHIVE_BUCKET_ACTIONS, ...ARCHIVE_OBJECT_ACTIONS],
          Resource: [REPLICA, `${REPLICA}/*`],
          Condition: unless,
        },
        {
          Sid: "ProtectReplicaKey",
          Effect: "Deny",
          Action: KEY_ACTIONS,
          Resource: [`arn:aws:kms:${VAULT_REGION}:${VAULT_ACCOUNT}:key/*`],
          Condition: {
            ...unless,
            "ForAnyValue:StringEquals": { "kms:ResourceAliases": ["alias/secops-replica"] },
          },
        },
        {
          Sid: "ProtectReplicaKeyAlias",
          Effect: "Deny",
          Action: ALIAS_ACTIONS,
          // The replication configuration encrypts replicas with the key this alias names.
          Resource: [REPLICA_ALIAS_ARN],
          Condition: unless,
        },
      ],
    });
    expect(REPLICA_ALIAS_ARN).toBe(naming.replicaKeyAliasArn(VAULT_ACCOUNT, VAULT_REGION));
  });

  test("the security account's document: its own resources, the replication role and the replica region's alarm key; its exempt roles", () => {
    expect(securityScp.Statement.map((s) => s.Sid)).toEqual([
      "ProtectArchive",
      "ProtectKeys",
      "ProtectKeyAliases",
      "ProtectPipeline",
      "ProtectPipelineRoles",
    ]);
    for (const statement of securityScp.Statement) {
      expect(statement.Effect).toBe("Deny");
      expect(statement.Condition!.ArnNotLike).toEqual({ "aws:PrincipalArn": exemptIn(SECURITY_ACCOUNT) });
    }
    expect(JSON.stringify(securityScp)).not.toContain(VAULT_ACCOUNT);
    expect(byId(securityScp, "ProtectArchive").Resource).toEqual([ARCHIVE, `${ARCHIVE}/*`]);
    expect(byId(securityScp, "ProtectKeys")).toMatchObject({
      Resource: [`arn:aws:kms:*:${SECURITY_ACCOUNT}:key/*`],
      Condition: {
        "ForAnyValue:StringEquals": {
          "kms:ResourceAliases": [
            "alias/secops-archive",
            "alias/secops-stream",
            "alias/secops-notifications",
            "alias/secops-search-results",
            REGIONAL_ALIAS,
          ],
        },
      },
    });
    expect(REGIONAL_ALIAS).toBe("alias/secops-notifications-us-west-2");
    expect(byId(securityScp, "ProtectKeyAliases").Resource).toEqual([
      `arn:aws:kms:${HOME_REGION}:${SECURITY_ACCOUNT}:alias/secops-archive`,
      `arn:aws:kms:${HOME_REGION}:${SECURITY_ACCOUNT}:alias/secops-stream`,
      `arn:aws:kms:${HOME_REGION}:${SECURITY_ACCOUNT}:alias/secops-notifications`,
      `arn:aws:kms:${HOME_REGION}:${SECURITY_ACCOUNT}:alias/secops-search-results`,
      REGIONAL_ALIAS_ARN,
    ]);
    expect(byId(securityScp, "ProtectPipelineRoles").Resource).toContain(ROLE);
  });

  test("the simulated vault rows cover every action of the vault's document", () => {
    const inDocument = vaultScp.Statement.flatMap((statement) => [statement.Action].flat());
    expect(VAULT_GUARDED.map(([action]) => action).sort()).toEqual([...new Set(inDocument)].sort());
    expect(VAULT_GUARDED).toHaveLength(21);
  });

  test("each fits the SCP size quota, as printed", () => {
    expect(scpSize(securityScp)).toBeLessThanOrEqual(SCP_MAX_BYTES);
    expect(scpSize(vaultScp)).toBeLessThanOrEqual(SCP_MAX_BYTES);
  });

  test("without archive.replica there is no vault document", () => {
    expect(
      vaultAccountScp(parseConfig(baseConfig(), "base.json"), { exemptRoleNames: EXEMPT }),
    ).toBeUndefined();
  });
});

describe("IAM simulation: the replication role", () => {
  simulateRows("%s", ROLE_ROWS, POLICIES);
});

describe("IAM simulation: the replication role's trust", () => {
  simulateRows("%s", TRUST_ROWS, POLICIES);
});

describe("IAM simulation: the vault bucket policy", () => {
  simulateRows("%s", VAULT_BUCKET_ROWS, POLICIES);
});

describe("IAM simulation: the locked key policies", () => {
  simulateRows("%s", LOCK_ROWS, POLICIES);
});

describe("IAM simulation: the SCP with the replica", () => {
  simulateRows("%s", SCP_ROWS, POLICIES);
});
