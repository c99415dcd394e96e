/**
 * Policies compared by meaning, not by bytes: AWS may return a policy with
 * its own whitespace, key order, a one-element list as a string, or an
 * account id principal as its root ARN.
 */
import { PolicyDocument, PolicyStatement } from "../iam/policy";

type Json = unknown;

/** A canonical JSON string of a policy document (or statement): equal strings, equal policies. */
export function canonicalPolicy(policy: string | PolicyDocument | PolicyStatement | Json): string {
  const document = typeof policy === "string" ? parse(policy) : policy;
  return JSON.stringify(canonical(document, ""));
}

/** Whether the policy (JSON) has a statement equal to `statement`, whatever its Sid. */
export function statementIn(policy: string, statement: PolicyStatement): boolean {
  const document = parse(policy) as { Statement?: Json };
  const statements = document && typeof document === "object" ? toList(document.Statement) : [];
  const wanted = canonicalPolicy(withoutSid(statement));
  return statements.some((s) => JSON.stringify(canonical(withoutSid(s), "")) === wanted);
}

/**
 * A policy (JSON) against the whole document it should be, by meaning and
 * whatever the Sids: the wanted statements it lacks, and the statements it
 * has that are none of them.
 */
export function statementDiff(
  policy: string,
  wanted: PolicyDocument,
): { readonly missing: PolicyStatement[]; readonly extra: Json[] } {
  const document = parse(policy) as { Statement?: Json };
  const found = document && typeof document === "object" ? toList(document.Statement) : [];
  const key = (statement: Json) => JSON.stringify(canonical(withoutSid(statement), ""));
  const foundKeys = new Set(found.map(key));
  const wantedKeys = new Set(wanted.Statement.map(key));
  return {
    missing: wanted.Statement.filter((s) => !foundKeys.has(key(s))),
    extra: found.filter((s) => !wantedKeys.has(key(s))),
  };
}

function parse(text: string): Json {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function withoutSid(statement: Json): Json {
  if (!statement || typeof statement !== "object") return statement;
  const { Sid: _sid, ...rest } = statement as Record<string, Json>;
  return rest;
}

function toList(value: Json): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

const LIST_KEYS = new Set(["Action", "NotAction", "Resource", "NotResource", "AWS", "Service", "Statement"]);

function canonical(value: Json, key: string): Json {
  if (LIST_KEYS.has(key) || key.startsWith("condition:")) {
    const items = toList(value).map((item) =>
      // Condition values compare as strings: `false` and "false" are the same value to IAM.
      key.startsWith("condition:") && typeof item !== "object"
        ? String(item)
        : canonical(principal(item, key), ""),
    );
    return items
      .map((item) => JSON.stringify(item))
      .sort()
      .map((item) => JSON.parse(item));
  }
  if (Array.isArray(value)) return value.map((item) => canonical(item, ""));
  if (value && typeof value === "object") {
    // An object's keys are distinct: never equal in the sort.
    const entries = Object.entries(value as Record<string, Json>).sort(([a], [b]) => (a < b ? -1 : 1));
    // Condition values are lists too: `{ StringEquals: { key: "v" } }` equals `{ key: ["v"] }`.
    const keyOf = (k: string) =>
      key === "Condition" ? "condition-operator" : key === "condition-operator" ? `condition:${k}` : k;
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v, keyOf(k))]));
  }
  return value;
}

/** An account's root ARN principal is the account id (IAM's documented equivalence), in any partition. */
function principal(item: Json, key: string): Json {
  const root =
    key === "AWS" && typeof item === "string" ? /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(item) : null;
  return root ? root[1] : item;
}
