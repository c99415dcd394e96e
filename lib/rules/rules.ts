/**
 * Security rules for synthesized stacks, one pure function each: given a
 * resource and the stack it is in, return why the resource breaks the rule,
 * or nothing. The stack lets a rule look across resources (a bucket's public
 * access block, a policy's data source). The pack (pack.ts) applies them to
 * every resource at synth time, so the same rules guard anyone who extends
 * the stacks.
 */
import {
  allows,
  conditionValues,
  PolicyAttribute,
  PolicyKind,
  policiesOf,
  readPolicy,
  Statement,
  statementsOf,
} from "./policy";
import { Attributes, block, list, reference, ResourceView, resourcesOfType, StackView } from "./view";

export type { ResourceView, StackView } from "./view";

export interface Rule {
  readonly id: string;
  readonly description: string;
  readonly check: (resource: ResourceView, stack: StackView) => string | undefined;
}

const onType =
  (
    type: string,
    check: (attributes: Attributes, resource: ResourceView, stack: StackView) => string | undefined,
  ) =>
  (resource: ResourceView, stack: StackView) =>
    resource.type === type ? check(resource.attributes, resource, stack) : undefined;

/** The statements of a resource's policies of the given kinds (unreadable ones have none). */
function statementsOfKinds(
  resource: ResourceView,
  stack: StackView,
  kinds: readonly PolicyKind[],
): Statement[] {
  return policiesOf(resource)
    .filter((p) => kinds.includes(p.kind))
    .flatMap((p) => statementsOf(readPolicy(p.value, stack)));
}

const ACCOUNT_ROOT = /^arn:aws[a-z-]*:iam::\d{12}:root$/;
/** `*` or `service:*`: every action, or every action of a service. */
const isWildcardAction = (action: string): boolean => action === "*" || action.endsWith(":*");
/** Exactly account roots and nothing else (no Service, no `*`). */
const onlyAccountRoots = (s: Statement): boolean =>
  s.principal !== undefined &&
  Object.keys(s.principal).every((type) => type === "AWS") &&
  list(s.principal.AWS).length > 0 &&
  list(s.principal.AWS).every((p) => ACCOUNT_ROOT.test(String(p)));

export const policyReadable: Rule = {
  id: "POLICY_UNREADABLE",
  description:
    "every policy (JSON, jsonencode, aws_iam_policy_document) and attached managed policy can be read by the pack",
  check: (r, stack) => {
    const problems = [
      ...policiesOf(r).flatMap((p: PolicyAttribute) => {
        const read = readPolicy(p.value, stack);
        return "problem" in read ? [`${p.attribute} ${read.problem}`] : [];
      }),
      ...attachedPolicyProblems(r, stack),
    ];
    return problems.length ? problems.join("; ") : undefined;
  },
};

const ATTACHMENT_TYPES = [
  "aws_iam_role_policy_attachment",
  "aws_iam_user_policy_attachment",
  "aws_iam_group_policy_attachment",
  "aws_iam_policy_attachment",
];

/**
 * A managed policy attached by ARN is readable only when it is an
 * `aws_iam_policy` of this stack (the pack checks that resource itself);
 * AWS managed policies and policies made elsewhere are not in the stack.
 */
function attachedPolicyProblems(r: ResourceView, stack: StackView): string[] {
  const arns = ATTACHMENT_TYPES.includes(r.type)
    ? list(r.attributes.policy_arn).map((arn) => ["policy_arn", arn] as const)
    : r.type === "aws_iam_role"
      ? list(r.attributes.managed_policy_arns).map((arn) => ["managed_policy_arns", arn] as const)
      : [];
  const ours = new Set(resourcesOfType(stack, "aws_iam_policy").map((p) => reference(p, "arn")));
  return arns
    .filter(([, arn]) => !ours.has(String(arn)))
    .map(([attribute, arn]) => `${attribute} ${String(arn)} is not a policy of this stack`);
}

export const bucketPreventDestroy: Rule = {
  id: "S3_BUCKET_PREVENT_DESTROY",
  description: "S3 buckets hold evidence: lifecycle.prevent_destroy must be set and force_destroy must not",
  check: onType("aws_s3_bucket", (a) => {
    if (block(a.lifecycle)?.prevent_destroy !== true)
      return "bucket lacks lifecycle { prevent_destroy = true }";
    if (a.force_destroy === true) return "force_destroy = true would delete every object with the bucket";
    return undefined;
  }),
};

/** Whether a companion resource's `bucket` names this bucket (by reference, or by its literal name). */
function namesBucket(value: unknown, bucket: ResourceView): boolean {
  const name = bucket.attributes.bucket;
  return (
    value === reference(bucket, "id") ||
    value === reference(bucket, "bucket") ||
    (typeof name === "string" && !name.includes("${") && value === name)
  );
}

const companionsOf = (bucket: ResourceView, stack: StackView, type: string): ResourceView[] =>
  resourcesOfType(stack, type).filter((c) => namesBucket(c.attributes.bucket, bucket));

/**
 * A rule that every bucket has a companion resource of `type`, or the
 * equivalent (deprecated) block of the bucket itself. What the companion
 * says is checked by the companion's own rule.
 */
const bucketHas = (
  id: string,
  type: string,
  why: string,
  inline?: (bucket: ResourceView, stack: StackView) => boolean,
): Rule => ({
  id,
  description: `every S3 bucket has an ${type} (${why})`,
  check: onType("aws_s3_bucket", (_a, bucket, stack) =>
    companionsOf(bucket, stack, type).length > 0 || inline?.(bucket, stack)
      ? undefined
      : `no ${type} names this bucket`,
  ),
});

export const bucketEncrypted = bucketHas(
  "S3_BUCKET_ENCRYPTED",
  "aws_s3_bucket_server_side_encryption_configuration",
  "its algorithm is checked by S3_SSE_KMS",
  (bucket) => block(bucket.attributes.server_side_encryption_configuration) !== undefined,
);

export const bucketPublicAccessBlocked = bucketHas(
  "S3_BUCKET_PUBLIC_ACCESS_BLOCKED",
  "aws_s3_bucket_public_access_block",
  "its four settings are checked by S3_PUBLIC_ACCESS_BLOCK_ALL",
);

export const bucketTlsOnly = bucketHas(
  "S3_BUCKET_TLS_ONLY",
  "aws_s3_bucket_policy",
  "its TLS-only deny is checked by S3_POLICY_TLS_ONLY",
  (bucket, stack) => {
    const bucketArn = isBucketArn(reference(bucket, "id"), stack);
    return statementsOfKinds(bucket, stack, ["resource"]).some((s) => isTlsDeny(s, bucketArn));
  },
);

export const bucketVersioned: Rule = {
  id: "S3_BUCKET_VERSIONED",
  description:
    "every S3 bucket has versioning Enabled (aws_s3_bucket_versioning, or the bucket's versioning block)",
  check: onType("aws_s3_bucket", (a, bucket, stack) => {
    if (block(a.versioning)?.enabled === true) return undefined;
    const statuses = companionsOf(bucket, stack, "aws_s3_bucket_versioning").map(
      (v) => block(v.attributes.versioning_configuration)?.status,
    );
    if (statuses.length === 0) return "no aws_s3_bucket_versioning names this bucket";
    return statuses.includes("Enabled")
      ? undefined
      : `versioning status is ${statuses.map((status) => status ?? "unreadable").join(", ")}, not Enabled`;
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
      (r) => block(block(r)?.apply_server_side_encryption_by_default)?.sse_algorithm,
    );
    return algorithms.length && algorithms.every((x) => x === "aws:kms" || x === "aws:kms:dsse")
      ? undefined
      : `sse_algorithm is ${algorithms.join(", ") || "unset"}, not aws:kms`;
  }),
};

/**
 * The ARNs of the bucket a policy's `bucket` names: `${aws_s3_bucket.X.arn}`
 * for a bucket of the stack, and `arn:<partition>:s3:::<name>` for a literal name.
 */
function isBucketArn(bucketValue: unknown, stack: StackView): (arn: string) => boolean {
  const buckets = resourcesOfType(stack, "aws_s3_bucket").filter((b) => namesBucket(bucketValue, b));
  const refs = new Set(buckets.map((b) => reference(b, "arn")));
  const names = [bucketValue, ...buckets.map((b) => b.attributes.bucket)].filter(
    (n): n is string => typeof n === "string" && !n.includes("${"),
  );
  return (arn) =>
    refs.has(arn) || names.some((n) => new RegExp(`^arn:aws[a-z-]*:s3:::${escape(n)}$`).test(arn));
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The deny AWS documents for "enforce encryption of data in transit":
 * every principal, every S3 action, on the bucket and its objects, when
 * aws:SecureTransport is false
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html).
 */
function isTlsDeny(s: Statement, bucketArn: (arn: string) => boolean): boolean {
  const resources = list(s.resource).map(String);
  const covers = (wanted: (r: string) => boolean) => resources.some((r) => r === "*" || wanted(r));
  return (
    s.effect === "Deny" &&
    list(s.principal?.AWS).includes("*") &&
    list(s.action).some((a) => a === "s3:*" || a === "*") &&
    // Exactly that condition: conditions are ANDed, so any other one narrows the deny to fewer requests.
    s.conditions.length === 1 &&
    s.conditions.some(
      (c) => c.operator === "Bool" && c.key === "aws:SecureTransport" && c.values.includes("false"),
    ) &&
    covers(bucketArn) &&
    covers((r) => r.endsWith("/*") && bucketArn(r.slice(0, -2)))
  );
}

export const bucketPolicyTlsOnly: Rule = {
  id: "S3_POLICY_TLS_ONLY",
  description:
    "S3 bucket policies deny every S3 action without TLS (aws:SecureTransport = false) on the bucket and its objects",
  check: onType("aws_s3_bucket_policy", (a, r, stack) => {
    const bucketArn = isBucketArn(a.bucket, stack);
    return statementsOfKinds(r, stack, ["resource"]).some((s) => isTlsDeny(s, bucketArn))
      ? undefined
      : `policy has no Deny of s3:* to Principal * when aws:SecureTransport is false on ${String(a.bucket)} and its objects`;
  }),
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
    if (block(a.lifecycle)?.prevent_destroy !== true) return "key lacks lifecycle { prevent_destroy = true }";
    if (a.deletion_window_in_days !== 30)
      return `deletion_window_in_days is ${String(a.deletion_window_in_days ?? "unset (30 by default, but say so)")}, not 30`;
    return undefined;
  }),
};

/** An Allow of every KMS action: `*`, `kms:*`, or NotAction (every action but a few). */
const grantsAllOfKms = (s: Statement): boolean =>
  allows(s) && (s.notAction !== undefined || list(s.action).some((x) => x === "*" || x === "kms:*"));

export const keyAdminRootOnly: Rule = {
  id: "KMS_KEY_ADMIN_ROOT_ONLY",
  description: "only the account root is granted kms:* in a key policy",
  check: (r, stack) => {
    const offenders = statementsOfKinds(r, stack, ["key"]).filter(
      (s) => grantsAllOfKms(s) && !onlyAccountRoots(s),
    );
    return offenders.length
      ? `kms:* granted to ${JSON.stringify(offenders.map((s) => s.principal ?? null))}`
      : undefined;
  },
};

/**
 * The default key policy's statement: the account root gets kms:* so that
 * IAM policies can grant use of the key and the key never becomes
 * unmanageable (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 * KMS_KEY_ADMIN_ROOT_ONLY allows it to the root alone.
 */
const isDefaultKeyAdmin = (kind: PolicyKind, s: Statement): boolean => kind === "key" && onlyAccountRoots(s);

export const noWildcardActions: Rule = {
  id: "IAM_NO_WILDCARD_ACTION",
  description:
    "identity and resource policies name their actions (no *, service:* or NotAction in an Allow; the default key policy's kms:* to the account root excepted)",
  check: (r, stack) => {
    const wild = policiesOf(r)
      .filter((p) => p.kind !== "trust")
      .flatMap((p) =>
        statementsOf(readPolicy(p.value, stack))
          .filter((s) => allows(s) && !isDefaultKeyAdmin(p.kind, s))
          .flatMap((s) => [
            ...list(s.action).map(String).filter(isWildcardAction),
            ...(s.notAction ? [`every action but ${s.notAction.join(", ")}`] : []),
          ]),
      );
    return wild.length ? `allows ${wild.join(", ")}` : undefined;
  },
};

export const scopedResources: Rule = {
  id: "IAM_RESOURCE_SCOPED",
  description:
    "identity and resource policies scope every Allow to named resources (no Resource *, NotResource or missing Resource)",
  check: (r, stack) => {
    // In a key policy `Resource: "*"` means "this KMS key", and AWS requires it there
    // (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html): not checked.
    const open = statementsOfKinds(r, stack, ["identity", "resource"]).filter(
      (s) => allows(s) && (s.resource === undefined || s.resource.includes("*")),
    );
    return open.length ? `statement ${open.map((s) => s.label).join(", ")} allows Resource *` : undefined;
  },
};

/**
 * Confused-deputy keys AWS documents for service principals
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html),
 * and sts:ExternalId, which Firehose documents for its role
 * (https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html).
 */
const SERVICE_TRUST_KEYS = ["aws:SourceArn", "aws:SourceAccount", "sts:ExternalId"];
/**
 * Keys that narrow an account principal to one party: sts:ExternalId for a
 * third party (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html),
 * aws:PrincipalOrgID or aws:PrincipalArn for identities of one organization or role.
 */
const ACCOUNT_TRUST_KEYS = ["sts:ExternalId", "aws:PrincipalOrgID", "aws:PrincipalArn"];

const hasAnyCondition = (s: Statement, keys: readonly string[]): boolean =>
  keys.some((key) => conditionValues(s, key).length > 0);

const trustStatements = (r: ResourceView, stack: StackView): Statement[] =>
  statementsOfKinds(r, stack, ["trust"]).filter(allows);

export const serviceTrustHasCondition: Rule = {
  id: "IAM_SERVICE_TRUST_CONDITION",
  description:
    "roles trusted by an AWS service carry a confused-deputy condition (aws:SourceArn, aws:SourceAccount or sts:ExternalId)",
  check: (r, stack) => {
    const unguarded = trustStatements(r, stack).filter(
      (s) => s.principal?.Service !== undefined && !hasAnyCondition(s, SERVICE_TRUST_KEYS),
    );
    return unguarded.length
      ? `service ${unguarded.flatMap((s) => list(s.principal?.Service)).join(", ")} may assume the role on behalf of anyone`
      : undefined;
  },
};

/** Why one Allow statement of a trust policy trusts too much, as far as accounts are concerned. */
function accountTrustProblem(s: Statement): string | undefined {
  if (s.notPrincipal) return `statement ${s.label} trusts everyone but NotPrincipal`;
  const principal = s.principal ?? {};
  // Identity providers are IAM_FEDERATED_TRUST_CONDITION's.
  const others = Object.keys(principal).filter((type) => !["AWS", "Service", "Federated"].includes(type));
  if (others.length)
    return `statement ${s.label} trusts ${others.join(", ")}, neither a service nor an account`;
  const accounts = list(principal.AWS).map(String);
  if (accounts.includes("*"))
    return hasAnyCondition(s, ["aws:PrincipalOrgID"])
      ? undefined
      : `statement ${s.label} lets any AWS principal assume the role without aws:PrincipalOrgID`;
  return accounts.length && !hasAnyCondition(s, ACCOUNT_TRUST_KEYS)
    ? `${accounts.join(", ")} may assume the role without ${ACCOUNT_TRUST_KEYS.join(", ")}`
    : undefined;
}

export const accountTrustHasCondition: Rule = {
  id: "IAM_ACCOUNT_TRUST_CONDITION",
  description:
    "roles trusted by an account name it with a condition (sts:ExternalId, aws:PrincipalOrgID or aws:PrincipalArn); a trust names only services and accounts",
  check: onType("aws_iam_role", (_a, r, stack) => {
    const problems = trustStatements(r, stack).flatMap((s) => accountTrustProblem(s) ?? []);
    return problems.length ? problems.join("; ") : undefined;
  }),
};

/**
 * What a federated trust must pin, per identity provider: for an OIDC
 * provider the token's audience and subject, `<issuer>:aud` and
 * `<issuer>:sub` ("we recommend that you use the sub condition key ... to
 * limit access to specific users", IAM User Guide, "Create a role for OpenID
 * Connect federation",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html);
 * for a SAML provider `SAML:aud` (the same guide's SAML page).
 */
function federatedTrustProblem(s: Statement): string | undefined {
  const providers = list(s.principal?.Federated).map(String);
  const missing = providers.flatMap((arn) => {
    const oidc = /:oidc-provider\/(.+)$/.exec(arn);
    const keys = oidc
      ? [`${oidc[1]}:aud`, `${oidc[1]}:sub`]
      : /:saml-provider\//.test(arn)
        ? ["SAML:aud"]
        : [];
    if (!keys.length) return [`${arn}, which is not an IAM OIDC or SAML provider`];
    const unpinned = keys.filter((key) => {
      const values = conditionValues(s, key);
      return values.length === 0 || values.some((v) => v === "*");
    });
    return unpinned.length ? [`${arn} without ${unpinned.join(" and ")}`] : [];
  });
  return missing.length ? `statement ${s.label} trusts ${missing.join("; ")}` : undefined;
}

export const federatedTrustHasCondition: Rule = {
  id: "IAM_FEDERATED_TRUST_CONDITION",
  description:
    "roles trusted by an identity provider pin the token: <issuer>:aud and <issuer>:sub for OIDC, SAML:aud for SAML (not *)",
  check: onType("aws_iam_role", (_a, r, stack) => {
    const problems = trustStatements(r, stack).flatMap((s) => federatedTrustProblem(s) ?? []);
    return problems.length ? problems.join("; ") : undefined;
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
    const s3 = block(a.extended_s3_configuration);
    return !s3 || s3.kms_key_arn ? undefined : "extended_s3_configuration.kms_key_arn is not set";
  }),
};

export const destinationPolicyScoped: Rule = {
  id: "LOGS_DESTINATION_POLICY_SCOPED",
  description: "a destination policy open to Principal * is limited to an organization (aws:PrincipalOrgID)",
  check: onType("aws_cloudwatch_log_destination_policy", (_a, r, stack) => {
    const open = statementsOfKinds(r, stack, ["resource"]).filter(
      (s) => allows(s) && list(s.principal?.AWS).includes("*") && !hasAnyCondition(s, ["aws:PrincipalOrgID"]),
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
  policyReadable,
  bucketPreventDestroy,
  bucketEncrypted,
  bucketPublicAccessBlocked,
  bucketTlsOnly,
  bucketVersioned,
  publicAccessBlockAll,
  bucketEncryptionKms,
  bucketPolicyTlsOnly,
  keyRotation,
  keyProtected,
  keyAdminRootOnly,
  noWildcardActions,
  scopedResources,
  serviceTrustHasCondition,
  accountTrustHasCondition,
  federatedTrustHasCondition,
  streamEncrypted,
  firehoseWritesWithKms,
  destinationPolicyScoped,
  explicitProvider,
];
