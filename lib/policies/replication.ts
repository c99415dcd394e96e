/**
 * The policies of cross-account replication into the vault, as data: the
 * replication role's trust and permissions (security account), the vault
 * bucket's policy and the replica key's grant (vault account). Every ARN is
 * derived from the config (lib/naming.ts), so neither account reads the
 * other's state, and the vault stack can be applied first.
 *
 * What AWS documents for replicating SSE-KMS objects to another account
 * (Amazon S3 User Guide, "Replicating encrypted objects", and "Configuring
 * replication for buckets in different accounts",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-walkthrough-2.html):
 * the role reads the replication configuration and the source versions with
 * their ACL and tags; replicates objects and tags to the destination (and
 * `s3:ObjectOwnerOverrideToBucketOwner` when the owner changes); decrypts
 * with the source key and encrypts with the replica key (`kms:Encrypt`, and
 * `kms:GenerateDataKey` for the replica bucket's S3 Bucket Key), each only when S3
 * asks (`kms:ViaService`) and for the bucket's encryption context ("If you
 * enable S3 Bucket Keys for the source and destination bucket, the
 * encryption context will be the bucket Amazon Resource Name (ARN) and not
 * the object ARN"; both buckets use Bucket Keys, and the object form is kept
 * for versions written without one). The destination account's bucket policy
 * and key policy must admit the role as well.
 */
import { PolicyDocument, policyDocument, PolicyStatement } from "../iam/policy";
import { denyInsecureTransport } from "../iam/s3";
import { Partition } from "../config/regions";
import { servicePrincipal, viaService } from "../partition";

/** One bucket of the replication, with its key and region. */
export interface ReplicationEnd {
  readonly bucketArn: string;
  readonly region: string;
}

export interface ReplicationPolicyProps {
  readonly partition: Partition;
  /** The archive, and the ARN of its key. */
  readonly source: ReplicationEnd & { readonly keyArn: string };
  /** The replica bucket, in the vault account. */
  readonly destination: ReplicationEnd & { readonly accountId: string };
  /** The archive prefixes replicated (`events/`, `errors/`, ...). */
  readonly prefixes: readonly string[];
}

/** Read on the source; what S3 needs to replicate a version, including its Object Lock retention and legal hold. */
export const SOURCE_VERSION_ACTIONS = [
  "s3:GetObjectLegalHold",
  "s3:GetObjectRetention",
  "s3:GetObjectVersionAcl",
  "s3:GetObjectVersionForReplication",
  "s3:GetObjectVersionTagging",
];

/**
 * Written on the destination. No `s3:ReplicateDelete`: delete markers are not
 * replicated (a delete in the security account never reaches the vault).
 */
export const REPLICA_WRITE_ACTIONS = [
  "s3:ObjectOwnerOverrideToBucketOwner",
  "s3:ReplicateObject",
  "s3:ReplicateTags",
];

/**
 * S3 replication assumes the role. `aws:SourceAccount` and `aws:SourceArn`
 * keep another account's bucket from using it (IAM User Guide, "The confused
 * deputy problem", https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 */
export function replicationTrust(
  partition: Partition,
  accountId: string,
  sourceBucketArn: string,
): PolicyDocument {
  return policyDocument({
    Sid: "S3ReplicatesTheArchive",
    Effect: "Allow",
    Principal: { Service: servicePrincipal("s3", partition) },
    Action: "sts:AssumeRole",
    Condition: {
      StringEquals: { "aws:SourceAccount": accountId },
      ArnEquals: { "aws:SourceArn": sourceBucketArn },
    },
  });
}

export function replicationPermissions(props: ReplicationPolicyProps): PolicyDocument {
  const { source, destination, prefixes } = props;
  const objects = (bucketArn: string) => prefixes.map((prefix) => `${bucketArn}/${prefix}*`);
  return policyDocument(
    {
      Sid: "ReadTheReplicationConfiguration",
      Effect: "Allow",
      Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
      Resource: source.bucketArn,
    },
    {
      Sid: "ReadSourceVersions",
      Effect: "Allow",
      Action: SOURCE_VERSION_ACTIONS,
      Resource: objects(source.bucketArn),
    },
    {
      // AWS's cross-account example grants it in the destination bucket's policy
      // (vaultBucketPolicy); across accounts the role's own policy must allow it too.
      Sid: "ReadReplicaVersioning",
      Effect: "Allow",
      Action: "s3:GetBucketVersioning",
      Resource: destination.bucketArn,
    },
    {
      Sid: "WriteReplicas",
      Effect: "Allow",
      Action: REPLICA_WRITE_ACTIONS,
      Resource: objects(destination.bucketArn),
    },
    {
      Sid: "DecryptSourceThroughS3",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: source.keyArn,
      Condition: {
        StringEquals: { "kms:ViaService": viaService("s3", source.region) },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": encryptionContexts(source.bucketArn, prefixes) },
      },
    },
    {
      Sid: "EncryptReplicasThroughS3",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
      // The vault's key id is not known here (Terraform picks it in the vault account),
      // so any key of the vault's region, through S3, for the replica bucket. Across
      // accounts the key's own policy must allow the request as well, and only the
      // replica key's does (replicaKeyStatement): that is what narrows it to one key.
      Resource: `arn:${props.partition}:kms:${destination.region}:${destination.accountId}:key/*`,
      Condition: {
        StringEquals: { "kms:ViaService": viaService("s3", destination.region) },
        StringLike: {
          "kms:EncryptionContext:aws:s3:arn": encryptionContexts(destination.bucketArn, prefixes),
        },
      },
    },
  );
}

/** The bucket ARN (S3 Bucket Keys) and the replicated objects' ARNs (a version written without one). */
function encryptionContexts(bucketArn: string, prefixes: readonly string[]): string[] {
  return [bucketArn, ...prefixes.map((prefix) => `${bucketArn}/${prefix}*`)];
}

/**
 * The role, named by its account root with `aws:PrincipalArn`: KMS and S3
 * reject a policy whose principal does not exist yet ("The principals in the
 * key policy must exist and be visible to AWS KMS", AWS KMS API Reference,
 * PutKeyPolicy; S3 answers "Invalid principal in policy"),
 * and the vault is applied before the security stack creates the role. The
 * root principal always exists, and the condition still admits that one role
 * only (IAM User Guide, "AWS global condition context keys", aws:PrincipalArn,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
 */
function onlyTheRole(partition: Partition, roleArn: string) {
  const accountId = roleArn.split(":")[4];
  return {
    Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
    Condition: { ArnEquals: { "aws:PrincipalArn": roleArn } },
  };
}

export interface VaultBucketPolicyProps {
  readonly partition: Partition;
  readonly bucketArn: string;
  /** The security account's replication role (Naming.replicationRoleArn). */
  readonly replicationRoleArn: string;
}

/**
 * TLS only; the replication role may replicate objects and tags; nobody
 * else may write a replica, and nobody at all writes objects directly: every
 * object in the vault arrived by replication from the archive.
 */
export function vaultBucketPolicy(props: VaultBucketPolicyProps): PolicyDocument {
  const objects = `${props.bucketArn}/*`;
  return policyDocument(
    denyInsecureTransport(props.bucketArn),
    {
      Sid: "ReplicationRoleWritesReplicas",
      Effect: "Allow",
      ...onlyTheRole(props.partition, props.replicationRoleArn),
      Action: REPLICA_WRITE_ACTIONS,
      Resource: objects,
    },
    {
      Sid: "ReplicationRoleReadsVersioning",
      Effect: "Allow",
      ...onlyTheRole(props.partition, props.replicationRoleArn),
      // Not s3:PutBucketVersioning, which AWS's example also grants: Object Lock keeps
      // versioning on for good, and the security account has no business changing it.
      Action: "s3:GetBucketVersioning",
      Resource: props.bucketArn,
    },
    {
      Sid: "OnlyTheReplicationRoleReplicates",
      Effect: "Deny",
      Principal: "*",
      Action: [...REPLICA_WRITE_ACTIONS, "s3:ReplicateDelete"],
      Resource: objects,
      Condition: { ArnNotEquals: { "aws:PrincipalArn": props.replicationRoleArn } },
    },
    {
      Sid: "NoDirectWrites",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:PutObject",
      Resource: objects,
    },
  );
}

export interface ReplicaKeyStatementProps {
  readonly partition: Partition;
  /** The vault's region (the key's and the replica bucket's). */
  readonly region: string;
  readonly replicaBucketArn: string;
  readonly replicationRoleArn: string;
}

/**
 * The replica key's statement for the replication role: encrypt, through S3
 * in the vault's region, for the replica bucket only (the vault enforces this
 * itself, whatever the security account's role policy says), nothing else.
 */
export function replicaKeyStatement(props: ReplicaKeyStatementProps): PolicyStatement {
  const role = onlyTheRole(props.partition, props.replicationRoleArn);
  return {
    Sid: "ReplicationRoleEncryptsReplicas",
    Effect: "Allow",
    Principal: role.Principal,
    Action: ["kms:Encrypt", "kms:GenerateDataKey"],
    Resource: "*",
    Condition: {
      ...role.Condition,
      StringEquals: { "kms:ViaService": viaService("s3", props.region) },
      StringLike: {
        "kms:EncryptionContext:aws:s3:arn": [props.replicaBucketArn, `${props.replicaBucketArn}/*`],
      },
    },
  };
}
