import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Testing } from "cdktf";
import { stringify } from "yaml";
import { parseConfig } from "../lib/config/load";
import { stackNames } from "../scripts/check";
import { buildApp } from "../stacks/app";
import { baseConfig, fullConfig } from "./support/fixtures";
import { Format, render, writeConfigFile } from "./support/config-files";

/**
 * A bad config through the real processes: `npm run check` (scripts/check.ts)
 * and the app as cdktf runs it (the `app` command of cdktf.json) print the
 * same lines, exit 1 and write nothing; good configs and the command line.
 * The lines themselves, place by place, are config-places.test.ts's.
 */
const ROOT = resolve(__dirname, "..");
const APP_COMMAND: string = JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")).app;
const CHECK = ["--require", join(ROOT, "register.cjs"), join(ROOT, "scripts/check.ts")];
const work = mkdtempSync(join(tmpdir(), "seclog-errors-"));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function check(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Run {
  const result = spawnSync(process.execPath, [...CHECK, ...args], {
    cwd,
    env: { ...process.env, SECLOG_CONFIG: "", ...env },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function app(file: string, outdir: string): Run {
  const [command, ...args] = APP_COMMAND.split(" ");
  const result = spawnSync(command, args, {
    cwd: ROOT,
    env: { ...process.env, SECLOG_CONFIG: file, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

type Mutation = (config: Record<string, any>) => void;

const write = (name: string, format: Format, text: string) => writeConfigFile(work, name, format, text);

const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

describe("the app (cdktf.json's app command) reports the same lines as npm run check", () => {
  const cases: Array<[string, Format, Mutation, (text: string) => string]> = [
    [
      "misspelt key in the second account",
      "yaml",
      (c) => {
        c.accounts[1].acountId = c.accounts[1].accountId;
        delete c.accounts[1].accountId;
      },
      (t) => t,
    ],
    ["account without a name", "json", (c) => delete c.accounts[1].name, (t) => t],
    [
      "Terraform Cloud workspaces with the s3 backend",
      "yaml",
      (c) =>
        (c.state = {
          backend: "s3",
          s3: { bucket: "tf-state-bucket", region: "us-east-1" },
          cloud: { organization: "acme", workspaces: { create: true } },
        }),
      (t) => t,
    ],
    [
      "unclosed flow sequence",
      "yaml",
      () => undefined,
      (t) => t.replace("  region: us-east-1", "  region: [us-east-1"),
    ],
  ];

  test.each(cases)("%s (%s)", (what, format, mutate, change) => {
    const config = baseConfig();
    mutate(config);
    const file = write(`app ${what}`, format, change(render(config, format)));
    const outdir = join(work, `app-${what.replace(/\W+/g, "-")}-${format}-out`);
    const fromApp = app(file, outdir);
    const fromCheck = check([file]);
    expect(fromApp).toEqual({ status: 1, stdout: "", stderr: fromCheck.stderr });
    expect(fromApp.stderr).toMatch(
      new RegExp(`^  ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: `, "m"),
    );
    expect(fromApp.stderr).not.toMatch(STACK_TRACE);
    expect(existsSync(outdir)).toBe(false);
  });
});

describe("npm run check: good configs and the command line", () => {
  test.each([
    [
      "base (YAML)",
      "yaml",
      baseConfig(),
      "3 accounts, 2 destination regions, stacks: security, payments-prod, web-prod",
    ],
    [
      "base (JSON)",
      "json",
      baseConfig(),
      "3 accounts, 2 destination regions, stacks: security, payments-prod, web-prod",
    ],
    [
      "bootstrapped state, three regions",
      "yaml",
      fullConfig(),
      "3 accounts, 3 destination regions, stacks: state, security, payments-prod, web-prod",
    ],
  ] as const)("%s: exit 0, one ok line", (what, format, config, summary) => {
    const file = write(`good ${what}`, format, render(config, format));
    expect(check([file])).toEqual({ status: 0, stdout: `${file}: ok: ${summary}\n`, stderr: "" });
  });

  test("the stacks listed are the ones buildApp synthesizes", () => {
    const withEverything = fullConfig();
    withEverything.archive.replica = {
      accountId: "444444444444",
      region: "us-west-2",
      objectLock: { mode: "GOVERNANCE", days: 30 },
    };
    const cloud = (cloudSettings: Record<string, unknown>) => ({
      ...withEverything,
      state: { backend: "cloud", cloud: { organization: "acme", ...cloudSettings } },
    });
    for (const document of [
      baseConfig(),
      fullConfig(),
      withEverything,
      cloud({}),
      cloud({ dynamicCredentials: true }),
      cloud({ workspaces: { create: true } }),
      cloud({ dynamicCredentials: true, workspaces: { create: true } }),
    ]) {
      const config = parseConfig(document);
      const built = buildApp(config, Testing.app()).node.children.map((child) => child.node.id);
      expect(stackNames(config)).toEqual(built);
    }
  });

  test("without an argument: $SECLOG_CONFIG, else config/logging.yaml of the working directory", () => {
    const file = write("from env", "yaml", render(baseConfig(), "yaml"));
    expect(check([], { SECLOG_CONFIG: file })).toMatchObject({
      status: 0,
      stdout: `${file}: ok: 3 accounts, 2 destination regions, stacks: security, payments-prod, web-prod\n`,
    });
    // A directory of its own, so the user's config/logging.yaml is never read.
    const cwd = join(work, "default-cwd");
    mkdirSync(join(cwd, "config"), { recursive: true });
    const config = baseConfig();
    config.accounts.pop();
    writeFileSync(join(cwd, "config/logging.yaml"), stringify(config));
    expect(check([], {}, cwd)).toEqual({
      status: 0,
      stdout: "config/logging.yaml: ok: 2 accounts, 2 destination regions, stacks: security, payments-prod\n",
      stderr: "",
    });
  });

  test("a missing file: exit 1, one line", () => {
    const file = join(work, "nope", "logging.yaml");
    expect(check([file])).toEqual({
      status: 1,
      stdout: "",
      stderr: `${file}: file not found; set SECLOG_CONFIG to your config file (default config/logging.yaml)\n`,
    });
  });

  test("--help: exit 0, usage on stdout", () => {
    const result = check(["--help"]);
    expect(result).toMatchObject({ status: 0, stderr: "" });
    expect(result.stdout).toMatch(
      /^usage: npm run check -- \[config\]\n\nValidates a config file without synthesizing/,
    );
    expect(result.stdout).toMatch(/Exit codes: 0 valid, 1 config file problem, 2 bad arguments/);
  });

  test.each([
    ["an unknown option", ["--strict"], "check: Unknown option '--strict'"],
    ["two files", ["a.yaml", "b.yaml"], 'check: unexpected argument "b.yaml"'],
  ])("%s: exit 2, a pointer to --help", (_what, args, message) => {
    expect(check(args)).toEqual({
      status: 2,
      stdout: "",
      stderr: `${message}\nusage: npm run check -- [config]   (--help for details)\n`,
    });
  });

  test("loads no cdktf, constructs or provider module, and runs in well under a second", () => {
    const good = write("isolation good", "yaml", render(baseConfig(), "yaml"));
    const badConfig = baseConfig();
    badConfig.accounts[0].acountId = "1";
    const bad = write("isolation bad", "json", render(badConfig, "json"));
    const script = `
      const Module = require("node:module");
      const requests = [];
      const load = Module._load;
      Module._load = function (request, ...rest) { requests.push(request); return load.call(this, request, ...rest); };
      const sink = { write: () => true };
      const { run } = require("./scripts/check.ts");
      const codes = [run([${JSON.stringify(good)}], {}, { stdout: sink, stderr: sink }), run([${JSON.stringify(bad)}], {}, { stdout: sink, stderr: sink })];
      process.stdout.write(JSON.stringify({ codes, requests, files: Object.keys(require.cache), seconds: process.uptime() }));
    `;
    const result = spawnSync(process.execPath, ["--require", "./register.cjs", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(result.stderr).toBe("");
    const { codes, requests, files, seconds } = JSON.parse(result.stdout) as {
      codes: number[];
      requests: string[];
      files: string[];
      seconds: number;
    };
    expect(codes).toEqual([0, 1]);
    expect(files).toContain(join(ROOT, "scripts/check.ts"));
    expect(files).toContain(join(ROOT, "lib/config/load.ts"));
    const heavy = /(^|[\\/])(cdktf|@cdktf|constructs)([\\/]|$)/;
    expect(requests.filter((request) => heavy.test(request))).toEqual([]);
    expect(files.filter((file) => heavy.test(file) || file.startsWith(join(ROOT, "stacks")))).toEqual([]);
    // Typically 0.3-0.4 s on two cores; the bound leaves room for a busy machine. Under
    // Stryker (npm run test:mutation) the code is instrumented and the cores shared by
    // its runs, so there only the isolation above is asserted.
    if (process.env.STRYKER_MUTATOR_WORKER === undefined) expect(seconds).toBeLessThan(1.5);
  });
});
