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

/** Compact JSON: what AWS stores and measures against its size limits. */
export function policyJson(document: PolicyDocument): string {
  return JSON.stringify(document);
}

/**
 * AWS counts policy size without whitespace; compact JSON of literal values is
 * therefore the exact size AWS measures.
 */
export function policySize(document: PolicyDocument): number {
  return Buffer.byteLength(policyJson(document), "utf8");
}
