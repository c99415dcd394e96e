/**
 * Security rules for synthesized resources, one pure function each: given a
 * resource's Terraform attributes, return why it breaks the rule, or nothing.
 * The pack (pack.ts) applies them to every resource at synth time, so the
 * same rules guard anyone who extends the stacks.
 */
export interface ResourceView {
  /** Terraform resource type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  /** Attributes as Terraform receives them (snake_case; references may be unresolved tokens). */
  readonly attributes: Readonly<Record<string, any>>;
}

export interface Rule {
  readonly id: string;
  readonly description: string;
  readonly check: (resource: ResourceView) => string | undefined;
}

type Statement = Record<string, any>;

function statementsOf(policy: unknown): Statement[] {
  if (typeof policy !== "string") return [];
  try {
    const parsed = JSON.parse(policy);
    return [parsed.Statement ?? []].flat();
  } catch {
    return [];
  }
}

const list = (value: unknown): unknown[] => (value === undefined ? [] : [value].flat());
const first = (value: unknown): Record<string, any> | undefined =>
  Array.isArray(value) ? value[0] : (value as Record<string, any>);
const onType =
  (type: string, check: (attributes: Readonly<Record<string, any>>) => string | undefined) =>
  (resource: ResourceView) => (resource.type === type ? check(resource.attributes) : undefined);

export const bucketPreventDestroy: Rule = {
  id: "S3_BUCKET_PREVENT_DESTROY",
  description: "S3 buckets hold evidence: lifecycle.prevent_destroy must be set and force_destroy must not",
  check: onType("aws_s3_bucket", (a) => {
    if (a.lifecycle?.prevent_destroy !== true) return "bucket lacks lifecycle { prevent_destroy = true }";
    if (a.force_destroy === true) return "force_destroy = true would delete every object with the bucket";
    return undefined;
  }),
};

export const publicAccessBlockAll: Rule = {
  id: "S3_PUBLIC_ACCESS_BLOCK_ALL",
  description: "S3 public access blocks turn on all four settings",
  check: onType("aws_s3_bucket_public_access_block", (a) => {
    const off = [
      "block_public_acls",
      "block_public_policy",
      "ignore_public_acls",
      "restrict_public_buckets",
    ].filter((k) => a[k] !== true);
    return off.length ? `${off.join(", ")} not true` : undefined;
  }),
};

export const bucketEncryptionKms: Rule = {
  id: "S3_SSE_KMS",
  description: "S3 default encryption uses a KMS key",
  check: onType("aws_s3_bucket_server_side_encryption_configuration", (a) => {
    const algorithms = list(a.rule).map(
      (r: any) => first(r?.apply_server_side_encryption_by_default)?.sse_algorithm,
    );
    return algorithms.length && algorithms.every((x) => x === "aws:kms" || x === "aws:kms:dsse")
      ? undefined
      : `sse_algorithm is ${algorithms.join(", ") || "unset"}, not aws:kms`;
  }),
};

export const bucketPolicyTlsOnly: Rule = {
  id: "S3_POLICY_TLS_ONLY",
  description: "S3 bucket policies deny requests without TLS (aws:SecureTransport = false)",
  check: onType("aws_s3_bucket_policy", (a) =>
    statementsOf(a.policy).some(
      (s) => s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false",
    )
      ? undefined
      : "policy has no Deny statement for aws:SecureTransport = false",
  ),
};

export const keyRotation: Rule = {
  id: "KMS_KEY_ROTATION",
  description: "customer-managed KMS keys rotate",
  check: onType("aws_kms_key", (a) =>
    a.enable_key_rotation === true ? undefined : "enable_key_rotation is not true",
  ),
};

export const keyProtected: Rule = {
  id: "KMS_KEY_PROTECTED",
  description:
    "KMS keys that encrypt evidence cannot be destroyed by Terraform and wait 30 days before deletion",
  check: onType("aws_kms_key", (a) => {
    if (a.lifecycle?.prevent_destroy !== true) return "key lacks lifecycle { prevent_destroy = true }";
    if (a.deletion_window_in_days !== 30)
      return `deletion_window_in_days is ${a.deletion_window_in_days ?? "unset (30 by default, but say so)"}, not 30`;
    return undefined;
  }),
};

export const keyAdminRootOnly: Rule = {
  id: "KMS_KEY_ADMIN_ROOT_ONLY",
  description: "only the account root is granted kms:* in a key policy",
  check: onType("aws_kms_key", (a) => {
    const offenders = statementsOf(a.policy).filter(
      (s) =>
        s.Effect === "Allow" &&
        list(s.Action).some((x) => x === "*" || x === "kms:*") &&
        !list(s.Principal?.AWS).every((p) => /^arn:aws[a-z-]*:iam::\d{12}:root$/.test(String(p))),
    );
    return offenders.length
      ? `kms:* granted to ${JSON.stringify(offenders.map((s) => s.Principal))}`
      : undefined;
  }),
};

const IDENTITY_POLICY_TYPES = [
  "aws_iam_role_policy",
  "aws_iam_policy",
  "aws_iam_user_policy",
  "aws_iam_group_policy",
];

export const noWildcardActions: Rule = {
  id: "IAM_NO_WILDCARD_ACTION",
  description: "identity policies name their actions (no * or service:*)",
  check: (r) => {
    if (!IDENTITY_POLICY_TYPES.includes(r.type)) return undefined;
    const wild = statementsOf(r.attributes.policy)
      .flatMap((s) => (s.Effect === "Allow" ? list(s.Action) : []))
      .filter((x) => x === "*" || String(x).endsWith(":*"));
    return wild.length ? `allows ${wild.join(", ")}` : undefined;
  },
};

export const scopedResources: Rule = {
  id: "IAM_RESOURCE_SCOPED",
  description: "identity policies scope every Allow to named resources (no Resource *)",
  check: (r) => {
    if (!IDENTITY_POLICY_TYPES.includes(r.type)) return undefined;
    const open = statementsOf(r.attributes.policy).filter(
      (s) => s.Effect === "Allow" && (s.Resource === undefined || list(s.Resource).includes("*")),
    );
    return open.length
      ? `statement ${open.map((s) => s.Sid ?? "(no Sid)").join(", ")} allows Resource *`
      : undefined;
  },
};

export const serviceTrustHasCondition: Rule = {
  id: "IAM_SERVICE_TRUST_CONDITION",
  description:
    "roles trusted by an AWS service carry a confused-deputy condition (aws:SourceArn, aws:SourceAccount or sts:ExternalId)",
  check: onType("aws_iam_role", (a) => {
    const unguarded = statementsOf(a.assume_role_policy).filter(
      (s) => s.Effect === "Allow" && s.Principal?.Service && !s.Condition,
    );
    return unguarded.length
      ? `service ${unguarded.map((s) => s.Principal.Service).join(", ")} may assume the role on behalf of anyone`
      : undefined;
  }),
};

export const streamEncrypted: Rule = {
  id: "KINESIS_KMS",
  description: "Kinesis streams are encrypted with KMS",
  check: onType("aws_kinesis_stream", (a) =>
    a.encryption_type === "KMS" && a.kms_key_id ? undefined : "encryption_type is not KMS with a key",
  ),
};

export const firehoseWritesWithKms: Rule = {
  id: "FIREHOSE_S3_KMS",
  description: "Firehose writes S3 objects with a KMS key",
  check: onType("aws_kinesis_firehose_delivery_stream", (a) => {
    const s3 = first(a.extended_s3_configuration);
    return !s3 || s3.kms_key_arn ? undefined : "extended_s3_configuration.kms_key_arn is not set";
  }),
};

export const destinationPolicyScoped: Rule = {
  id: "LOGS_DESTINATION_POLICY_SCOPED",
  description: "a destination policy open to Principal * is limited to an organization (aws:PrincipalOrgID)",
  check: onType("aws_cloudwatch_log_destination_policy", (a) => {
    const open = statementsOf(a.access_policy).filter(
      (s) =>
        s.Effect === "Allow" &&
        (s.Principal === "*" || list(s.Principal?.AWS).includes("*")) &&
        !s.Condition?.StringEquals?.["aws:PrincipalOrgID"],
    );
    return open.length
      ? "Principal * without an aws:PrincipalOrgID condition lets any AWS account subscribe"
      : undefined;
  }),
};

export const explicitProvider: Rule = {
  id: "PROVIDER_EXPLICIT",
  description:
    "every resource names its (aliased) provider; otherwise Terraform adds an unconfigured default one",
  check: (r) => (r.attributes.provider ? undefined : "resource has no provider"),
};

/** The pack's rules, in report order. */
export const SECURITY_RULES: readonly Rule[] = [
  bucketPreventDestroy,
  publicAccessBlockAll,
  bucketEncryptionKms,
  bucketPolicyTlsOnly,
  keyRotation,
  keyProtected,
  keyAdminRootOnly,
  noWildcardActions,
  scopedResources,
  serviceTrustHasCondition,
  streamEncrypted,
  firehoseWritesWithKms,
  destinationPolicyScoped,
  explicitProvider,
];
