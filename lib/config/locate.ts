import { Document, isAlias, isMap, isScalar, isSeq, LineCounter, Node, Pair, parseDocument } from "yaml";

/**
 * Where a config problem is in the file the user edits: key paths to 1-based
 * line and column, and paths as the user reads them (with account names).
 * Pure data in, data out: no zod, no stacks, so `npm run check` stays fast.
 */

/** 1-based, as editors and `file:line:col` links count. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

export type PathKey = string | number;

/**
 * Which node of a path a problem is about: the key itself (an unknown key) or
 * its value (a bad value). A path that does not exist in the file (a missing
 * key, a defaulted field) is placed at its nearest existing parent.
 */
export type Target = "key" | "value";

/** `accounts[2].logGroups[0].name`: the form a user can find in the file. */
export function joinPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    "",
  );
}

/**
 * The keys of a path in `joinPath` form: `accounts[3].logGroups[0].name` is
 * ["accounts", 3, "logGroups", 0, "name"], and "" (the whole file) is [].
 * A key holding a dot (a tag name) comes back split; `SourceLocator` rejoins it.
 */
export function parsePath(path: string): PathKey[] {
  const keys: PathKey[] = [];
  const pattern = /\[(\d+)\]|(?:^|\.)([^.[]*)/y;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < path.length && (match = pattern.exec(path)) !== null) {
    keys.push(match[1] !== undefined ? Number(match[1]) : match[2]);
    if (match[0] === "") pattern.lastIndex++;
  }
  return keys;
}

/** `accounts[5] (web-prod).acountId`: the path with the account's name, when the document gives that entry one. */
export function describePath(path: string, document: unknown): string {
  const keys = parsePath(path);
  if (keys[0] !== "accounts" || typeof keys[1] !== "number") return path;
  const name = accountName(document, keys[1]);
  if (name === undefined) return path;
  const head = `accounts[${keys[1]}]`;
  return `${head} (${name})${path.slice(head.length)}`;
}

function accountName(document: unknown, index: number): string | undefined {
  const accounts = isRecord(document) ? document.accounts : undefined;
  const entry = Array.isArray(accounts) ? accounts[index] : undefined;
  const name = isRecord(entry) ? entry.name : undefined;
  return typeof name === "string" && name !== "" ? name : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Line and column of an offset into a text. */
export function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split(/\r\n|\r|\n/);
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/** Maps key paths of one parsed YAML (or JSON, which is YAML flow syntax) document to positions. */
export class SourceLocator {
  constructor(
    private readonly document: Document,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Parses `text` only to locate nodes; undefined when it does not parse.
   * Duplicate keys are allowed here: the last one wins, as with JSON.parse.
   */
  static parse(text: string): SourceLocator | undefined {
    const lines = new LineCounter();
    const document = parseDocument(text, { uniqueKeys: false, lineCounter: lines });
    return document.errors.length > 0 ? undefined : new SourceLocator(document, lines);
  }

  /** For a document already parsed with `lineCounter: lines`. */
  static of(document: Document, lines: LineCounter): SourceLocator {
    return new SourceLocator(document, lines);
  }

  locate(path: readonly PathKey[], target: Target): Position | undefined {
    let node: unknown = this.document.contents;
    // How the walk reached `node`: through a map pair (whose key we can point at) or a list item.
    let via: Pair | undefined;
    for (let i = 0; i < path.length; i++) {
      node = this.resolve(node);
      const key = path[i];
      let next: { node: unknown; pair?: Pair; used: number } | undefined;
      if (isMap(node)) next = findPair(node.items, path, i);
      else if (isSeq(node) && typeof key === "number" && key < node.items.length)
        next = { node: node.items[key], used: 1 };
      if (!next) return this.parent(node, via);
      node = next.node;
      via = next.pair;
      i += next.used - 1;
    }
    if (via && (target === "key" || isEmptyValue(node))) return this.start(via.key);
    return this.start(node) ?? (via ? this.start(via.key) : undefined);
  }

  /** The nearest existing parent of a missing key: the key that holds it, else the list item or document. */
  private parent(node: unknown, via: Pair | undefined): Position | undefined {
    return via ? this.start(via.key) : this.start(node);
  }

  private resolve(node: unknown): unknown {
    for (let depth = 0; isAlias(node) && depth < 100; depth++) node = node.resolve(this.document);
    return node;
  }

  private start(node: unknown): Position | undefined {
    const range = (node as Node | null | undefined)?.range;
    if (!range) return undefined;
    const { line, col } = this.lines.linePos(range[0]);
    return { line, column: col };
  }
}

/**
 * The last pair of a map whose key is `path[i]`, or, for a key holding dots
 * (split by `parsePath`), `path[i..j]` joined again.
 */
function findPair(
  items: readonly Pair[],
  path: readonly PathKey[],
  i: number,
): { node: unknown; pair: Pair; used: number } | undefined {
  for (let used = 1; i + used <= path.length; used++) {
    const parts = path.slice(i, i + used);
    if (used > 1 && parts.some((part) => typeof part !== "string")) break;
    const key = parts.join(".");
    const pair = [...items].reverse().find((p) => keyText(p.key) === key);
    if (pair) return { node: pair.value, pair, used };
  }
  return undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === "string" ? key : undefined;
}

/** `accountId:` with nothing after it: point at the key, not past the colon. */
function isEmptyValue(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null && !node.source);
}
