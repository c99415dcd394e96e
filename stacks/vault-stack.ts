import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { ReplicaSettings, SecLogConfig } from "../lib/config/model";
import { Naming } from "../lib/naming";
import { replicaKeyStatement, vaultBucketPolicy } from "../lib/policies/replication";
import { EncryptionKey } from "../modules/encryption-key";
import { ArchiveBucket } from "../modules/archive-bucket";
import { accountProviders, workloadRoleArn } from "./providers";
import { attachBackend } from "./backend";

export const VAULT_STACK_NAME = "vault";

/**
 * The vault account (`archive.replica`): a second, locked copy of the
 * archive that survives the loss of the security account. The replica bucket
 * (versioned, Object Lock always on, the archive's lifecycle, private,
 * TLS-only, owner-enforced, protected from destroy) and its own key, which
 * only the security account's replication role may encrypt with, through
 * S3. Applied before the security stack: the replication configuration
 * there fails unless this bucket exists, versioned.
 */
export class VaultStack extends TerraformStack {
  constructor(scope: Construct, config: SecLogConfig, naming: Naming, replica: ReplicaSettings) {
    super(scope, VAULT_STACK_NAME);
    attachBackend(this, VAULT_STACK_NAME, config.state, {
      applicationRoleArn: naming.stateRoleArn(VAULT_STACK_NAME),
    });
    const provider = accountProviders(this, {
      accountId: replica.accountId,
      regions: [replica.region],
      roleArn: workloadRoleArn(config, replica.roleArn),
      tags: config.tags,
      sessionName: `${config.prefix}-seclog`,
    }).get(replica.region)!;
    const partition = config.partition;
    const bucketArn = naming.replicaBucketArn(replica.accountId);
    const key = new EncryptionKey(this, "ReplicaKey", {
      provider,
      partition,
      accountId: replica.accountId,
      alias: naming.keyAlias("replica"),
      description: `${naming.pipeline}: the vault's replica of the archive`,
      serviceStatements: [
        replicaKeyStatement({
          partition,
          region: replica.region,
          replicaBucketArn: bucketArn,
          replicationRoleArn: naming.replicationRoleArn,
        }),
      ],
      locked: replica.objectLock.mode === "COMPLIANCE",
    });
    const bucket = new ArchiveBucket(this, "Replica", {
      provider,
      bucketName: replica.bucketName,
      kmsKeyArn: key.arn,
      glacierAfterDays: config.archive.glacierAfterDays,
      expireAfterDays: config.archive.expireAfterDays,
      objectLock: replica.objectLock,
      policy: vaultBucketPolicy({ partition, bucketArn, replicationRoleArn: naming.replicationRoleArn }),
    });
    new TerraformOutput(this, "replica_bucket", {
      value: bucket.name,
      description: "S3 bucket holding the vault's replica of the archive",
    });
    new TerraformOutput(this, "replica_key_arn", {
      value: key.arn,
      description: "KMS key of the replica",
    });
  }
}
