/**
 * The policies of a synthesized stack, for review (`npm run review`).
 * cdk.tf.json holds every policy document as an escaped JSON string
 * (`"policy": "{\"Version\":\"2012-10-17\",...}"`), and `cdktf synth --hcl`
 * cannot print them (hashicorp/terraform-cdk#3911), so this decodes them and
 * names each by its Terraform address. Pure: the command reads the file.
 */

/** One decoded policy document and where it lives. */
export interface ReviewedPolicy {
  /** Terraform address: `aws_iam_role.DestinationRole_5512639E`, `data.aws_iam_policy_document.x`. */
  readonly address: string;
  /** Attribute path inside the resource: `assume_role_policy`, `inline_policy[0].policy`. */
  readonly attribute: string;
  /** The resource's provider (`aws.us-east-1`); undefined when it uses the default provider. */
  readonly provider: string | undefined;
  /** The decoded document; `${...}` Terraform references stay strings inside it. */
  readonly policy: unknown;
}

/** Top-level blocks of Terraform JSON that hold resources, with their address prefixes. */
const BLOCKS = [
  { key: "data", prefix: "data." },
  { key: "resource", prefix: "" },
] as const;

/**
 * Every policy document in a stack's Terraform JSON: each string attribute
 * (nested blocks included) whose value parses as a JSON object with a
 * `Statement`. Sorted by address, then attribute: the same stack always
 * prints the same way.
 */
export function policiesOf(stack: unknown): ReviewedPolicy[] {
  const found: ReviewedPolicy[] = [];
  for (const { key, prefix } of BLOCKS) {
    for (const [type, resources] of entries(objectAt(stack, key))) {
      for (const [name, body] of entries(resources)) {
        const address = `${prefix}${type}.${name}`;
        const provider = isObject(body) && typeof body.provider === "string" ? body.provider : undefined;
        for (const [attribute, policy] of policyAttributes(body, ""))
          found.push({ address, attribute, provider, policy });
      }
    }
  }
  return found.sort((a, b) => compare(a.address, b.address) || compare(a.attribute, b.attribute));
}

/** A string that is a policy document, decoded; undefined for anything else. */
export function decodePolicy(value: string): unknown {
  if (!value.trimStart().startsWith("{")) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  return isObject(parsed) && Object.prototype.hasOwnProperty.call(parsed, "Statement") ? parsed : undefined;
}

function* policyAttributes(value: unknown, path: string): Generator<[string, unknown]> {
  if (typeof value === "string") {
    const policy = decodePolicy(value);
    if (policy !== undefined && path) yield [path, policy];
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* policyAttributes(item, `${path}[${index}]`);
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      // "//" is cdktf's metadata (construct path, suppressed rules), not Terraform's.
      if (key === "//") continue;
      yield* policyAttributes(item, path ? `${path}.${key}` : key);
    }
  }
}

/** Text for a terminal or a pull request: each policy under `<address> (<attribute>)`, 2-space JSON. */
export function formatReview(stack: string, file: string, policies: readonly ReviewedPolicy[]): string {
  if (policies.length === 0) return `${stack}: no policy documents in ${file}\n`;
  const count = policies.length === 1 ? "1 policy document" : `${policies.length} policy documents`;
  const sections = policies.map(
    (p) =>
      `${p.address} (${p.attribute})\nprovider: ${p.provider ?? "default (no alias)"}\n${JSON.stringify(p.policy, null, 2)}\n`,
  );
  return `${stack}: ${count} in ${file}\n\n${sections.join("\n")}`;
}

/** `--json`: the same, as a JSON array of {address, attribute, provider, policy}. */
export function formatReviewJson(policies: readonly ReviewedPolicy[]): string {
  return `${JSON.stringify(
    policies.map(({ address, attribute, provider, policy }) => ({
      address,
      attribute,
      provider: provider ?? null,
      policy,
    })),
    null,
    2,
  )}\n`;
}

/** Why a stack cannot be reviewed, and what to do: synth, or pick one of the stacks that exist. */
export function missingStackMessage(
  missing: string,
  existing: readonly string[],
  suggestion?: string,
): string {
  const hint = suggestion ? ` (did you mean ${suggestion}?)` : "";
  const there = existing.length > 0 ? `stacks there: ${existing.join(", ")}` : "no stacks there yet";
  return `${missing}: run npx cdktf synth first${hint}\n${there}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function objectAt(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

function entries(value: unknown): Array<[string, unknown]> {
  return isObject(value) ? Object.entries(value) : [];
}
