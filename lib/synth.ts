import {
  appendFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  Stats,
  writeFileSync,
} from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { App, TerraformStack } from "cdktf";
import { AWS_PROVIDER_ADDRESS, LOCK_FILE, lockedVersion, requiredAwsVersion } from "./lockfile";
import { errorAnnotations } from "./rules/pack";
import { lockedKeyRefusals, refusals, replacementsOf, StackResources } from "./changes";

/** Rule violations found while synthesizing: printed like config problems, without a stack trace. */
export class SynthError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      [
        `synth refused: ${problems.length} security rule violation(s):`,
        ...problems.map((p) => `  ${p}`),
      ].join("\n"),
    );
    this.name = "SynthError";
  }
}

/**
 * The previous output, a stack directory in it, or the project's lock file is
 * not something synth can safely replace or use. One line for the user, printed
 * without a stack trace (exit 1); the previous output is left as it was.
 */
export class OutputError extends Error {
  override name = "OutputError";
}

export interface SynthOptions {
  /** Where the one line per removed stack goes. Default: stdout. */
  readonly log?: (line: string) => void;
  /** The environment the app runs in; tells whether cdktf-cli runs it. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** The project's committed lock file. Default: `.terraform.lock.hcl` in process.cwd(). */
  readonly lockFile?: string;
  /**
   * Data-path replacements the user allows on purpose (lib/changes.ts, ALLOWABLE).
   * Every other one found against the previous output refuses the synth. Default: none.
   */
  readonly allowReplace?: ReadonlySet<string>;
  /** Stacks the change guard does not compare (the state stack holds no logs). Default: none. */
  readonly unguardedStacks?: ReadonlySet<string>;
}

/**
 * The new synth would replace a resource on the data path, or change a
 * locked key policy (lib/changes.ts):
 * one paragraph per stack and cause, printed without a stack trace (exit 1);
 * the previous output is left as it was.
 */
export class ChangeError extends Error {
  override name = "ChangeError";
  constructor(readonly problems: readonly string[]) {
    super(
      [
        `synth refused: ${problems.length} problem(s): the change would replace the data path or cannot be applied:`,
        ...problems.map((p) => `  ${p}`),
      ].join("\n"),
    );
  }
}

export interface SynthResult {
  /** Stack directory names written, in manifest order. */
  readonly stacks: readonly string[];
  /** Entries of `<outdir>/stacks` that are no longer stacks and were removed. */
  readonly removed: readonly string[];
}

/** What cdktf writes into a stack directory: cdk.tf.json, or cdk.tf and metadata.json with `--hcl`, and assets/. */
const CDKTF_STACK_ENTRIES = new Set(["cdk.tf.json", "cdk.tf", "metadata.json", "assets"]);
/** What cdktf writes at the top of the output directory. */
const CDKTF_TOP_ENTRIES = new Set(["manifest.json", "stacks"]);
/** Write-ahead log of the renames of one synth, inside its staging directory (see recoverLeftovers). */
const JOURNAL = "moves.journal";
const COMMITTED = "committed";

type Move = readonly [from: string, to: string];

/**
 * Synthesizes into a staging directory beside `outdir` and swaps it into place
 * only when every stack synthesized cleanly, replacing only what cdktf writes:
 *
 * - In each stack directory that survives, everything cdktf does not write
 *   (`.terraform/`, `.terraform.lock.hcl`, saved plans, the user's own files)
 *   is moved into the new tree; cdk.tf.json / cdk.tf / metadata.json / assets/
 *   come from this synth only, so a stale cdk.tf beside a new cdk.tf.json
 *   cannot survive. Top-level entries other than manifest.json and stacks/ are
 *   kept the same way.
 * - A stack directory whose stack is no longer in the config is removed, with
 *   one line on `log` per stack.
 * - With a lock file at the project root, it is copied into every stack
 *   directory (it is the source of truth); one that pins another AWS provider
 *   version than the stacks require fails the synth.
 *
 * Atomic: the new tree is built and everything needed from the old output is
 * read and validated before anything moves. Preserved entries then move into
 * the new tree and the trees swap, all by rename() on one filesystem, recorded
 * in a journal first; any failure renames everything back. A run killed midway
 * is rolled back from its journal by the next run (recoverLeftovers).
 */
export function synthesizeAtomically(
  build: (app: App) => App,
  outdir: string,
  options: SynthOptions = {},
): SynthResult {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const lockFile = resolve(options.lockFile ?? LOCK_FILE);
  const requested = resolve(outdir);
  const shownOut = (...parts: string[]) => show(join(requested, ...parts));

  try {
    mkdirSync(dirname(requested), { recursive: true });
  } catch (error) {
    throw new OutputError(
      `cannot create ${show(dirname(requested))} (${describe(error)}): create it or choose another output directory`,
    );
  }
  // A symlinked cdktf.out keeps pointing at the directory it names: stage beside that one.
  let target = requested;
  try {
    target = realpathSync(requested);
  } catch {
    // missing (first synth) or a dangling link: checked below
  }
  recoverLeftovers(target);
  const targetStat = lstatSync(target, { throwIfNoEntry: false });
  if (targetStat && !targetStat.isDirectory()) throw notADirectory(shownOut(), target, targetStat);

  let staging: string;
  try {
    staging = mkdtempSync(join(dirname(target), `.${basename(target)}.staging-${process.pid}-`));
  } catch (error) {
    throw new OutputError(
      `cannot create a staging directory beside ${shownOut()} (${describe(error)}): synth needs write access to ${show(dirname(target))}`,
    );
  }
  const fresh = join(staging, "new");
  let keepStaging = false;
  try {
    const app = build(new App({ outdir: fresh }));
    try {
      app.synth();
    } catch (error) {
      // cdktf throws on error annotations unless the CLI asked it to continue; both end here.
      if (errorAnnotations(app).length === 0) throw error;
    }
    const problems = errorAnnotations(app);
    if (problems.length > 0) throw new SynthError(problems);

    const stacks = synthesizedStacks(fresh);
    const stackDirs = new Set(stacks.map((stack) => stack.dir));
    copyRootLockFile(lockFile, stacks, (stack) => requiredVersionOf(app, fresh, stack), fresh, shownOut);
    const old = targetStat ? planMoves(target, fresh, stackDirs, shownOut) : { moves: [], orphans: [] };
    if (targetStat) guardChanges(target, fresh, stacks, options);

    // cdktf-cli lists the directories under <outdir>/stacks before it runs the app
    // and afterwards calls fs.rmSync(dir, { recursive: true }) (no `force`) on every
    // one that is no longer a stack (@cdktf/cli-core synth-stack.js), so deleting an
    // orphaned directory ourselves makes `cdktf synth/list/diff/deploy` fail with
    // ENOENT. Under the CLI (it always sets CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS)
    // the orphan's contents still go with the old tree, atomically like everything
    // else, but an empty directory stays in its place for the CLI to remove. An empty
    // placeholder rather than the old directory: if the CLI dies before removing it,
    // what is left holds no stale cdk.tf.json anyone could plan or apply. The CLI
    // only lists real directories (lstat), so files and symlinks go either way.
    const underCli = Boolean(env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS);
    for (const orphan of old.orphans)
      if (underCli && orphan.directory) mkdirSync(join(fresh, "stacks", orphan.name));

    commit(
      [...old.moves, ...(targetStat ? [[target, join(staging, "old")] as const] : []), [fresh, target]],
      staging,
      () => (keepStaging = true),
    );
    for (const orphan of old.orphans)
      log(`removed ${shownOut("stacks", orphan.name)}: no longer in the config`);
    return { stacks: stacks.map((stack) => stack.dir), removed: old.orphans.map((orphan) => orphan.name) };
  } finally {
    // After a commit this holds the replaced files and orphans; after a failure, the unused new tree.
    // A failed removal is retried by the next run (recoverLeftovers).
    if (!keepStaging) removeQuietly(staging);
  }
}

/**
 * Compares every stack that the previous output also holds (JSON synth only)
 * and refuses replacements on the data path that were not allowed.
 */
function guardChanges(
  target: string,
  fresh: string,
  stacks: readonly SynthesizedStack[],
  options: SynthOptions,
) {
  const pairs = stacks
    .filter((stack) => stack.file.endsWith(".tf.json") && !options.unguardedStacks?.has(stack.name))
    .flatMap((stack) => {
      const previous = readStackJson(join(target, stack.file));
      return previous ? [{ name: stack.name, previous, next: readStackJson(join(fresh, stack.file))! }] : [];
    });
  const problems = pairs.flatMap((p) => replacementsOf(p.name, p.previous, p.next));
  const refused = [
    ...refusals(problems, options.allowReplace ?? new Set()),
    ...pairs.flatMap((p) => lockedKeyRefusals(p.name, p.previous, p.next)),
  ];
  if (refused.length > 0) throw new ChangeError(refused);
}

/** A stack's cdk.tf.json, or undefined when the previous output has none (or one synth cannot read: nothing to compare). */
function readStackJson(file: string): StackResources | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as StackResources;
  } catch {
    return undefined;
  }
}

interface SynthesizedStack {
  readonly name: string;
  /** Its directory name under stacks/. */
  readonly dir: string;
  /** Its synthesized file, relative to the output directory. */
  readonly file: string;
}

function synthesizedStacks(fresh: string): SynthesizedStack[] {
  const manifest = JSON.parse(readFileSync(join(fresh, "manifest.json"), "utf8")) as {
    stacks: Record<string, { name: string; workingDirectory: string; synthesizedStackPath: string }>;
  };
  // cdktf-cli matches stack directories by basename(workingDirectory); so do we.
  return Object.values(manifest.stacks).map((stack) => ({
    name: stack.name,
    dir: basename(stack.workingDirectory),
    file: stack.synthesizedStackPath,
  }));
}

/** The AWS provider version a stack requires, from its cdk.tf.json (with `--hcl`, from the stack itself). */
function requiredVersionOf(app: App, fresh: string, stack: SynthesizedStack): string | undefined {
  if (stack.file.endsWith(".tf.json"))
    return requiredAwsVersion(JSON.parse(readFileSync(join(fresh, stack.file), "utf8")));
  const construct = app.node.tryFindChild(stack.name);
  return construct instanceof TerraformStack ? requiredAwsVersion(construct.toTerraform()) : undefined;
}

/**
 * The committed lock file at the project root, when there is one, replaces each
 * stack's own: one file pins the one provider every stack uses. It must pin the
 * version the stacks require (read from what was just synthesized), or every
 * `terraform init` would fail on it later; better to say so now.
 */
function copyRootLockFile(
  lockFile: string,
  stacks: readonly SynthesizedStack[],
  requiredVersion: (stack: SynthesizedStack) => string | undefined,
  fresh: string,
  shownOut: (...parts: string[]) => string,
): void {
  if (!lstatSync(lockFile, { throwIfNoEntry: false })) return;
  const example = (stacks.find((stack) => stack.dir === "security") ?? stacks[0])?.dir ?? "<stack>";
  const fix = `delete it, synth, run \`terraform init -upgrade\` in ${shownOut("stacks", example)}, then copy that ${LOCK_FILE} back and commit it`;
  let content: Buffer;
  try {
    content = readFileSync(lockFile);
  } catch (error) {
    throw new OutputError(`cannot read ${lockFile} (${describe(error)}): ${fix}`);
  }
  const locked = lockedVersion(content.toString("utf8"));
  if (!locked)
    throw new OutputError(
      `${lockFile} cannot be parsed: it has no provider "${AWS_PROVIDER_ADDRESS}" block with a version; ${fix}`,
    );
  for (const stack of stacks) {
    const required = requiredVersion(stack);
    if (required !== undefined && required !== locked) {
      throw new OutputError(
        `${lockFile} locks ${AWS_PROVIDER_ADDRESS} ${locked}, but the stacks require ${required}: ${fix}`,
      );
    }
  }
  for (const stack of stacks) writeFileSync(join(fresh, "stacks", stack.dir, LOCK_FILE), content);
}

/**
 * Reads the previous output (every surviving stack directory included) and
 * plans which of its entries move into the new tree. Nothing moves yet, so any
 * problem found here leaves the previous output exactly as it was.
 */
function planMoves(
  target: string,
  fresh: string,
  stackDirs: ReadonlySet<string>,
  shownOut: (...parts: string[]) => string,
) {
  const moves: Move[] = [];
  const orphans: Array<{ name: string; directory: boolean }> = [];
  for (const name of listDirectory(target, shownOut())) {
    if (!CDKTF_TOP_ENTRIES.has(name)) moves.push([join(target, name), join(fresh, name)]);
  }
  const stacksDir = join(target, "stacks");
  const stacksStat = lstatSync(stacksDir, { throwIfNoEntry: false });
  if (!stacksStat) return { moves, orphans };
  if (!stacksStat.isDirectory()) throw notADirectory(shownOut("stacks"), stacksDir, stacksStat);
  for (const name of listDirectory(stacksDir, shownOut("stacks"))) {
    const dir = join(stacksDir, name);
    const stat = lstatSync(dir);
    if (!stackDirs.has(name)) {
      orphans.push({ name, directory: stat.isDirectory() });
      continue;
    }
    if (!stat.isDirectory()) throw notADirectory(shownOut("stacks", name), dir, stat);
    const written = new Set(readdirSync(join(fresh, "stacks", name)));
    for (const entry of listDirectory(dir, shownOut("stacks", name))) {
      // What this synth wrote wins (including a copied root lock file); what cdktf wrote last time and did not write now is stale.
      if (CDKTF_STACK_ENTRIES.has(entry) || written.has(entry)) continue;
      moves.push([join(dir, entry), join(fresh, "stacks", name, entry)]);
    }
  }
  return { moves, orphans };
}

/**
 * Performs the renames in order, each recorded in the journal before it
 * happens. On failure, renames back what was done, so the previous output is
 * as it was; if even that fails, keeps the staging directory (it holds what
 * could not be put back) for the next run to restore from the journal.
 */
function commit(moves: readonly Move[], staging: string, keepStaging: () => void): void {
  const journal = join(staging, JOURNAL);
  const done: Move[] = [];
  let failed: string | undefined;
  try {
    for (const move of moves) {
      failed = `could not move ${show(move[0])} to ${show(move[1])}`;
      appendFileSync(journal, `${JSON.stringify(move)}\n`);
      renameSync(move[0], move[1]);
      done.push(move);
    }
    failed = `could not record the finished synth in ${journal}`;
    appendFileSync(journal, `${COMMITTED}\n`);
  } catch (error) {
    if (undo(done)) throw new OutputError(`${failed} (${describe(error)}); the previous output is unchanged`);
    keepStaging();
    throw new OutputError(
      `${failed} (${describe(error)}), and could not move everything back: what is missing from the previous output is in ${staging}; the next synth puts it back`,
    );
  }
}

/**
 * Reverses moves, newest first, skipping those that never happened. True when
 * everything is back; false when a rename failed or something now occupies a
 * move's source, and the staging directory must be kept: it still holds data.
 */
function undo(moves: readonly Move[]): boolean {
  let ok = true;
  for (const [from, to] of [...moves].reverse()) {
    if (!present(to)) continue;
    if (present(from)) {
      ok = false;
      continue;
    }
    try {
      renameSync(to, from);
    } catch {
      ok = false;
    }
  }
  return ok;
}

/**
 * Staging directories left beside the output by a synth that was killed: one
 * killed while moving entries has its moves rolled back from its journal (so a
 * stack's .terraform/ is never lost), then it is deleted. Staging directories of
 * a synth still running (its pid is in the name) are left alone.
 */
function recoverLeftovers(target: string): void {
  const parent = dirname(target);
  const prefix = `.${basename(target)}.staging-`;
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = /^(\d+)-/.exec(name.slice(prefix.length))?.[1];
    if (pid !== undefined && isRunning(Number(pid))) continue;
    const dir = join(parent, name);
    let lines: string[] = [];
    try {
      lines = readFileSync(join(dir, JOURNAL), "utf8").split("\n");
    } catch {
      // no journal: it never moved anything
    }
    const moves = lines.includes(COMMITTED) ? [] : lines.flatMap((line) => parseMove(line));
    if (undo(moves)) removeQuietly(dir);
  }
}

function parseMove(line: string): Move[] {
  try {
    const move = JSON.parse(line);
    return Array.isArray(move) && move.length === 2 && move.every((part) => typeof part === "string")
      ? [[move[0], move[1]]]
      : [];
  } catch {
    return []; // a line cut short by the kill: its rename never ran
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function listDirectory(dir: string, shown: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    throw new OutputError(
      `cannot read ${shown} (${describe(error)}): fix its permissions or move it away, then synth again`,
    );
  }
}

function notADirectory(shown: string, path: string, stat: Stats): OutputError {
  const kind = stat.isFile()
    ? "a file"
    : stat.isSymbolicLink()
      ? existsSync(path)
        ? "a symbolic link"
        : "a dangling symbolic link"
      : "a special file";
  return new OutputError(`${shown} is ${kind}, not a directory: move it away or delete it, then synth again`);
}

/** Deletes a staging directory; if that fails, the next run's recoverLeftovers tries again. Never hides the synth's own outcome. */
function removeQuietly(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    // left for the next run
  }
}

function present(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** "ENOENT: no such file or directory" for a system error, else its message. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (error as NodeJS.ErrnoException).code ? message.split(",")[0] : message;
}

/** A path as the user would type it: relative when under the working directory. */
function show(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}
