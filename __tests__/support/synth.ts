import { Testing, TerraformStack } from "cdktf";
import { buildApp } from "../../stacks/app";
import { parseConfig } from "../../lib/config/load";

export type StackJson = {
  provider: { aws: Array<Record<string, any>> };
  resource: Record<string, Record<string, any>>;
  output?: Record<string, any>;
  terraform: Record<string, any>;
};

/** Validates a config document and synthesizes every stack: stack name -> Terraform JSON. */
export function synthStacks(document: unknown): Record<string, StackJson> {
  const app = buildApp(parseConfig(document), Testing.app());
  const stacks: Record<string, StackJson> = {};
  for (const child of app.node.children) {
    if (child instanceof TerraformStack) stacks[child.node.id] = JSON.parse(Testing.synth(child));
  }
  return stacks;
}

/** Every resource of a type in a stack, as [logical id, body]. */
export function resourcesOf(stack: StackJson, type: string): Array<[string, Record<string, any>]> {
  return Object.entries(stack.resource[type] ?? {});
}

export function onlyResource(stack: StackJson, type: string): Record<string, any> {
  const found = resourcesOf(stack, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0][1];
}

/** Parses a policy JSON string as synthesized (references stay `${...}` strings). */
export function policyOf(json: string): { Statement: Array<Record<string, any>> } {
  return JSON.parse(json);
}

export function statement(
  policy: { Statement: Array<Record<string, any>> },
  sid: string,
): Record<string, any> {
  const found = policy.Statement.find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid} in ${JSON.stringify(policy)}`);
  return found;
}

/** The one resource of a type whose logical id starts with a construct id (e.g. "Archive_"). */
export function resourceUnder(stack: StackJson, type: string, idPrefix: string): Record<string, any> {
  const found = resourcesOf(stack, type).filter(([id]) => id.startsWith(idPrefix));
  if (found.length !== 1) throw new Error(`expected one ${type} under ${idPrefix}, found ${found.length}`);
  return found[0][1];
}
