import { PolicyDocument, PolicyStatement, policyDocument, policySize } from "./iam/policy";
import { denyInsecureTransport } from "./iam/s3";
import { viaService } from "./partition";

/**
 * Who may reach which Terraform state object in the S3 state bucket, as pure
 * policy builders: the `state` stack's per-stack roles (bootstrap) and
 * `npm run state-policy` (an existing bucket) both use them.
 *
 * The actions are exactly what Terraform's S3 backend documents
 * (hashicorp/terraform, website/docs/language/backend/s3.mdx, "Permissions
 * Required" and "Protecting Access to Workspace State"):
 * - `s3:ListBucket` on the bucket, "at a minimum ... the path where the state
 *   is stored": the docs' own example scopes it with `s3:prefix` equal to the
 *   key. Terraform lists the workspace prefix `env:/` and, since 1.7
 *   (hashicorp/terraform#34511), ignores AccessDenied there when
 *   `workspace_key_prefix` is not set, which these backends never set.
 * - `s3:GetObject` and `s3:PutObject` on the state object; no `s3:DeleteObject`
 *   there ("Terraform does not delete it").
 * - with `use_lockfile`: `s3:GetObject`, `s3:PutObject` and `s3:DeleteObject`
 *   on the lock object `<key>.tflock`.
 * - with `kms_key_id`: `kms:Encrypt`, `kms:Decrypt` and `kms:GenerateDataKey`
 *   on the key.
 */

/** S3's limit on a bucket policy: 20 KB. */
export const BUCKET_POLICY_MAX_BYTES = 20 * 1024;

export const STATE_OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject"] as const;
export const LOCK_OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] as const;
export const STATE_KEY_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"] as const;

/** Where the states live: the bucket and the prefix every stack's key is under. */
export interface StateLocation {
  readonly partition: string;
  readonly bucket: string;
  /** Region of the bucket: S3 calls KMS from there (`kms:ViaService`). */
  readonly region: string;
  readonly keyPrefix: string;
}

/** `<keyPrefix>/<stack>.tfstate`: the key attachBackend gives the stack. */
export function stateKey(keyPrefix: string, stack: string): string {
  return `${keyPrefix}/${stack}.tfstate`;
}

/** The S3-native lock object (`use_lockfile`): the state key plus `.tflock`. */
export function lockKey(keyPrefix: string, stack: string): string {
  return `${stateKey(keyPrefix, stack)}.tflock`;
}

export function bucketArn(location: Pick<StateLocation, "partition" | "bucket">): string {
  return `arn:${location.partition}:s3:::${location.bucket}`;
}

export function accountRoot(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

/** The three statements one stack needs on the bucket, optionally for a principal (a bucket policy). */
function stackObjectStatements(
  location: StateLocation,
  stack: string,
  sids: { list: string; state: string; lock: string },
  principal?: string,
): PolicyStatement[] {
  const bucket = bucketArn(location);
  const who = principal ? { Principal: { AWS: principal } } : {};
  return [
    {
      Sid: sids.list,
      Effect: "Allow",
      ...who,
      Action: "s3:ListBucket",
      Resource: bucket,
      Condition: { StringEquals: { "s3:prefix": stateKey(location.keyPrefix, stack) } },
    },
    {
      Sid: sids.state,
      Effect: "Allow",
      ...who,
      Action: [...STATE_OBJECT_ACTIONS],
      Resource: `${bucket}/${stateKey(location.keyPrefix, stack)}`,
    },
    {
      Sid: sids.lock,
      Effect: "Allow",
      ...who,
      Action: [...LOCK_OBJECT_ACTIONS],
      Resource: `${bucket}/${lockKey(location.keyPrefix, stack)}`,
    },
  ];
}

export interface StateRolePolicyProps {
  readonly location: StateLocation;
  readonly stack: string;
  /** The bootstrapped state key's ARN (a Terraform reference at synth); omitted with SSE-S3. */
  readonly kmsKeyArn?: string;
}

/**
 * The inline policy of `<prefix>-tfstate-<stack>`: its own state object and
 * lock, and the state key only through S3 for this bucket. The bootstrapped
 * bucket uses S3 Bucket Keys, so the encryption context S3 sends KMS is the
 * bucket ARN, not the object ARN (AWS S3 User Guide, "Configuring your bucket
 * to use an S3 Bucket Key": "the encryption context will be the bucket Amazon
 * Resource Name (ARN) and not the object ARN"); which stack's object is
 * encrypted is decided by S3 object permissions above, not by KMS.
 */
export function stateRolePolicy(props: StateRolePolicyProps): PolicyDocument {
  const statements = stackObjectStatements(props.location, props.stack, {
    list: "ListOwnStateKey",
    state: "ReadWriteOwnState",
    lock: "LockOwnState",
  });
  if (props.kmsKeyArn) {
    statements.push({
      Sid: "UseStateKeyThroughS3",
      Effect: "Allow",
      Action: [...STATE_KEY_ACTIONS],
      Resource: props.kmsKeyArn,
      Condition: {
        StringEquals: {
          // s3.<region>.amazonaws.com in every partition, aws-cn included (./partition.ts).
          "kms:ViaService": viaService("s3", props.location.region),
          "kms:EncryptionContext:aws:s3:arn": bucketArn(props.location),
        },
      },
    });
  }
  return policyDocument(...statements);
}

/** Only the application account the stack belongs to may assume its state role. */
export function stateRoleTrust(partition: string, accountId: string): PolicyDocument {
  return policyDocument({
    Sid: "ApplicationAccountAssumes",
    Effect: "Allow",
    Principal: { AWS: accountRoot(partition, accountId) },
    Action: "sts:AssumeRole",
  });
}

export interface StackAccount {
  readonly stack: string;
  readonly accountId: string;
}

/**
 * For a bucket this app does not create: a bucket policy that lets each
 * application account (its root, i.e. whichever of its identities its own
 * IAM allows) reach exactly its own stack's state object and lock, one
 * statement set per account, with the bucket's TLS-only deny. Sids carry the
 * account id (stack names may hold hyphens, which Sids may not).
 */
export function existingBucketPolicy(
  location: StateLocation,
  accounts: readonly StackAccount[],
): PolicyDocument {
  return policyDocument(
    denyInsecureTransport(bucketArn(location)),
    ...accounts.flatMap(({ stack, accountId }) =>
      stackObjectStatements(
        location,
        stack,
        {
          list: `ListStateKey${accountId}`,
          state: `ReadWriteState${accountId}`,
          lock: `LockState${accountId}`,
        },
        accountRoot(location.partition, accountId),
      ),
    ),
  );
}

/**
 * For an existing bucket encrypted with a customer-managed key: the statement
 * to add to that key's policy. Cross-account KMS use needs the key policy to
 * admit the account; the key is only usable through S3 for this bucket, so S3
 * object permissions still decide which state an account reaches. The
 * encryption context is the bucket ARN with S3 Bucket Keys, the object ARN
 * without; both are admitted, objects only under the key prefix.
 */
export function existingKeyPolicyStatements(
  location: StateLocation,
  accountIds: readonly string[],
): PolicyStatement[] {
  if (accountIds.length === 0) return [];
  const bucket = bucketArn(location);
  return [
    {
      Sid: "ApplicationAccountsUseStateKeyThroughS3",
      Effect: "Allow",
      Principal: { AWS: accountIds.map((id) => accountRoot(location.partition, id)) },
      Action: [...STATE_KEY_ACTIONS],
      Resource: "*",
      Condition: {
        StringEquals: { "kms:ViaService": viaService("s3", location.region) },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucket, `${bucket}/${location.keyPrefix}/*`] },
      },
    },
  ];
}

/** The size S3 measures a bucket policy at, against BUCKET_POLICY_MAX_BYTES. */
export function bucketPolicyBytes(policy: PolicyDocument): number {
  return policySize(policy);
}
