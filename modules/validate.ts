import { Construct } from "constructs";
import { Token } from "cdktf";
import { Range } from "../lib/aws-limits";
import { PolicyDocument, policyJson, policySize } from "../lib/iam/policy";

/**
 * Checks a construct makes of its own props against an AWS rule, so that a
 * reuse outside the config (which checks the same limits first, with
 * friendlier messages: lib/config/rules.ts) fails at synth instead of at
 * apply. A token (a value only Terraform knows) is not checked.
 */
export function requireAtLeast(
  scope: Construct,
  prop: string,
  value: number,
  min: number,
  rule: string,
): void {
  if (!Token.isUnresolved(value) && value < min)
    throw new Error(`${where(scope)}: ${prop} is ${value}, under ${min}: ${rule}`);
}

export function requireAtMost(
  scope: Construct,
  prop: string,
  value: number,
  max: number,
  rule: string,
): void {
  if (!Token.isUnresolved(value) && value > max)
    throw new Error(`${where(scope)}: ${prop} is ${value}, over ${max}: ${rule}`);
}

export function requireWithin(
  scope: Construct,
  prop: string,
  value: number,
  range: Range,
  rule: string,
): void {
  requireAtLeast(scope, prop, value, range.min, rule);
  requireAtMost(scope, prop, value, range.max, rule);
}

/**
 * A policy within an AWS size limit, as AWS counts it (compact JSON, lib/iam/policy.ts).
 * A policy that holds a token (an ARN only Terraform knows) is not measured:
 * its size at synth is not its size at apply.
 */
export function requirePolicyFits(
  scope: Construct,
  prop: string,
  policy: PolicyDocument,
  max: number,
  rule: string,
): void {
  if (!Token.isUnresolved(policyJson(policy)))
    requireAtMost(scope, `${prop} size`, policySize(policy), max, rule);
}

/** A name within an AWS length limit (characters); a name holding a token is not measured. */
export function requireNameFits(
  scope: Construct,
  prop: string,
  name: string,
  max: number,
  rule: string,
): void {
  if (!Token.isUnresolved(name) && name.length > max)
    throw new Error(`${where(scope)}: ${prop} "${name}" is ${name.length} characters, over ${max}: ${rule}`);
}

/** The construct's class and path, e.g. `Delivery security/Delivery`. */
function where(scope: Construct): string {
  return `${scope.constructor.name} ${scope.node.path}`;
}
