import { IConstruct } from "constructs";
import {
  Annotations,
  Aspects,
  DefaultTokenResolver,
  IAspect,
  StringConcat,
  TerraformDataSource,
  TerraformResource,
  TerraformStack,
  Tokenization,
} from "cdktf";
import { Rule, SECURITY_RULES } from "./rules";
import { isRecord, ResourceView, StackView } from "./view";

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

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** A value with its tokens resolved to the `${...}` expressions cdk.tf.json will hold. */
const resolve = (stack: TerraformStack, value: unknown): unknown =>
  Tokenization.resolve(value, { scope: stack, resolver: RESOLVER });

/**
 * `Fn.jsonencode(document)` renders as `${jsonencode({...})}` in HCL syntax.
 * Its argument is the document itself, so the pack resolves the argument
 * (references become `${...}` strings) and hands the rules its JSON:
 * exactly what Terraform's jsonencode will produce, references aside.
 */
function decodeJsonencode(stack: TerraformStack, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => decodeJsonencode(stack, v));
  // Tokens that are objects (dynamic blocks, Lazy values) are left for resolve().
  if (isRecord(value) && !Tokenization.isResolvable(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeJsonencode(stack, v)]));
  if (typeof value !== "string") return value;
  const fragments = Tokenization.reverseString(value);
  const token: unknown = fragments.length === 1 ? fragments.firstToken : undefined;
  // cdktf's FunctionCall keeps its name and arguments; jsonencode takes exactly one.
  if (isRecord(token) && token.name === "jsonencode")
    return JSON.stringify(resolve(stack, (token.args as unknown[])[0]));
  return value;
}

/** cdk.tf.json's shape: section (resource, data) -> type -> name -> attributes. */
type TerraformJson = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

type Element = TerraformResource | TerraformDataSource;

function viewOf(stack: TerraformStack, element: Element, section: "resource" | "data"): ResourceView {
  const { terraformResourceType: type, friendlyUniqueId: name } = element;
  const resolved = resolve(stack, decodeJsonencode(stack, element.toTerraform())) as TerraformJson;
  return { type, name, path: element.node.path, attributes: resolved[section][type][name] };
}

const elementsOf = <T extends Element>(
  stack: TerraformStack,
  kind: abstract new (...args: never[]) => T,
): T[] => stack.node.findAll().filter((c): c is T => c instanceof kind);

const resourcesOf = (stack: TerraformStack): TerraformResource[] => elementsOf(stack, TerraformResource);

/** The stack as the rules see it: every resource and data source, resolved. */
export function stackViewOf(stack: TerraformStack): StackView {
  return {
    resources: resourcesOf(stack).map((r) => viewOf(stack, r, "resource")),
    dataSources: elementsOf(stack, TerraformDataSource).map((d) => viewOf(stack, d, "data")),
  };
}

/** Every unsuppressed violation in a stack with the resource it is on, in construct order. */
function findViolations(
  stack: TerraformStack,
  rules: readonly Rule[],
): { resource: TerraformResource; violation: Violation }[] {
  const view = stackViewOf(stack);
  const resources = resourcesOf(stack);
  return view.resources.flatMap((r, i) => {
    const resource = resources[i];
    const suppressed = new Set(suppressionsOf(resource).map((s) => s.ruleId));
    return rules.flatMap((rule) => {
      const message = suppressed.has(rule.id) ? undefined : rule.check(r, view);
      return message ? [{ resource, violation: { path: r.path, ruleId: rule.id, message } }] : [];
    });
  });
}

/** Every unsuppressed violation in a stack, in construct order. */
export function stackViolations(stack: TerraformStack, rules: readonly Rule[] = SECURITY_RULES): Violation[] {
  return findViolations(stack, rules).map((f) => f.violation);
}

/** Every unsuppressed rule violation of one resource, judged with the rest of its stack. */
export function violationsOf(
  resource: TerraformResource,
  rules: readonly Rule[] = SECURITY_RULES,
): Violation[] {
  return stackViolations(TerraformStack.of(resource), rules).filter((v) => v.path === resource.node.path);
}

/**
 * The security rule pack as a cdktf Aspect on a stack: every violation
 * becomes an error annotation on its resource, which fails `cdktf synth`
 * with the resource path and the rule.
 */
export class SecurityRulePack implements IAspect {
  constructor(private readonly rules: readonly Rule[] = SECURITY_RULES) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformStack)) return;
    for (const resource of resourcesOf(node))
      for (const { ruleId, reason } of suppressionsOf(resource)) {
        // Exemptions travel with the resource into cdk.tf.json, where reviewers see them.
        resource.addOverride(`//.seclog_suppressed_rules.${ruleId}`, reason);
      }
    for (const { resource, violation: v } of findViolations(node, this.rules)) {
      Annotations.of(resource).addError(
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
