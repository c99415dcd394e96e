/**
 * IAM policy documents as plain data. Modules build them with pure functions
 * (testable, size-checkable before synth) and hand Terraform the JSON string.
 */
export type PolicyValue = string | string[];

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?:
    "*" | { readonly AWS?: PolicyValue; readonly Service?: PolicyValue; readonly Federated?: PolicyValue };
  readonly Action: PolicyValue;
  readonly Resource?: PolicyValue;
  readonly Condition?: Record<string, Record<string, PolicyValue | boolean>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export function policyDocument(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** Compact JSON: the string the modules hand Terraform, and what policySize measures. */
export function policyJson(document: PolicyDocument): string {
  return JSON.stringify(document);
}

/**
 * The UTF-8 bytes of `policyJson`, the exact string uploaded. IAM counts its
 * policies' size without white space, so for them this is also what IAM
 * measures. Not every policy is counted that way: AWS Organizations counts
 * every character of an SCP, white space included, so the SCP is measured as
 * the text `npm run scp` prints (lib/scp.ts, `scpSize`).
 */
export function policySize(document: PolicyDocument): number {
  return Buffer.byteLength(policyJson(document), "utf8");
}
