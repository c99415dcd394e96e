import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StackJson } from "./synth";
import { synthToDir } from "./synth-dir";

/**
 * Every policy a stack carries, read from the synthesized JSON (not from the
 * builders that made it), so a test of exact policies survives any refactor
 * that keeps the output byte-identical.
 */

/** Resource attributes that hold a policy document (IAM JSON) or, for account policies, a subscription document. */
export const POLICY_ATTRIBUTES = [
  "policy",
  "assume_role_policy",
  "access_policy",
  "policy_document",
] as const;

export type Document = Record<string, any>;

/**
 * `<type>.<logical id>.<attribute>` -> the parsed document, for every
 * attribute named in POLICY_ATTRIBUTES and every other string attribute, at
 * any depth, that parses as JSON with a `Statement`. A policy attribute that
 * is not a JSON string (e.g. an unresolved `jsonencode(...)` token) throws:
 * an exact-policy test cannot read it, so it must not pass silently.
 */
export function policiesOf(stack: StackJson): Record<string, Document> {
  const found: Record<string, Document> = {};
  for (const [type, instances] of Object.entries(stack.resource)) {
    for (const [id, body] of Object.entries(instances)) collect(`${type}.${id}`, body, found);
  }
  return found;
}

function collect(path: string, value: unknown, found: Record<string, Document>): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => collect(`${path}[${i}]`, item, found));
    return;
  }
  if (value === null || typeof value !== "object") return;
  for (const [key, child] of Object.entries(value)) {
    if (key === "//") continue;
    const at = `${path}.${key}`;
    if ((POLICY_ATTRIBUTES as readonly string[]).includes(key)) {
      if (typeof child !== "string") throw new Error(`${at} is not a JSON string: ${JSON.stringify(child)}`);
      found[at] = parse(at, child);
    } else if (typeof child === "string" && child.trimStart().startsWith("{")) {
      const document = tryParse(child);
      if (document && "Statement" in document) found[at] = document;
    } else collect(at, child, found);
  }
}

function parse(at: string, text: string): Document {
  const document = tryParse(text);
  if (!document) throw new Error(`${at} does not parse as a JSON object: ${text}`);
  return document;
}

function tryParse(text: string): Document | undefined {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A document with every `Action` and `NotAction` list sorted: the order of
 * actions means nothing to IAM. Everything else (Sid, Effect, Principal,
 * Resource, Condition, statement order) is compared as written.
 */
export function sortedActions(document: Document): Document {
  if (!Array.isArray(document.Statement)) return document;
  return {
    ...document,
    Statement: document.Statement.map((s: Document) => ({
      ...s,
      ...(Array.isArray(s.Action) ? { Action: [...s.Action].sort() } : {}),
      ...(Array.isArray(s.NotAction) ? { NotAction: [...s.NotAction].sort() } : {}),
    })),
  };
}

/** An IAM policy document, version 2012-10-17. */
export function iamDocument(...Statement: Document[]): Document {
  return { Version: "2012-10-17", Statement };
}

/**
 * The TLS-only deny every bucket carries, as AWS documents it (S3 User Guide,
 * bucket policy examples, "Managing access based on HTTP or HTTPS requests";
 * AWS Config rule s3-bucket-ssl-requests-only): deny every S3 action to every
 * principal, on the bucket ARN and its objects, when aws:SecureTransport is
 * false. Written from that rule, not from lib/'s builder.
 */
export const denyInsecureTransport = (bucketArn: string): Document => ({
  Sid: "DenyInsecureTransport",
  Effect: "Deny",
  Principal: "*",
  Action: "s3:*",
  Resource: [bucketArn, `${bucketArn}/*`],
  Condition: { Bool: { "aws:SecureTransport": "false" } },
});

/** A Terraform reference to a resource attribute, as synthesized: `${type.id.attribute}`. */
export function ref(address: string, attribute = "arn"): string {
  return `\${${address}.${attribute}}`;
}

/**
 * The real synthesized files (`<stack>/cdk.tf.json`), metadata included:
 * Testing.synth removes every `//` key, so whatever the app records there (rule
 * suppressions) can only be seen here.
 */
export function synthesizedFiles(document: unknown, label: string): Record<string, StackJson> {
  const dirs = synthToDir(document, label);
  return Object.fromEntries(
    Object.entries(dirs).map(([name, dir]) => [
      name,
      JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as StackJson,
    ]),
  );
}

/** `<type>.<logical id>` -> { rule id: reason }, for every resource of a full synth that records a suppression. */
export function suppressionsOf(stack: StackJson): Record<string, Record<string, string>> {
  const found: Record<string, Record<string, string>> = {};
  for (const [type, instances] of Object.entries(stack.resource)) {
    for (const [id, body] of Object.entries(instances)) {
      const rules = body["//"]?.seclog_suppressed_rules;
      if (rules !== undefined) found[`${type}.${id}`] = rules;
    }
  }
  return found;
}
