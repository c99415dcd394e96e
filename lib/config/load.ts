import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { AppAccount, DeliverySettings, SecLogConfig, StateSettings, StreamSettings } from "./model";
import { partitionOf } from "./regions";
import { CONFIG_RULES, namingOf, Problem, regionsOf, sendersByRegion } from "./rules";
import { configSchema, RawConfig } from "./schema";
import { closest } from "../text";

export const DEFAULT_CONFIG_PATH = "config/logging.yaml";

/** Every problem found in a config file; the app prints them and exits non-zero. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly Problem[],
  ) {
    super(formatProblems(file, problems));
    this.name = "ConfigError";
  }
}

export function formatProblems(file: string, problems: readonly Problem[]): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return [`${file}: ${count}:`, ...problems.map((p) => `  ${p.path || "(file)"}: ${p.message}`)].join("\n");
}

/** The config path the app reads: `SECLOG_CONFIG`, else the shipped example. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SECLOG_CONFIG || DEFAULT_CONFIG_PATH;
}

export function loadConfigFile(file: string): SecLogConfig {
  return parseConfig(readDocument(file), file);
}

/** Validates an already parsed document (YAML or JSON) and resolves defaults. */
export function parseConfig(document: unknown, file = "config"): SecLogConfig {
  if (!isMapping(document)) {
    throw new ConfigError(file, [{ path: "", message: "must be a mapping of keys (prefix, security, accounts, ...); start from config/logging.yaml" }]);
  }
  const parsed = configSchema.safeParse(document);
  if (!parsed.success) throw new ConfigError(file, parsed.error.issues.flatMap((issue) => toProblems(issue, document)));
  const problems = CONFIG_RULES.flatMap((rule) => rule(parsed.data));
  if (problems.length > 0) throw new ConfigError(file, problems);
  return resolve(parsed.data);
}

function readDocument(file: string): unknown {
  const extension = extname(file).toLowerCase();
  if (![".yaml", ".yml", ".json"].includes(extension)) {
    throw new ConfigError(file, [{ path: "", message: "config files must end in .yaml, .yml or .json" }]);
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : String((error as Error).message);
    throw new ConfigError(file, [{ path: "", message: `${reason}; set SECLOG_CONFIG to your config file (default ${DEFAULT_CONFIG_PATH})` }]);
  }
  return extension === ".json" ? parseJson(file, text) : parseYaml(file, text);
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, [{ path: "", message: `not valid JSON: ${(error as Error).message}` }]);
  }
}

function parseYaml(file: string, text: string): unknown {
  // uniqueKeys: a key given twice is an error, not a silent override.
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((e) => ({ path: "", message: `YAML syntax error at line ${e.linePos?.[0].line ?? "?"}: ${e.message.split("\n")[0].replace(/:$/, "")}` })),
    );
  }
  return document.toJS();
}

function toProblems(issue: z.core.$ZodIssue, document: unknown): Problem[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      path: joinPath([...issue.path, key]),
      message: `unknown key${suggestKey(issue.path, key)} (config reference: README.md)`,
    }));
  }
  if (issue.code === "invalid_type" && valueAt(document, issue.path) === undefined) {
    const detail = issue.message.replace(/^Invalid input: /, "").replace(/^is required: /, "");
    return [{ path: joinPath(issue.path), message: `is required; ${detail}` }];
  }
  return [{ path: joinPath(issue.path), message: issue.message.replace(/^Invalid input: /, "") }];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function valueAt(document: unknown, path: readonly PropertyKey[]): unknown {
  let current = document;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** `accounts[2].logGroups[0].name`: the form a user can find in the file. */
export function joinPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), "");
}

function suggestKey(path: readonly PropertyKey[], key: string): string {
  const known = knownKeysAt(path);
  const suggestion = closest(key, known);
  if (suggestion) return `; did you mean "${suggestion}"?`;
  return known.length ? `; allowed here: ${known.join(", ")}` : "";
}

function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType | undefined = configSchema;
  for (const key of path) {
    schema = unwrap(schema);
    if (typeof key === "number" && schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (typeof key === "string" && schema instanceof z.ZodObject) schema = schema.shape[key] as z.ZodType | undefined;
    else return [];
  }
  schema = unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap() as z.ZodType;
  return current;
}

function resolve(raw: RawConfig): SecLogConfig {
  const naming = namingOf(raw);
  const senders = sendersByRegion(raw);
  return {
    prefix: raw.prefix,
    tags: raw.tags,
    partition: partitionOf(raw.security.region),
    security: raw.security,
    organizationId: raw.organizationId,
    archive: { ...raw.archive, bucketName: raw.archive.bucketName ?? naming.defaultBucketName() },
    stream: resolveStream(raw),
    delivery: resolveDelivery(raw),
    state: resolveState(raw),
    alarms: raw.alarms,
    objectNotifications: raw.notifications?.sqs ?? false,
    accounts: raw.accounts.map((account) => resolveAccount(raw, account)),
    destinationRegions: [...senders.keys()].sort(),
    sendersByRegion: senders,
  };
}

function resolveStream(raw: RawConfig): StreamSettings {
  const { mode, retentionHours, shards } = raw.stream;
  return mode === "provisioned" ? { mode, retentionHours, shards: shards ?? 1 } : { mode, retentionHours };
}

function resolveDelivery(raw: RawConfig): DeliverySettings {
  const { format, bufferSeconds, bufferMiB, processorConcurrency } = raw.delivery;
  return format === "raw"
    ? { format, bufferSeconds, bufferMiB }
    : { format, bufferSeconds, bufferMiB, processorConcurrency };
}

function resolveState(raw: RawConfig): StateSettings {
  const { backend, s3, cloud } = raw.state;
  if (backend === "s3" && s3) {
    const { bootstrap, encryption, ...settings } = s3;
    const resolved = { backend, ...settings, keyPrefix: s3.keyPrefix ?? raw.prefix };
    if (!bootstrap) return resolved;
    const naming = namingOf(raw);
    return (encryption ?? "kms") === "kms"
      ? { ...resolved, bootstrap: { encryption: "kms", keyAlias: naming.keyAlias("terraform-state") }, kmsKeyId: naming.keyAliasArn("terraform-state", s3.region) }
      : { ...resolved, bootstrap: { encryption: "sse-s3" } };
  }
  if (backend === "cloud" && cloud) return { backend, ...cloud };
  return { backend: "local" };
}

function resolveAccount(raw: RawConfig, account: RawConfig["accounts"][number]): AppAccount {
  const counts = new Map<string, number>();
  for (const group of account.logGroups) counts.set(group.name, (counts.get(group.name) ?? 0) + 1);
  return {
    name: account.name,
    accountId: account.accountId,
    roleArn: account.roleArn,
    regions: regionsOf(raw, account),
    logGroups: account.logGroups.map((group) => ({
      ...group,
      sharedLogGroup: counts.get(group.name)! > 1,
    })),
    allLogGroups: account.allLogGroups,
  };
}
