/**
 * Reads every representation of an IAM policy that can reach a synthesized
 * stack into one normal form, or says why it cannot. Nothing is swallowed: a
 * policy the pack cannot read is a POLICY_UNREADABLE violation (rules.ts),
 * so the pack fails closed.
 *
 * Representations: a JSON string (from JSON.stringify, or `Fn.jsonencode`,
 * which the pack decodes to JSON before the rules run), and a reference to
 * an `aws_iam_policy_document` data source of the same stack, whose
 * statement blocks are mapped to IAM JSON as the provider documents
 * (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document).
 */
import { Attributes, isRecord, list, ResourceView, StackView } from "./view";

export type Principals = Readonly<Record<string, readonly string[]>>;

export interface Condition {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

/** An IAM statement with every element as a list (`"*"` principals as `{ AWS: ["*"] }`). */
export interface Statement {
  readonly label: string;
  readonly effect: "Allow" | "Deny";
  readonly principal?: Principals;
  readonly notPrincipal?: Principals;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly conditions: readonly Condition[];
}

export type PolicyRead = { readonly statements: readonly Statement[] } | { readonly problem: string };

/** What a policy governs, which decides the rules that apply to it. */
export type PolicyKind = "identity" | "resource" | "key" | "trust";

export interface PolicyAttribute {
  /** Where the policy sits in the resource, e.g. `policy` or `inline_policy[0].policy`. */
  readonly attribute: string;
  readonly kind: PolicyKind;
  readonly value: unknown;
}

/** Resource types with a policy attribute, by what the policy governs. */
const POLICY_ATTRIBUTES: Readonly<Record<string, readonly [string, PolicyKind]>> = {
  aws_iam_role: ["assume_role_policy", "trust"],
  aws_iam_role_policy: ["policy", "identity"],
  aws_iam_policy: ["policy", "identity"],
  aws_iam_user_policy: ["policy", "identity"],
  aws_iam_group_policy: ["policy", "identity"],
  aws_kms_key: ["policy", "key"],
  aws_kms_key_policy: ["policy", "key"],
  aws_s3_bucket: ["policy", "resource"],
  aws_s3_bucket_policy: ["policy", "resource"],
  aws_sns_topic: ["policy", "resource"],
  aws_sns_topic_policy: ["policy", "resource"],
  aws_sqs_queue: ["policy", "resource"],
  aws_sqs_queue_policy: ["policy", "resource"],
  aws_cloudwatch_log_destination_policy: ["access_policy", "resource"],
  aws_cloudwatch_log_resource_policy: ["policy_document", "resource"],
  aws_secretsmanager_secret_policy: ["policy", "resource"],
  aws_ecr_repository_policy: ["policy", "resource"],
  aws_kinesis_resource_policy: ["policy", "resource"],
};

/** Every policy a resource carries, including an IAM role's inline_policy blocks. */
export function policiesOf(resource: ResourceView): PolicyAttribute[] {
  const entry = POLICY_ATTRIBUTES[resource.type];
  const own =
    entry && resource.attributes[entry[0]] !== undefined
      ? [{ attribute: entry[0], kind: entry[1], value: resource.attributes[entry[0]] }]
      : [];
  const inline =
    resource.type === "aws_iam_role"
      ? list(resource.attributes.inline_policy).flatMap((b, i) =>
          isRecord(b) && b.policy !== undefined
            ? [{ attribute: `inline_policy[${i}].policy`, kind: "identity" as const, value: b.policy }]
            : [],
        )
      : [];
  return [...own, ...inline];
}

/** The statements of a policy of the stack, or why they cannot be read. */
export function readPolicy(value: unknown, stack: StackView): PolicyRead {
  if (typeof value !== "string") return { problem: "is not a string" };
  const documentRef = /^\$\{data\.aws_iam_policy_document\.([^.{}]+)\.(?:json|minified_json)\}$/.exec(value);
  if (documentRef) return readDataSource(documentRef[1], stack);
  if (value.startsWith("${")) return { problem: `is an expression the pack cannot read: ${value}` };
  let document: unknown;
  try {
    document = JSON.parse(value);
  } catch {
    return { problem: "is not valid JSON" };
  }
  return readDocument(document);
}

/** Statements of an IAM JSON document (already parsed). */
export function readDocument(document: unknown): PolicyRead {
  if (!isRecord(document)) return { problem: "is not a JSON object" };
  if (document.Statement === undefined) return { problem: "has no Statement" };
  const statements: Statement[] = [];
  for (const [i, raw] of list(document.Statement).entries()) {
    const read = readStatement(raw, i);
    if (typeof read === "string") return { problem: read };
    statements.push(read);
  }
  return { statements };
}

function readDataSource(name: string, stack: StackView): PolicyRead {
  const source = stack.dataSources.find((d) => d.type === "aws_iam_policy_document" && d.name === name);
  if (!source)
    return { problem: `refers to data.aws_iam_policy_document.${name}, which is not in this stack` };
  const read = dataSourceDocument(source.attributes);
  return typeof read === "string"
    ? { problem: `data.aws_iam_policy_document.${name} ${read}` }
    : readDocument(read);
}

/**
 * An `aws_iam_policy_document`'s statement blocks as IAM JSON. Merged
 * documents (source_policy_documents, override_policy_documents) and dynamic
 * blocks are computed by Terraform, so they are not read.
 */
export function dataSourceDocument(a: Attributes): Record<string, unknown> | string {
  for (const merged of ["source_policy_documents", "override_policy_documents"])
    if (a[merged] !== undefined) return `merges ${merged}, which the pack cannot read`;
  const dynamic = [a, ...list(a.statement)].some((b) => isRecord(b) && b.dynamic !== undefined);
  if (dynamic) return "builds statements with a dynamic block, which the pack cannot read";
  if (a.statement !== undefined && !Array.isArray(a.statement))
    return `has computed statements: ${String(a.statement)}`;
  return { Version: "2012-10-17", Statement: list(a.statement).map(dataSourceStatement) };
}

function dataSourceStatement(raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const nonEmpty = (value: unknown) => (Array.isArray(value) && value.length === 0 ? undefined : value);
  return {
    Sid: raw.sid,
    Effect: raw.effect ?? "Allow",
    Principal: principalBlocks(raw.principals),
    NotPrincipal: principalBlocks(raw.not_principals),
    Action: nonEmpty(raw.actions),
    NotAction: nonEmpty(raw.not_actions),
    Resource: nonEmpty(raw.resources),
    NotResource: nonEmpty(raw.not_resources),
    Condition: conditionBlocks(raw.condition),
  };
}

/** `principals { type, identifiers }` blocks; type `*` is `Principal: "*"`. */
function principalBlocks(value: unknown): unknown {
  const blocks = list(value);
  if (blocks.length === 0) return undefined;
  const principal: Record<string, unknown[]> = {};
  for (const b of blocks) {
    if (!isRecord(b)) return b;
    if (b.type === "*") return "*";
    principal[String(b.type)] = [...(principal[String(b.type)] ?? []), ...list(b.identifiers)];
  }
  return principal;
}

/** `condition { test, variable, values }` blocks as `{ test: { variable: values } }`. */
function conditionBlocks(value: unknown): unknown {
  const blocks = list(value);
  if (blocks.length === 0) return undefined;
  const condition: Record<string, Record<string, unknown>> = {};
  for (const b of blocks) {
    if (!isRecord(b)) return b;
    condition[String(b.test)] = { ...condition[String(b.test)], [String(b.variable)]: b.values };
  }
  return condition;
}

/**
 * A `${...}` inside a Resource or Principal must be a plain attribute
 * reference (`${aws_s3_bucket.Archive.arn}/*`): anything else (a variable, a
 * function) could evaluate to `*` at apply time.
 */
const INTERPOLATION = /\$\{([^}]*)\}/g;
// A resource type has a provider prefix (aws_...), so var., local., module., each. and count. never match.
const ATTRIBUTE_REFERENCE = /^(data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z0-9_-]+\.[a-z_]+$/;

function strings(value: unknown, element: string, references: boolean): string[] | string {
  const values = list(value);
  for (const v of values) {
    if (typeof v !== "string") return `${element} holds ${JSON.stringify(v)}, not a string`;
    const computed = [...v.matchAll(INTERPOLATION)].find(
      (m) => !references || !ATTRIBUTE_REFERENCE.test(m[1]),
    );
    if (computed) return `${element} holds a computed value ${v}`;
  }
  return values as string[];
}

function principals(value: unknown, element: string): Principals | string | undefined {
  if (value === undefined) return undefined;
  if (value === "*") return { AWS: ["*"] };
  if (!isRecord(value)) return `${element} is ${JSON.stringify(value)}, neither "*" nor an object`;
  const result: Record<string, readonly string[]> = {};
  for (const [type, ids] of Object.entries(value)) {
    const read = strings(ids, `${element}.${type}`, true);
    if (typeof read === "string") return read;
    result[type] = read;
  }
  return result;
}

function conditions(value: unknown): Condition[] | string {
  if (value === undefined) return [];
  if (!isRecord(value)) return "Condition is not an object";
  const result: Condition[] = [];
  for (const [operator, keys] of Object.entries(value)) {
    if (!isRecord(keys)) return `Condition ${operator} is not an object`;
    for (const [key, values] of Object.entries(keys))
      result.push({ operator, key, values: list(values).map(String) });
  }
  return result;
}

/** One statement, or the reason it cannot be read (prefixed with its Sid or position). */
function readStatement(raw: unknown, index: number): Statement | string {
  if (!isRecord(raw)) return `has statement #${index + 1} that is not an object`;
  const label = typeof raw.Sid === "string" && raw.Sid !== "" ? raw.Sid : `#${index + 1}`;
  const problem = (why: string) => `has statement ${label} whose ${why}`;
  if (raw.Effect !== "Allow" && raw.Effect !== "Deny")
    return problem(`Effect is ${JSON.stringify(raw.Effect)}, neither Allow nor Deny`);
  if ((raw.Action === undefined) === (raw.NotAction === undefined))
    return problem("Action and NotAction are both set or both missing");
  const parts = {
    principal: principals(raw.Principal, "Principal"),
    notPrincipal: principals(raw.NotPrincipal, "NotPrincipal"),
    action: raw.Action === undefined ? undefined : strings(raw.Action, "Action", false),
    notAction: raw.NotAction === undefined ? undefined : strings(raw.NotAction, "NotAction", false),
    resource: raw.Resource === undefined ? undefined : strings(raw.Resource, "Resource", true),
    notResource: raw.NotResource === undefined ? undefined : strings(raw.NotResource, "NotResource", true),
    conditions: conditions(raw.Condition),
  };
  const failed = Object.values(parts).find((p): p is string => typeof p === "string");
  if (failed) return problem(failed);
  return { label, effect: raw.Effect, ...parts } as Statement;
}

/** Statements of a read policy; an unreadable one has none (POLICY_UNREADABLE reports it). */
export const statementsOf = (read: PolicyRead): readonly Statement[] =>
  "statements" in read ? read.statements : [];

export const allows = (s: Statement): boolean => s.effect === "Allow";

/** Values of one condition key under any operator (e.g. `aws:SourceArn` under ArnLike or StringEquals). */
export const conditionValues = (s: Statement, key: string): string[] =>
  s.conditions.filter((c) => c.key.toLowerCase() === key.toLowerCase()).flatMap((c) => [...c.values]);
