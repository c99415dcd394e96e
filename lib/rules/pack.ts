import { IConstruct } from "constructs";
import { Annotations, Aspects, IAspect, TerraformResource, TerraformStack } from "cdktf";
import { Rule, SECURITY_RULES } from "./rules";

const SUPPRESSION_METADATA = "seclog:suppress-rule";
const MIN_REASON_LENGTH = 10;

export interface Suppression {
  readonly ruleId: string;
  readonly reason: string;
}

/**
 * Exempts a construct (and everything under it) from one rule. The reason is
 * mandatory and is written into the synthesized metadata, so every exemption
 * is visible in review.
 */
export function suppressRule(scope: IConstruct, ruleId: string, reason: string): void {
  if (!SECURITY_RULES.some((r) => r.id === ruleId)) throw new Error(`suppressRule: unknown rule ${ruleId}`);
  if (reason.trim().length < MIN_REASON_LENGTH)
    throw new Error(`suppressRule(${ruleId}): give a reason of at least ${MIN_REASON_LENGTH} characters`);
  scope.node.addMetadata(SUPPRESSION_METADATA, { ruleId, reason } satisfies Suppression);
}

function suppressionsOf(construct: IConstruct): Suppression[] {
  return construct.node.scopes.flatMap((scope) =>
    scope.node.metadata.filter((m) => m.type === SUPPRESSION_METADATA).map((m) => m.data as Suppression),
  );
}

export interface Violation {
  readonly path: string;
  readonly ruleId: string;
  readonly message: string;
}

/** Every unsuppressed rule violation of one resource. */
export function violationsOf(
  resource: TerraformResource,
  rules: readonly Rule[] = SECURITY_RULES,
): Violation[] {
  const body =
    resource.toTerraform().resource?.[resource.terraformResourceType]?.[resource.friendlyUniqueId] ?? {};
  const suppressed = new Set(suppressionsOf(resource).map((s) => s.ruleId));
  return rules.flatMap((rule) => {
    if (suppressed.has(rule.id)) return [];
    const message = rule.check({ type: resource.terraformResourceType, attributes: body });
    return message ? [{ path: resource.node.path, ruleId: rule.id, message }] : [];
  });
}

/**
 * The security rule pack as a cdktf Aspect: every violation becomes an error
 * annotation, which fails `cdktf synth` with the resource path and the rule.
 */
export class SecurityRulePack implements IAspect {
  constructor(private readonly rules: readonly Rule[] = SECURITY_RULES) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource)) return;
    for (const { ruleId, reason } of suppressionsOf(node)) {
      // Exemptions travel with the resource into cdk.tf.json, where reviewers see them.
      node.addOverride(`//.seclog_suppressed_rules.${ruleId}`, reason);
    }
    for (const v of violationsOf(node, this.rules)) {
      Annotations.of(node).addError(
        `[${v.ruleId}] ${v.message} (fix it, or suppressRule(construct, "${v.ruleId}", reason))`,
      );
    }
  }
}

export function applySecurityRules(stack: TerraformStack): void {
  Aspects.of(stack).add(new SecurityRulePack());
}

/** Error annotations left on a synthesized tree, as `path: message` lines. */
export function errorAnnotations(root: IConstruct): string[] {
  return root.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === "@cdktf/error")
        .map((m) => `${c.node.path}: ${String(m.data)}`),
    );
}
