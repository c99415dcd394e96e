import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { describePath, joinPath, parsePath, Position, positionAt, SourceLocator } from "./locate";
import {
  AppAccount,
  ArchiveSettings,
  DeliverySettings,
  SearchSettings,
  SecLogConfig,
  StateSettings,
  StreamSettings,
} from "./model";
import { partitionOf } from "./regions";
import { CONFIG_RULES, Problem } from "./rules";
import { Naming, namingOf } from "../naming";
import { regionsOf, sendersByRegion } from "./topology";
import { configSchema, RawConfig } from "./schema";
import { closest, plural } from "../text";

export { joinPath } from "./locate";

export const DEFAULT_CONFIG_PATH = "config/logging.yaml";

/**
 * What the formatter knows about the file a problem came from: the parsed
 * document (account names) and, when its text was read, where each problem is.
 */
export interface ProblemSource {
  readonly document?: unknown;
  readonly locate?: (problem: Problem) => Position | undefined;
}

/** A problem as printed: the path with account names, and its place in the file when known. */
export interface LocatedProblem {
  readonly path: string;
  readonly message: string;
  readonly position?: Position;
}

/** Every problem found in a config file; the app prints them and exits non-zero. */
export class ConfigError extends Error {
  readonly located: readonly LocatedProblem[];

  constructor(
    readonly file: string,
    readonly problems: readonly Problem[],
    source: ProblemSource = {},
  ) {
    const located = locateProblems(problems, source);
    super(formatLocated(file, located));
    this.name = "ConfigError";
    this.located = located;
  }
}

/**
 * One line per problem, `  <file>:<line>:<col>: <path>: <message>` (or
 * `  <file>: <path>: <message>` when the place is unknown), under
 * `<file>: N problems:`. A lone problem with the whole file and no place
 * (file not found, wrong extension, empty file) is one line: `<file>: <message>`.
 */
export function formatProblems(
  file: string,
  problems: readonly Problem[],
  source: ProblemSource = {},
): string {
  return formatLocated(file, locateProblems(problems, source));
}

function locateProblems(problems: readonly Problem[], source: ProblemSource): LocatedProblem[] {
  return problems.map((problem) => {
    let position: Position | undefined;
    try {
      position = source.locate?.(problem);
    } catch {
      // A place is a convenience: never let finding it hide the problem itself.
    }
    return {
      path: describePath(problem.path, source.document),
      message: problem.message,
      ...(position ? { position } : {}),
    };
  });
}

function formatLocated(file: string, problems: readonly LocatedProblem[]): string {
  const [only] = problems;
  if (problems.length === 1 && !only.path && !only.position) return `${file}: ${only.message}`;
  const lines = problems.map(({ path, message, position }) => {
    const where = position ? `${file}:${position.line}:${position.column}` : file;
    return `  ${where}: ${path ? `${path}: ` : ""}${message}`;
  });
  return [`${file}: ${plural(problems.length, "problem")}:`, ...lines].join("\n");
}

/** Unknown keys are placed at the key; anything else at its value, or the nearest parent that exists. */
function locatorFor(locator: () => SourceLocator | undefined): (problem: Problem) => Position | undefined {
  return (problem) =>
    locator()?.locate(parsePath(problem.path), /^unknown key\b/.test(problem.message) ? "key" : "value");
}

/** The config path the app reads: `SECLOG_CONFIG`, else the shipped example. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SECLOG_CONFIG || DEFAULT_CONFIG_PATH;
}

export function loadConfigFile(file: string): SecLogConfig {
  const source = readSource(file);
  return validate(source.document, file, source);
}

/** Validates an already parsed document (YAML or JSON) and resolves defaults. */
export function parseConfig(document: unknown, file = "config"): SecLogConfig {
  return validate(document, file, { document });
}

function validate(document: unknown, file: string, source: ProblemSource): SecLogConfig {
  if (!isMapping(document)) {
    throw new ConfigError(
      file,
      [
        {
          path: "",
          message:
            "must be a mapping of keys (prefix, security, accounts, ...); start from config/example.yaml",
        },
      ],
      source,
    );
  }
  const parsed = configSchema.safeParse(document);
  if (!parsed.success)
    throw new ConfigError(
      file,
      parsed.error.issues.flatMap((issue) => toProblems(issue, document)),
      source,
    );
  const problems = CONFIG_RULES.flatMap((rule) => rule(parsed.data));
  if (problems.length > 0) throw new ConfigError(file, problems, source);
  return resolve(parsed.data);
}

interface Source extends ProblemSource {
  readonly document: unknown;
}

function readSource(file: string): Source {
  const extension = extname(file).toLowerCase();
  if (![".yaml", ".yml", ".json"].includes(extension)) {
    throw new ConfigError(file, [{ path: "", message: "config files must end in .yaml, .yml or .json" }]);
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? "file not found"
        : String((error as Error).message);
    throw new ConfigError(file, [
      {
        path: "",
        message: `${reason}; set SECLOG_CONFIG to your config file (default ${DEFAULT_CONFIG_PATH})`,
      },
    ]);
  }
  return extension === ".json" ? parseJson(file, text) : parseYaml(file, text);
}

/** JSON.parse decides what the file means; the YAML parser (JSON is YAML flow syntax) only finds places, and only once a problem needs one. */
function parseJson(file: string, text: string): Source {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const { reason, position } = jsonSyntaxError(text, String((error as Error).message));
    throw new ConfigError(file, [{ path: "", message: `not valid JSON: ${reason}` }], {
      locate: () => position,
    });
  }
  let locator: SourceLocator | undefined | null = null;
  return {
    document,
    locate: locatorFor(() => (locator === null ? (locator = SourceLocator.parse(text)) : locator)),
  };
}

/**
 * JSON.parse's reason without the excerpt of the file V8 quotes in some
 * messages, and its place: V8's "at position N" when it gives one, else
 * esbuild's (a dependency already, for the Lambda bundle), asked only then.
 */
function jsonSyntaxError(text: string, raw: string): { reason: string; position?: Position } {
  const reason = raw
    .replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, "")
    .replace(/ \(line \d+ column \d+\)$/, "")
    .replace(/ in JSON at position \d+$/, "")
    .split("\n")[0];
  const at = /\bat position (\d+)/.exec(raw);
  if (at) return { reason, position: positionAt(text, Number(at[1])) };
  if (/Unexpected end of JSON input/.test(raw)) return { reason, position: positionAt(text, text.length) };
  return { reason, position: esbuildJsonPosition(text) };
}

function esbuildJsonPosition(text: string): Position | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { transformSync } = require("esbuild") as typeof import("esbuild");
    transformSync(text, { loader: "json", logLevel: "silent" });
  } catch (error) {
    const location = (error as { errors?: Array<{ location?: { line: number; column: number } | null }> })
      .errors?.[0]?.location;
    if (location) return { line: location.line, column: location.column + 1 };
  }
  return undefined;
}

function parseYaml(file: string, text: string): Source {
  // uniqueKeys: a key given twice is an error, not a silent override.
  const lines = new LineCounter();
  const parsed = parseDocument(text, { uniqueKeys: true, prettyErrors: true, lineCounter: lines });
  if (parsed.errors.length > 0) {
    const positions = new Map<Problem, Position>();
    const problems = parsed.errors.map((e) => {
      const start = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
      // prettyErrors appends " at line L, column C:" and a code excerpt; the place goes first instead.
      const reason = e.message
        .split("\n")[0]
        .replace(/ at line \d+, column \d+:?$/, "")
        .replace(/:$/, "");
      const problem = {
        path: "",
        message: `YAML syntax error at line ${start.line}, column ${start.col}: ${reason}`,
      };
      positions.set(problem, { line: start.line, column: start.col });
      return problem;
    });
    throw new ConfigError(file, problems, { locate: (problem) => positions.get(problem) });
  }
  let document: unknown;
  try {
    document = parsed.toJS();
  } catch (error) {
    // e.g. "Excessive alias count": a document too expensive to expand.
    throw new ConfigError(file, [
      { path: "", message: `YAML could not be read: ${String((error as Error).message).split("\n")[0]}` },
    ]);
  }
  const locator = SourceLocator.of(parsed, lines);
  return { document, locate: locatorFor(() => locator) };
}

function toProblems(issue: z.core.$ZodIssue, document: unknown): Problem[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      path: joinPath([...issue.path, key]),
      message: `unknown key${suggestKey(issue.path, key)} (config reference: README.md)`,
    }));
  }
  if (issue.code === "invalid_key") {
    // A bad map key (a tag name): zod's own message is only "Invalid key in record"; its inner issues say why.
    return issue.issues.map((inner) => ({
      path: joinPath(issue.path),
      message: `the key itself: ${inner.message}`,
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
    else if (typeof key === "string" && schema instanceof z.ZodObject)
      schema = schema.shape[key] as z.ZodType | undefined;
    else return [];
  }
  schema = unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault)
    current = current.unwrap() as z.ZodType;
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
    archive: resolveArchive(raw, naming),
    stream: resolveStream(raw),
    delivery: resolveDelivery(raw),
    state: resolveState(raw),
    alarms: raw.alarms,
    search: resolveSearch(raw),
    objectNotifications: raw.notifications?.sqs ?? false,
    accounts: raw.accounts.map((account) => resolveAccount(raw, account)),
    destinationRegions: [...senders.keys()].sort(),
    sendersByRegion: senders,
  };
}

function resolveArchive(raw: RawConfig, naming: Naming): ArchiveSettings {
  const { replica, ...archive } = raw.archive;
  return {
    ...archive,
    bucketName: archive.bucketName ?? naming.defaultBucketName(),
    ...(replica ? { replica: { ...replica, bucketName: naming.replicaBucketName(replica.accountId) } } : {}),
  };
}

function resolveSearch(raw: RawConfig): SearchSettings | undefined {
  const { enabled, scanLimitGiB, resultsExpireDays, analystPrincipals } = raw.search;
  // Off unless the events format (raw objects are gzip'd envelopes, nothing to project); config rules refuse raw with enabled: true.
  if (!(enabled ?? raw.delivery.format === "events") || raw.delivery.format !== "events") return undefined;
  return { bytesScannedCutoff: scanLimitGiB * 1024 ** 3, resultsExpireDays, analystPrincipals };
}

function resolveStream(raw: RawConfig): StreamSettings {
  const { mode, retentionHours, shards } = raw.stream;
  return mode === "provisioned" ? { mode, retentionHours, shards: shards ?? 1 } : { mode, retentionHours };
}

function resolveDelivery(raw: RawConfig): DeliverySettings {
  const { format, bufferSeconds, bufferMiB, processorConcurrency, keepSource } = raw.delivery;
  return format === "raw"
    ? { format, bufferSeconds, bufferMiB }
    : { format, bufferSeconds, bufferMiB, processorConcurrency, keepSource };
}

function resolveState(raw: RawConfig): StateSettings {
  const { backend, s3, cloud } = raw.state;
  if (backend === "s3" && s3) {
    const { bootstrap, encryption, ...settings } = s3;
    const resolved = { backend, ...settings, keyPrefix: s3.keyPrefix ?? raw.prefix };
    if (!bootstrap) return resolved;
    const naming = namingOf(raw);
    return (encryption ?? "kms") === "kms"
      ? {
          ...resolved,
          bootstrap: { encryption: "kms", keyAlias: naming.keyAlias("terraform-state") },
          kmsKeyId: naming.keyAliasArn("terraform-state", s3.region),
        }
      : { ...resolved, bootstrap: { encryption: "sse-s3" } };
  }
  if (backend === "cloud" && cloud) {
    const { workspaces, dynamicCredentials, audience, ...settings } = cloud;
    const created = workspaces?.create ? workspaces : undefined;
    return {
      backend,
      ...settings,
      ...(created && {
        workspaces: {
          executionMode: created.executionMode,
          agentPoolId: created.agentPoolId,
          terraformVersion: created.terraformVersion,
          tags: created.tags,
        },
      }),
      ...(dynamicCredentials && { dynamicCredentials: { audience } }),
    };
  }
  return { backend: "local" };
}

function resolveAccount(raw: RawConfig, account: RawConfig["accounts"][number]): AppAccount {
  const seen = new Map<string, number>();
  const slotOf = (name: string) => {
    const slot = seen.get(name) ?? 0;
    seen.set(name, slot + 1);
    return slot;
  };
  return {
    name: account.name,
    accountId: account.accountId,
    roleArn: account.roleArn,
    regions: regionsOf(raw, account),
    logGroups: account.logGroups.map((group) => ({
      ...group,
      filterSlot: slotOf(group.name),
    })),
    allLogGroups: account.allLogGroups,
    silenceAlarm: account.silenceAlarm,
  };
}
