import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve, sep } from "node:path";
import { stringify } from "yaml";

/**
 * config/logging.yaml is the user's: editing it, as the README says to, must
 * not make the docs check or the tests fail. The README's diagram and the
 * tests read config/example.yaml instead. Proved on a copy of the project
 * whose config/logging.yaml is rewritten to a different, valid config.
 */
const ROOT = resolve(__dirname, "..");
const USER_CONFIG = "config/logging.yaml";

/** Not copied: installed or generated, or state. node_modules is symlinked instead. */
const SKIP_DIRS = new Set(["node_modules", ".git", "cdktf.out", ".terraform", "coverage", "dist", ".gen"]);

/** The jest suites that used to read config/logging.yaml for its content. */
const SUITES = ["__tests__/docs.test.ts", "__tests__/commands.test.ts", "__tests__/cli.test.ts"];

/** A config that shares nothing with the example: another prefix, accounts, regions, one application account. */
function userConfig() {
  return {
    prefix: "acme",
    tags: { team: "platform" },
    security: { accountId: "444444444444", region: "eu-central-1" },
    accounts: [
      {
        name: "ledger-dev",
        accountId: "555555555555",
        regions: ["ap-southeast-2", "eu-central-1"],
        logGroups: [
          {
            name: "/app/ledger/audit",
            create: true,
            retentionDays: 30,
            files: [{ path: "/var/log/ledger/audit.log" }],
          },
        ],
      },
    ],
  };
}

function copyProject(): string {
  const copy = mkdtempSync(join(tmpdir(), "seclog-user-config-"));
  cpSync(ROOT, copy, {
    recursive: true,
    filter: (source) => {
      const parts = relative(ROOT, source).split(sep);
      return !parts.some((part) => SKIP_DIRS.has(part)) && !basename(source).includes(".tfstate");
    },
  });
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
  return copy;
}

function run(command: string, args: string[], cwd: string) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: "1",
    SECLOG_CONFIG: "",
    FORCE_COLOR: "0",
  };
  delete env.JEST_WORKER_ID;
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", timeout: 150_000 });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    seconds: (Date.now() - started) / 1000,
  };
}

describe("the user's config/logging.yaml", () => {
  let copy: string;
  beforeAll(() => {
    copy = copyProject();
    writeFileSync(join(copy, USER_CONFIG), `# someone's own config\n${stringify(userConfig())}`);
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  test("rewritten to another valid config: npm run docs -- --check exits 0 and the docs, commands and cli suites pass", () => {
    expect(readFileSync(join(copy, USER_CONFIG), "utf8")).toContain("prefix: acme");

    const docs = run("npm", ["run", "-s", "docs", "--", "--check"], copy);
    expect({ status: docs.status, stdout: docs.stdout, stderr: docs.stderr }).toEqual({
      status: 0,
      stdout: "README.md is current\n",
      stderr: "",
    });

    const report = join(copy, "jest-report.json");
    const jest = run(
      "npx",
      [
        "jest",
        "--config",
        "jest.config.js",
        "--ci",
        "--json",
        `--outputFile=${report}`,
        "--runTestsByPath",
        ...SUITES,
      ],
      copy,
    );
    expect(
      existsSync(report) ? "" : `jest wrote no report (exit ${jest.status}):\n${jest.stderr.slice(-3000)}`,
    ).toBe("");
    const summary = JSON.parse(readFileSync(report, "utf8"));
    const failures = summary.testResults.flatMap((suite: any) =>
      suite.assertionResults
        .filter((a: any) => a.status !== "passed")
        .map(
          (a: any) =>
            `${relative(copy, suite.name)}: ${a.fullName}: ${a.failureMessages.join("\n").slice(0, 500)}`,
        ),
    );
    expect(failures).toEqual([]);
    expect(jest.status).toBe(0);
    expect(summary.testResults.map((suite: any) => relative(copy, suite.name)).sort()).toEqual(
      [...SUITES].sort(),
    );
    expect(summary.numPassedTests).toBeGreaterThan(20);
    process.stdout.write(
      `user-config copy: docs --check ${docs.seconds} s, ${summary.numPassedTests} tests of ${SUITES.length} suites ${jest.seconds} s\n`,
    );
  }, 240_000);
});
