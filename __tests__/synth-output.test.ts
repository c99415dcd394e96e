import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fingerprint } from "./support/files";
import { baseConfig } from "./support/fixtures";
import { AWS_PROVIDER_VERSION, terraform, terraformEnv } from "./support/terraform";

/**
 * What `synth` keeps and replaces in cdktf.out (lib/synth.ts), through the app
 * process as cdktf runs it (the `app` command of cdktf.json) and through the
 * real `cdktf synth` / `cdktf list`. Each app run uses its own project
 * directory as the working directory (where the root .terraform.lock.hcl lives)
 * with CDKTF_OUTDIR=cdktf.out, so messages read as a user sees them.
 */
const ROOT = resolve(__dirname, "..");
const APP_COMMAND: string = JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")).app;
const work = realpathSync(mkdtempSync(join(tmpdir(), "seclog-synth-out-")));
const tf = terraformEnv();

/** Test-only fault injection for the app process: fs calls that fail the way a real disk or permission problem would. */
const INJECT = join(work, "inject.cjs");
writeFileSync(
  INJECT,
  `const fs = require("node:fs");
const fail = (code, syscall, path) => Object.assign(new Error(code + ": " + (code === "EACCES" ? "permission denied" : "i/o error") + ", " + syscall + " '" + path + "'"), { code, syscall, path });
const readdir = fs.readdirSync;
fs.readdirSync = function (path, ...rest) {
  if (String(path) === process.env.INJECT_EACCES_READDIR) throw fail("EACCES", "scandir", String(path));
  return readdir.call(this, path, ...rest);
};
const rename = fs.renameSync;
fs.renameSync = function (from, to) {
  if (String(to) === process.env.INJECT_EIO_RENAME_TO && String(from).endsWith("/new")) throw fail("EIO", "rename", String(from));
  return rename.call(this, from, to);
};
`,
);

function writeConfig(name: string, config: Record<string, any>): string {
  const file = join(work, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

function withoutWeb(): Record<string, any> {
  const config = baseConfig();
  config.accounts = config.accounts.filter((account: { name: string }) => account.name !== "web-prod");
  return config;
}

const FULL = writeConfig("full.json", baseConfig());
const NO_WEB = writeConfig("no-web.json", withoutWeb());

/** A fresh project directory: the app's working directory, holding cdktf.out. */
function project(): string {
  return mkdtempSync(join(work, "project-"));
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The cdktf.json `app` command, run from `cwd` (its relative file arguments resolved against the repo). */
function runApp(cwd: string, configFile: string, env: NodeJS.ProcessEnv = {}): Run {
  const [command, ...args] = APP_COMMAND.split(" ").map((arg) =>
    existsSync(join(ROOT, arg)) ? join(ROOT, arg) : arg,
  );
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    SECLOG_CONFIG: configFile,
    CDKTF_OUTDIR: "cdktf.out",
    CHECKPOINT_DISABLE: "1",
    ...env,
  };
  delete childEnv.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS; // the plain app, not under cdktf-cli
  const result = spawnSync(command, ["--require", INJECT, ...args], { cwd, env: childEnv, encoding: "utf8" });
  expect(staging(cwd)).toEqual([]); // never a staging directory left behind
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function cdktf(verb: "synth" | "list", outdir: string, configFile: string): Run {
  const env = typeof tf === "string" ? process.env : tf.env; // the mirror CLI config keeps Terraform's own warnings out of the output
  const result = spawnSync("npx", ["cdktf", verb, "--output", outdir], {
    cwd: ROOT,
    env: { ...env, CHECKPOINT_DISABLE: "1", CI: "true", SECLOG_CONFIG: configFile },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function staging(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.includes(".staging-"));
}

/**
 * Every entry under `path` (dotfiles included), without following symlinks:
 * type, size, mode, mtime and, for files, a content hash. Stricter than
 * fingerprint() (content, symlinks, a root that is a file); `directoryTimes:
 * false` leaves out directory mtimes, which a rename in and back out changes.
 */
function snapshot(path: string, { directoryTimes = true } = {}): string[] {
  const entries: string[] = [];
  const walk = (rel: string) => {
    const full = join(path, rel);
    const stat = lstatSync(full);
    if (stat.isSymbolicLink()) entries.push(`${rel} -> ${readlinkSync(full)}`);
    else if (stat.isDirectory()) {
      entries.push(`${rel}/ ${stat.mode}${directoryTimes ? ` ${stat.mtimeMs}` : ""}`);
      for (const name of readdirSync(full).sort()) walk(join(rel, name));
    } else
      entries.push(
        `${rel} ${stat.mode} ${stat.size} ${stat.mtimeMs} ${createHash("sha256").update(readFileSync(full)).digest("hex")}`,
      );
  };
  if (lstatSync(path, { throwIfNoEntry: false })) walk("");
  return entries;
}

const NO_STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

/** A failed run: exit 1, exactly `line` on stderr, nothing on stdout. */
function expectRefused(result: Run, line: string | RegExp): void {
  expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 1, stdout: "" });
  if (typeof line === "string") expect(result.stderr).toBe(`${line}\n`);
  else expect(result.stderr).toMatch(line);
  expect(result.stderr).not.toMatch(NO_STACK_TRACE);
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
}

function expectOk(result: Run, stdout = ""): void {
  expect(result).toEqual({ status: 0, stdout, stderr: "" });
}

/** What `terraform init` leaves in a stack directory, without running it. */
function fakeInit(stackDir: string, marker: string): void {
  mkdirSync(join(stackDir, ".terraform", "providers"), { recursive: true });
  writeFileSync(join(stackDir, ".terraform", "providers", "marker"), marker);
  writeFileSync(join(stackDir, ".terraform.lock.hcl"), lockFile(AWS_PROVIDER_VERSION, marker));
}

function lockFile(version: string, hash = "test"): string {
  return [
    '# This file is maintained automatically by "terraform init".',
    "# Manual edits may be lost in future updates.",
    "",
    'provider "registry.terraform.io/hashicorp/aws" {',
    `  version     = "${version}"`,
    `  constraints = "${version}"`,
    "  hashes = [",
    `    "h1:${hash}=",`,
    "  ]",
    "}",
    "",
  ].join("\n");
}

/** One synth of the full config, copied into each test's project: an app run is ~1 s, a copy a few ms. */
let template = "";
beforeAll(() => {
  const dir = project();
  expectOk(runApp(dir, FULL));
  template = join(dir, "cdktf.out");
});

/** A project whose cdktf.out holds the full config's stacks, as a first synth leaves it. */
function synthesized(): { dir: string; out: string } {
  const dir = project();
  const out = join(dir, "cdktf.out");
  cpSync(template, out, { recursive: true });
  return { dir, out };
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("synth replaces only what cdktf writes (the app process)", () => {
  test("after terraform init, .terraform/ and the lock file survive a synth byte-identical; stale cdktf files go", async () => {
    const { dir, out } = synthesized();
    const security = join(out, "stacks", "security");
    if (typeof tf === "string") fakeInit(security, "security");
    else {
      const init = await terraform(["init", "-backend=false", "-input=false"], security, tf.env);
      expect({ status: init.status, stderr: init.stderr }).toEqual({ status: 0, stderr: "" });
    }
    const payments = join(out, "stacks", "payments-prod");
    fakeInit(payments, "payments");
    writeFileSync(join(payments, "plan"), "a saved plan");
    writeFileSync(join(payments, "notes.md"), "the user's own file");
    // What an older `cdktf synth --hcl` and an older asset left behind: cdktf's, so replaced.
    writeFileSync(join(payments, "cdk.tf"), 'resource "aws_s3_bucket" "stale" {}\n');
    writeFileSync(join(payments, "metadata.json"), "{}");
    mkdirSync(join(payments, "assets", "Old_Asset"), { recursive: true });
    writeFileSync(join(out, "stacks", "security", "cdk.tf.json"), "{}"); // hand-edited: replaced
    writeFileSync(join(out, "notes.txt"), "top-level file of the user's");
    const kept = (stack: string, entries: string[]) =>
      entries.flatMap((entry) => snapshot(join(out, "stacks", stack, entry)));
    const securityBefore = kept("security", [".terraform", ".terraform.lock.hcl"]);
    const paymentsBefore = kept("payments-prod", [".terraform", ".terraform.lock.hcl", "plan", "notes.md"]);
    expect(securityBefore.length).toBeGreaterThan(2);
    const notesBefore = snapshot(join(out, "notes.txt"));

    expectOk(runApp(dir, FULL));

    expect(kept("security", [".terraform", ".terraform.lock.hcl"])).toEqual(securityBefore);
    expect(kept("payments-prod", [".terraform", ".terraform.lock.hcl", "plan", "notes.md"])).toEqual(
      paymentsBefore,
    );
    expect(snapshot(join(out, "notes.txt"))).toEqual(notesBefore);
    expect(readdirSync(payments).sort()).toEqual([
      ".terraform",
      ".terraform.lock.hcl",
      "cdk.tf.json",
      "notes.md",
      "plan",
    ]);
    expect(readdirSync(join(out, "stacks", "security", "assets"))).toEqual([
      expect.stringMatching(/^Processor_Code_/),
    ]);
    expect(
      JSON.parse(readFileSync(join(security, "cdk.tf.json"), "utf8")).terraform.required_providers.aws
        .version,
    ).toBe(AWS_PROVIDER_VERSION);
    expect(readdirSync(out).sort()).toEqual(["manifest.json", "notes.txt", "stacks"]);
    if (typeof tf !== "string") {
      // Terraform uses the kept .terraform/ as it is: no second init.
      const validate = await terraform(["validate"], security, tf.env);
      expect({ status: validate.status, stdout: validate.stdout.trim() }).toEqual({
        status: 0,
        stdout: "Success! The configuration is valid.",
      });
    }
  });

  test("a stack removed from the config: its directory goes, one line on stdout, the other stacks keep .terraform/", () => {
    const { dir, out } = synthesized();
    for (const stack of ["security", "payments-prod", "web-prod"])
      fakeInit(join(out, "stacks", stack), stack);
    const before = ["security", "payments-prod"].map((stack) =>
      snapshot(join(out, "stacks", stack, ".terraform")),
    );

    expectOk(runApp(dir, NO_WEB), "removed cdktf.out/stacks/web-prod: no longer in the config\n");

    expect(readdirSync(join(out, "stacks")).sort()).toEqual(["payments-prod", "security"]);
    expect(Object.keys(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).stacks).sort()).toEqual([
      "payments-prod",
      "security",
    ]);
    expect(
      ["security", "payments-prod"].map((stack) => snapshot(join(out, "stacks", stack, ".terraform"))),
    ).toEqual(before);
    // Said once: the next synth has nothing to remove.
    expectOk(runApp(dir, NO_WEB));
  });

  test("a stack directory deleted by hand between runs is synthesized again", () => {
    const { dir, out } = synthesized();
    expectOk(runApp(dir, FULL)); // the backend's local state path in cdk.tf.json depends on the working directory
    const original = readFileSync(join(out, "stacks", "web-prod", "cdk.tf.json"), "utf8");
    rmSync(join(out, "stacks", "web-prod"), { recursive: true });
    expectOk(runApp(dir, FULL));
    expect(readFileSync(join(out, "stacks", "web-prod", "cdk.tf.json"), "utf8")).toBe(original);
  });

  test("the root .terraform.lock.hcl is copied into every stack directory, replacing each stack's own", () => {
    const { dir, out } = synthesized();
    const root = lockFile(AWS_PROVIDER_VERSION, "committed");
    writeFileSync(join(dir, ".terraform.lock.hcl"), root);
    fakeInit(join(out, "stacks", "security"), "local");
    const terraformDir = snapshot(join(out, "stacks", "security", ".terraform"));
    expectOk(runApp(dir, FULL));
    for (const stack of ["security", "payments-prod", "web-prod"]) {
      expect(readFileSync(join(out, "stacks", stack, ".terraform.lock.hcl"), "utf8")).toBe(root);
    }
    expect(snapshot(join(out, "stacks", "security", ".terraform"))).toEqual(terraformDir);
    // Without a root lock file each stack's own (terraform init's) is kept as it is.
    rmSync(join(dir, ".terraform.lock.hcl"));
    fakeInit(join(out, "stacks", "web-prod"), "web");
    expectOk(runApp(dir, FULL));
    expect(readFileSync(join(out, "stacks", "web-prod", ".terraform.lock.hcl"), "utf8")).toBe(
      lockFile(AWS_PROVIDER_VERSION, "web"),
    );
    expect(readFileSync(join(out, "stacks", "security", ".terraform.lock.hcl"), "utf8")).toBe(root);
  });

  const FIX =
    "delete it, synth, run `terraform init -upgrade` in cdktf.out/stacks/security, then copy that .terraform.lock.hcl back and commit it";
  test.each([
    [
      "locks another AWS provider version",
      lockFile("5.99.0"),
      (file: string) =>
        `${file} locks registry.terraform.io/hashicorp/aws 5.99.0, but the stacks require ${AWS_PROVIDER_VERSION}: ${FIX}`,
    ],
    [
      "cannot be parsed",
      "provider {{ not a lock file\n",
      (file: string) =>
        `${file} cannot be parsed: it has no provider "registry.terraform.io/hashicorp/aws" block with a version; ${FIX}`,
    ],
  ])(
    "a root lock file that %s fails the synth with one line, output untouched",
    (_what, content, message) => {
      const { dir, out } = synthesized();
      fakeInit(join(out, "stacks", "security"), "security");
      const before = { fingerprint: fingerprint(out), snapshot: snapshot(out) };
      const file = join(dir, ".terraform.lock.hcl");
      writeFileSync(file, content);
      expectRefused(runApp(dir, FULL), message(file));
      expect({ fingerprint: fingerprint(out), snapshot: snapshot(out) }).toEqual(before);
    },
  );

  test("cdktf.out that is a regular file: one line, exit 1, the file untouched", () => {
    const dir = project();
    const out = join(dir, "cdktf.out");
    writeFileSync(out, "not a directory");
    const before = snapshot(out);
    expectRefused(
      runApp(dir, FULL),
      "cdktf.out is a file, not a directory: move it away or delete it, then synth again",
    );
    expect(snapshot(out)).toEqual(before);
  });

  test.each([
    [
      "a file",
      (stackDir: string) => writeFileSync(stackDir, "oops"),
      "cdktf.out/stacks/web-prod is a file, not a directory: move it away or delete it, then synth again",
    ],
    [
      "a dangling symlink",
      (stackDir: string) => symlinkSync(join(stackDir, "..", "gone"), stackDir),
      "cdktf.out/stacks/web-prod is a dangling symbolic link, not a directory: move it away or delete it, then synth again",
    ],
    [
      "unreadable (EACCES injected: tests run as root)",
      (stackDir: string) => mkdirSync(stackDir),
      "cannot read cdktf.out/stacks/web-prod (EACCES: permission denied): fix its permissions or move it away, then synth again",
    ],
  ])("a stack directory that is %s: one line, exit 1, output untouched", (_what, breakIt, message) => {
    const { dir, out } = synthesized();
    const stackDir = join(out, "stacks", "web-prod");
    rmSync(stackDir, { recursive: true });
    breakIt(stackDir);
    fakeInit(join(out, "stacks", "security"), "security");
    const before = snapshot(out);
    expectRefused(runApp(dir, FULL, { INJECT_EACCES_READDIR: stackDir }), message);
    expect(snapshot(out)).toEqual(before);
  });

  test("a config file that vanished between runs: file not found, output untouched", () => {
    const dir = project();
    const out = join(dir, "cdktf.out");
    const file = writeConfig("vanishing.json", baseConfig());
    expectOk(runApp(dir, file));
    fakeInit(join(out, "stacks", "security"), "security");
    const before = { fingerprint: fingerprint(out), snapshot: snapshot(out) };
    rmSync(file);
    const result = runApp(dir, file);
    expectRefused(result, /file not found/);
    expect(result.stderr).toContain(file);
    expect({ fingerprint: fingerprint(out), snapshot: snapshot(out) }).toEqual(before);
  });

  test("a failure while swapping the trees (EIO injected) moves everything back: same files, same contents", () => {
    const { dir, out } = synthesized();
    for (const stack of ["security", "web-prod"]) fakeInit(join(out, "stacks", stack), stack);
    writeFileSync(join(out, "stacks", "security", "cdk.tf"), "stale");
    const before = snapshot(out, { directoryTimes: false });
    const result = runApp(dir, NO_WEB, { INJECT_EIO_RENAME_TO: out });
    expectRefused(
      result,
      /^could not move \.cdktf\.out\.staging-\d+-\w{6}\/new to cdktf\.out \(EIO: i\/o error\); the previous output is unchanged\n$/,
    );
    expect(snapshot(out, { directoryTimes: false })).toEqual(before);
  });

  test("leftover staging directories: a killed run's are rolled back from its journal and removed, a running one's are left", () => {
    const { dir, out } = synthesized();
    fakeInit(join(out, "stacks", "security"), "security");
    const terraformDir = snapshot(join(out, "stacks", "security", ".terraform"));
    // A run killed after it moved security/.terraform into its new tree.
    const deadPid = spawnSync("true").pid;
    const killed = join(dir, `.cdktf.out.staging-${deadPid}-abc123`);
    mkdirSync(join(killed, "new", "stacks", "security"), { recursive: true });
    const move = [
      join(out, "stacks", "security", ".terraform"),
      join(killed, "new", "stacks", "security", ".terraform"),
    ];
    writeFileSync(join(killed, "moves.journal"), `${JSON.stringify(move)}\n["${out}/stacks/security/.terr`); // cut short by the kill
    renameSync(move[0], move[1]);
    // The old implementation's (no pid), and one of a synth still running (this test's pid).
    mkdirSync(join(dir, ".cdktf.out.staging-Xy12Zq", "stacks"), { recursive: true });
    const running = join(dir, `.cdktf.out.staging-${process.pid}-live01`);
    mkdirSync(running);
    try {
      const [command, ...args] = APP_COMMAND.split(" ").map((arg) =>
        existsSync(join(ROOT, arg)) ? join(ROOT, arg) : arg,
      );
      const result = spawnSync(command, args, {
        cwd: dir,
        env: { ...process.env, SECLOG_CONFIG: FULL, CDKTF_OUTDIR: "cdktf.out", CHECKPOINT_DISABLE: "1" },
        encoding: "utf8",
      });
      expectOk({ status: result.status, stdout: result.stdout, stderr: result.stderr });
      expect(staging(dir)).toEqual([`.cdktf.out.staging-${process.pid}-live01`]);
      expect(snapshot(join(out, "stacks", "security", ".terraform"))).toEqual(terraformDir);
    } finally {
      rmSync(running, { recursive: true, force: true });
    }
  });
});

describe("through cdktf-cli (it removes orphaned stack directories itself)", () => {
  test("an account removed: `cdktf synth` and `cdktf list` exit 0, print the one line, and the directory is gone", () => {
    const { dir, out } = synthesized();
    for (const stack of ["security", "web-prod"]) fakeInit(join(out, "stacks", stack), stack);
    const terraformDir = snapshot(join(out, "stacks", "security", ".terraform"));
    const line = `removed ${out}/stacks/web-prod: no longer in the config`;
    const removedLines = (stdout: string) =>
      stdout.split("\n").filter((l) => l.includes("no longer in the config"));

    const synth = cdktf("synth", out, NO_WEB);
    expect({ status: synth.status, removed: removedLines(synth.stdout) }).toEqual({
      status: 0,
      removed: [line],
    });
    expect(synth.stdout + synth.stderr).not.toMatch(/ENOENT|lstat/);
    expect(readdirSync(join(out, "stacks")).sort()).toEqual(["payments-prod", "security"]);
    expect(snapshot(join(out, "stacks", "security", ".terraform"))).toEqual(terraformDir);

    // web-prod back, then removed by `cdktf list`, which runs the same synth.
    expectOk(runApp(dir, FULL));
    expect(readdirSync(join(out, "stacks")).sort()).toEqual(["payments-prod", "security", "web-prod"]);
    const list = cdktf("list", out, NO_WEB);
    expect({ status: list.status, removed: removedLines(list.stdout) }).toEqual({
      status: 0,
      removed: [line],
    });
    // The table wraps long paths at 80 columns: the stack names start the lines.
    expect(list.stdout).toMatch(/^Stack name +Path$/m);
    expect(list.stdout.match(/^\S+(?= {2,})/gm)).toEqual(["payments-prod", "security"]);
    expect(readdirSync(join(out, "stacks")).sort()).toEqual(["payments-prod", "security"]);
    expect(snapshot(join(out, "stacks", "security", ".terraform"))).toEqual(terraformDir);
    expect(staging(dir)).toEqual([]);
  });
});
