/**
 * The change guard: which resources on the data path a new synth would make
 * Terraform replace, found by comparing each stack's new cdk.tf.json with the
 * one the previous synth left in cdktf.out. Terraform's default for a change
 * it cannot make in place is destroy, then create; on this pipeline the events
 * in between are lost. What the guard refuses, synth refuses (lib/synth.ts),
 * unless the user names it in SECLOG_ALLOW_REPLACE / `--allow-replace`.
 *
 * Pure: JSON in, findings out. The change matrix (`npm run test:changes`)
 * checks these predictions against what Terraform itself plans.
 */

import { KEY_LOCK_SID } from "./policies/key-lock";

/** The parts of a synthesized stack the guard reads. */
export interface StackResources {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
}

/** What a user may allow on purpose, and what each covers. */
export const ALLOWABLE = {
  prefix: "resources named from `prefix` (stream, delivery stream, destinations, roles, log groups, filters)",
  "archive.bucketName": "the archive bucket and its configuration",
  allLogGroups: "account-level subscription policies whose selection criteria change",
} as const;
export type Allowable = keyof typeof ALLOWABLE;

/**
 * Arguments whose change makes AWS provider 5.100.0 replace the resource
 * ("Forces new resource" in the provider's resource docs,
 * hashicorp/terraform-provider-aws website/docs/r/<type>.html.markdown), for
 * every resource type on the data path. `create_before_destroy` resources are
 * still replacements, but gap-free ones (see modules/delivery.ts).
 */
export const REPLACING_ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
  aws_s3_bucket: ["bucket", "bucket_prefix", "object_lock_enabled"],
  aws_s3_bucket_versioning: ["bucket"],
  aws_s3_bucket_server_side_encryption_configuration: ["bucket"],
  aws_s3_bucket_public_access_block: ["bucket"],
  aws_s3_bucket_ownership_controls: ["bucket"],
  aws_s3_bucket_policy: ["bucket"],
  aws_s3_bucket_lifecycle_configuration: ["bucket"],
  aws_s3_bucket_object_lock_configuration: ["bucket"],
  aws_s3_bucket_logging: ["bucket"],
  aws_s3_bucket_notification: ["bucket"],
  aws_s3_bucket_replication_configuration: ["bucket"],
  aws_kms_key: ["customer_master_key_spec", "key_usage", "multi_region"],
  aws_kinesis_stream: ["name"],
  aws_kinesis_firehose_delivery_stream: ["name", "destination"],
  aws_cloudwatch_log_destination: ["name"],
  aws_cloudwatch_log_destination_policy: ["destination_name"],
  aws_cloudwatch_log_subscription_filter: ["name", "log_group_name"],
  aws_cloudwatch_log_account_policy: ["policy_name", "policy_type", "scope", "selection_criteria"],
  aws_cloudwatch_log_group: ["name", "name_prefix"],
  aws_lambda_function: ["function_name"],
  aws_iam_role: ["name", "name_prefix"],
  aws_iam_role_policy: ["name", "role"],
};

/** One resource the new synth would replace. */
export interface Replacement {
  readonly stack: string;
  /** `type.name` in cdk.tf.json. */
  readonly address: string;
  readonly type: string;
  /** The replacing arguments that change, with their old and new values. */
  readonly changes: ReadonlyArray<{
    readonly argument: string;
    readonly from: unknown;
    readonly to: unknown;
  }>;
  /** Created before the old one is destroyed, under another name: no gap. */
  readonly overlapping: boolean;
  /** The config field the change comes from, and what allows it. */
  readonly cause: Allowable;
}

/** The data-path resources of `next` that Terraform would replace, compared with `previous`. */
export function replacementsOf(stack: string, previous: StackResources, next: StackResources): Replacement[] {
  const found: Replacement[] = [];
  for (const [type, replacing] of Object.entries(REPLACING_ARGUMENTS)) {
    const before = previous.resource?.[type] ?? {};
    const after = next.resource?.[type] ?? {};
    for (const [name, body] of Object.entries(after)) {
      const old = before[name];
      if (!old) continue;
      const changes = changedArguments(replacing, previous, old, next, body);
      if (changes.length === 0) continue;
      const lifecycle = body.lifecycle as { create_before_destroy?: boolean } | undefined;
      found.push({
        stack,
        address: `${type}.${name}`,
        type,
        changes,
        overlapping: lifecycle?.create_before_destroy === true,
        cause: causeOf(type, name, body, changes),
      });
    }
  }
  return [...found, ...renamedOf(stack, previous, next)];
}

/**
 * A subscription filter's logical id carries its name, so a renamed filter is
 * a removal plus an addition in the JSON, and to Terraform a destroy plus a
 * create, run side by side: the same gap. A removed filter counts as renamed
 * when an added one sits on the same log group through the same provider;
 * each added filter pairs once. (Other ids carry no name, or, like a created
 * log group's, the user's own name: a different one is another resource.)
 */
const RENAMED_WITH_ID = "aws_cloudwatch_log_subscription_filter";

function renamedOf(stack: string, previous: StackResources, next: StackResources): Replacement[] {
  const before = previous.resource?.[RENAMED_WITH_ID] ?? {};
  const after = next.resource?.[RENAMED_WITH_ID] ?? {};
  const added = Object.entries(after).filter(([name]) => !before[name]);
  const removed = Object.entries(before).filter(([name]) => !after[name]);
  type Entry = (typeof added)[number];
  const samePlace = ([, old]: Entry, [, body]: Entry) =>
    old.provider === body.provider &&
    sameValue(literal(previous, old.log_group_name), literal(next, body.log_group_name));
  // A group's second filter pairs with the new second filter (Naming.subscriptionFilterName's `-2`):
  // every same-slot pair first, then whatever is left on the same group.
  const sameSlot = ([, old]: Entry, [, body]: Entry) =>
    isSecondFilter(old.name) === isSecondFilter(body.name);
  const pairs: Array<[Entry, Entry]> = [];
  for (const matches of [(o: Entry, n: Entry) => samePlace(o, n) && sameSlot(o, n), samePlace])
    for (const old of removed.filter((entry) => !pairs.some(([paired]) => paired === entry))) {
      const index = added.findIndex((entry) => matches(old, entry));
      if (index >= 0) pairs.push([old, added.splice(index, 1)[0]]);
    }
  return pairs.map(([[name, old], [newName, body]]) => ({
    stack,
    address: `${RENAMED_WITH_ID}.${name} -> ${RENAMED_WITH_ID}.${newName}`,
    type: RENAMED_WITH_ID,
    changes: changedArguments(REPLACING_ARGUMENTS[RENAMED_WITH_ID], previous, old, next, body),
    overlapping: false,
    cause: "prefix" as const,
  }));
}

/** `<pipeline>-<region>-2`: a region name ends in a digit too (us-east-2), so the suffix follows one. */
function isSecondFilter(name: unknown): boolean {
  return typeof name === "string" && /-[a-z]{2}(?:-gov)?-[a-z]+-\d-2$/.test(name);
}

/** The replacing arguments whose values differ, old and new shown with references resolved. */
function changedArguments(
  replacing: readonly string[],
  previous: StackResources,
  old: Record<string, unknown>,
  next: StackResources,
  body: Record<string, unknown>,
) {
  return replacing
    .map((argument) => ({
      argument,
      from: literal(previous, old[argument]),
      to: literal(next, body[argument]),
    }))
    .filter(({ from, to }) => !sameValue(from, to));
}

/** Resources whose Terraform `id` is one of their arguments: a reference to the id is a reference to that. */
const ID_IS: Readonly<Record<string, string>> = {
  aws_s3_bucket: "bucket",
  aws_iam_role: "name",
  aws_cloudwatch_log_group: "name",
};

/**
 * A reference to another resource's name in the same stack (`${aws_cloudwatch_log_group.X.name}`,
 * `${aws_s3_bucket.X.id}`), replaced by that literal name: a filter on a group this app creates and
 * one on the same group created elsewhere name the same group.
 */
function literal(stack: StackResources, value: unknown): unknown {
  if (typeof value !== "string") return value;
  const match = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.(name|bucket|arn|id)\}$/.exec(value);
  if (!match) return value;
  const [, type, name, attribute] = match;
  const argument = attribute === "id" ? ID_IS[type] : attribute;
  const target = argument ? stack.resource?.[type]?.[name]?.[argument] : undefined;
  return typeof target === "string" && !target.includes("${") ? target : value;
}

/**
 * Why a data-path resource is replaced: an account policy through its
 * selection criteria alone (or its name, from the prefix); the archive bucket's
 * resources through its name; everything else through the names `prefix` derives.
 */
function causeOf(
  type: string,
  name: string,
  body: Record<string, unknown>,
  changes: ReadonlyArray<{ readonly argument: string }>,
): Allowable {
  if (
    type === "aws_cloudwatch_log_account_policy" &&
    changes.every((c) => c.argument === "selection_criteria")
  )
    return "allLogGroups";
  // The archive's own resources, and those that configure it from elsewhere (its access logging).
  const archive =
    name.startsWith("Archive_") || String(body.bucket ?? "").startsWith("${aws_s3_bucket.Archive_");
  if (type.startsWith("aws_s3_bucket") && archive) return "archive.bucketName";
  return "prefix";
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * One message per refused cause and stack: what changes, what Terraform would
 * do, the safe procedure, and how to go ahead on purpose. Overlapping
 * replacements and allowed causes are not refused.
 */
export function refusals(replacements: readonly Replacement[], allowed: ReadonlySet<string>): string[] {
  const refused = replacements.filter((r) => !r.overlapping && !allowed.has(r.cause));
  const groups = new Map<string, Replacement[]>();
  for (const r of refused) {
    const key = `${r.stack}\u0000${r.cause}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((group) => refusalMessage(group[0].stack, group[0].cause, group));
}

const SHOWN = 4;

function refusalMessage(stack: string, cause: Allowable, group: readonly Replacement[]): string {
  const listed = group
    .slice(0, SHOWN)
    .map(
      (r) =>
        `${r.address} (${r.changes.map((c) => `${c.argument} ${show(c.from)} -> ${show(c.to)}`).join(", ")})`,
    );
  const more = group.length > SHOWN ? ` and ${group.length - SHOWN} more` : "";
  const what = `${listed.join("; ")}${more}`;
  const allow = `to replace on purpose, synthesize again with SECLOG_ALLOW_REPLACE=${cause} (or \`--allow-replace ${cause}\`)`;
  switch (cause) {
    case "allLogGroups":
      return (
        `stack ${stack}: accounts[${stack}].allLogGroups: the account policy's selection criteria change ` +
        `(allLogGroups.exclude, or a log group added to or removed from logGroups): ${what}. ` +
        `Terraform replaces the policy (DeleteAccountPolicy, then PutAccountPolicy) and no log group of the account ships in between. ` +
        `Safe procedure: PutAccountPolicy with the same name updates the policy in place, so run \`aws logs put-account-policy\` ` +
        `with the new selection criteria (policy name, document and criteria are in cdktf.out/stacks/${stack}/cdk.tf.json after a synth with the flag), ` +
        `then \`terraform apply -refresh-only\` in the stack: the plan then shows no replacement. ${capitalized(allow)}.`
      );
    case "archive.bucketName":
      return (
        `stack ${stack}: archive.bucketName: the archive bucket would be replaced: ${what}. ` +
        `S3 cannot rename a bucket and the archive is protected from destroy, so the plan would fail or a new, empty archive would take the writes. ` +
        `Safe procedure: keep archive.bucketName as deployed; to move the archive, copy it with S3 Batch Operations to a bucket created outside this pipeline. ` +
        `${capitalized(allow)}.`
      );
    default:
      return (
        `stack ${stack}: prefix: ${group.length} resource(s) on the data path would be renamed, and so destroyed before their replacements exist: ${what}. ` +
        `Events sent meanwhile are lost. Safe procedure: keep the prefix as deployed; for a second pipeline under a new prefix, deploy it from its own project. ` +
        `${capitalized(allow)}.`
      );
  }
}

function show(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

function capitalized(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}

/**
 * A locked key (lib/policies/key-lock.ts: COMPLIANCE mode) denies
 * kms:PutKeyPolicy to everyone, so a synth that changes its policy, or drops
 * the lock, can never be applied: the apply would fail on AccessDenied
 * halfway through. Refused with no way to allow it; the user keeps the
 * settings the policy is made of.
 */
export function lockedKeyRefusals(stack: string, previous: StackResources, next: StackResources): string[] {
  const before = previous.resource?.aws_kms_key ?? {};
  const after = next.resource?.aws_kms_key ?? {};
  return Object.entries(before).flatMap(([name, old]) => {
    if (!isLocked(old.policy)) return [];
    const body = after[name];
    if (!body || body.policy === old.policy) return [];
    return [
      `stack ${stack}: aws_kms_key.${name}: the key policy is locked (Object Lock COMPLIANCE: it denies kms:PutKeyPolicy to every principal, the account root included), ` +
        `so this change cannot be applied: ${isLocked(body.policy) ? "its statements change" : "the lock would be removed"}. ` +
        `Keep archive.objectLock (or archive.replica.objectLock) in COMPLIANCE mode and the prefix, accounts and regions the policy names as deployed; a locked key policy is permanent.`,
    ];
  });
}

function isLocked(policy: unknown): boolean {
  if (typeof policy !== "string") return false;
  try {
    const statements = (JSON.parse(policy) as { Statement?: Array<{ Sid?: string }> }).Statement ?? [];
    return statements.some((s) => s.Sid === KEY_LOCK_SID);
  } catch {
    return false;
  }
}

/** `SECLOG_ALLOW_REPLACE=a,b` and `--allow-replace a` (repeatable); unknown names are a usage error. */
export function allowedReplacements(
  env: NodeJS.ProcessEnv,
  argv: readonly string[],
): { allowed: Set<Allowable> } | { error: string } {
  const names = (env.SECLOG_ALLOW_REPLACE ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--allow-replace") names.push(argv[++i] ?? "");
    else if (arg.startsWith("--allow-replace=")) names.push(arg.slice("--allow-replace=".length));
  }
  const unknown = names.filter((n) => !Object.hasOwn(ALLOWABLE, n));
  if (unknown.length > 0)
    return {
      error: `SECLOG_ALLOW_REPLACE / --allow-replace: unknown ${unknown.map((n) => JSON.stringify(n)).join(", ")}; use one of ${Object.keys(ALLOWABLE).join(", ")}`,
    };
  return { allowed: new Set(names as Allowable[]) };
}
