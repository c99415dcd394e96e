import { z } from "zod";
import { configSchema } from "./schema";

/**
 * The README's config reference, generated from the schema itself so the
 * documentation cannot drift from what the app accepts (a test compares them).
 */
export function configReference(): string {
  const rows = describeObject(configSchema, "");
  return ["| key | type | default | meaning |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

interface Unwrapped {
  readonly schema: z.ZodType;
  readonly optional: boolean;
  readonly defaultValue?: unknown;
  readonly description?: string;
}

function unwrap(schema: z.ZodType): Unwrapped {
  let current = schema;
  let optional = false;
  let defaultValue: unknown;
  let description = schema.description;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) {
    if (current instanceof z.ZodDefault) defaultValue = current.def.defaultValue;
    else optional = true;
    current = current.unwrap() as z.ZodType;
    description ??= current.description;
  }
  return { schema: current, optional, defaultValue, description };
}

function describeObject(object: z.ZodObject, prefix: string): string[] {
  return Object.entries(object.shape).flatMap(([key, field]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    const info = unwrap(field as z.ZodType);
    const row = `| \`${path}\` | ${typeName(info.schema)} | ${defaultText(info)} | ${(info.description ?? "").replace(/\|/g, "\\|")} |`;
    const inner =
      info.schema instanceof z.ZodArray ? unwrap(info.schema.element as z.ZodType).schema : info.schema;
    const children =
      inner instanceof z.ZodObject
        ? describeObject(inner, info.schema instanceof z.ZodArray ? `${path}[]` : path)
        : [];
    return [row, ...children];
  });
}

function typeName(schema: z.ZodType): string {
  if (schema instanceof z.ZodEnum) return (schema.options as string[]).map((o) => `\`${o}\``).join(" \\| ");
  if (schema instanceof z.ZodArray) {
    const element = unwrap(schema.element as z.ZodType).schema;
    return element instanceof z.ZodObject ? "list of objects" : `list of ${typeName(element)}`;
  }
  if (schema instanceof z.ZodObject) return "object";
  if (schema instanceof z.ZodRecord) return "map of strings";
  if (schema instanceof z.ZodNumber) return "integer";
  if (schema instanceof z.ZodBoolean) return "boolean";
  return "string";
}

function defaultText(info: Unwrapped): string {
  if (info.defaultValue === undefined) return info.optional ? "optional" : "**required**";
  if (typeof info.defaultValue === "object" && info.defaultValue !== null) {
    return Array.isArray(info.defaultValue) && info.defaultValue.length === 0
      ? "`[]`"
      : Object.keys(info.defaultValue).length === 0
        ? "`{}`"
        : "see below";
  }
  return `\`${JSON.stringify(info.defaultValue)}\``;
}
