import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { run as agentConfig } from "../scripts/agent-config";
import { run as diagram } from "../scripts/diagram";
import { EXAMPLE_CONFIG_PATH, run as docs } from "../scripts/update-readme";
import { baseConfig, fullConfig, PAYMENTS_ACCOUNT } from "./support/fixtures";

/** Runs a command in-process and captures what a terminal would show. */
function capture(
  command: (argv: string[], env: NodeJS.ProcessEnv, out: any) => number,
  argv: string[],
  env: NodeJS.ProcessEnv = {},
) {
  let stdout = "";
  let stderr = "";
  const code = command(argv, env, {
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
  });
  return { code, stdout, stderr };
}

const work = mkdtempSync(join(tmpdir(), "seclog-commands-"));
function configFile(name: string, document: unknown): string {
  const file = join(work, name);
  writeFileSync(file, stringify(document));
  return file;
}

function withFiles() {
  const config = baseConfig();
  config.accounts[0].logGroups[0].files = [{ path: "/var/log/messages", timestampFormat: "%b %d %H:%M:%S" }];
  config.accounts[0].logGroups[1].files = [
    {
      path: "/opt/payments/logs/security-*.log",
      timestampFormat: "%Y-%m-%dT%H:%M:%S",
      multiLineStartPattern: "{timestamp_format}",
    },
  ];
  return config;
}

describe("npm run agent-config", () => {
  const file = configFile("files.yaml", withFiles());

  test("maps every configured file to exactly its log group, in the chosen region", () => {
    const result = capture(agentConfig, ["payments-prod", "eu-west-1", "--config", file]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const agent = JSON.parse(result.stdout);
    expect(agent.agent).toEqual({ region: "eu-west-1" });
    expect(agent.logs.logs_collected.files.collect_list).toEqual([
      {
        file_path: "/var/log/messages",
        log_group_name: "/var/log/messages",
        log_stream_name: "{instance_id}",
        timestamp_format: "%b %d %H:%M:%S",
        retention_in_days: -1,
      },
      {
        file_path: "/opt/payments/logs/security-*.log",
        log_group_name: "/app/payments/security",
        log_stream_name: "{instance_id}",
        timestamp_format: "%Y-%m-%dT%H:%M:%S",
        multi_line_start_pattern: "{timestamp_format}",
        retention_in_days: -1,
      },
    ]);
  });

  test("the account may be named by id, and the region left out when it has one", () => {
    const config = withFiles();
    config.accounts[0].regions = ["eu-west-1"];
    const result = capture(agentConfig, [PAYMENTS_ACCOUNT, "-c", configFile("one-region.yaml", config)]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).agent.region).toBe("eu-west-1");
  });

  test("the example config (config/example.yaml) gives every file of an account", () => {
    const result = capture(agentConfig, ["web-prod"], { SECLOG_CONFIG: EXAMPLE_CONFIG_PATH });
    expect(result.code).toBe(0);
    const entries = JSON.parse(result.stdout).logs.logs_collected.files.collect_list;
    expect(entries.map((e: any) => [e.file_path, e.log_group_name])).toEqual([
      ["/var/log/nginx/access.log", "/var/log/nginx/access.log"],
      ["/var/log/nginx/error.log", "/var/log/nginx/error.log"],
    ]);
  });

  test.each([
    ["no account", [], /expected at least 1 argument/],
    ["a misspelt account", ["payments-prd"], /no account "payments-prd".*did you mean payments-prod\?/],
    [
      "a region the account does not ship from",
      ["payments-prod", "ap-south-1"],
      /ships only from us-east-1, eu-west-1/,
    ],
    [
      "no region for a two-region account",
      ["payments-prod"],
      /ships from us-east-1, eu-west-1: name the region/,
    ],
    ["an unknown option", ["payments-prod", "--regoin", "eu-west-1"], /Unknown option '--regoin'/],
    ["too many arguments", ["payments-prod", "eu-west-1", "extra"], /unexpected argument "extra"/],
  ])("%s: exit 2, says what is wrong and how to get help", (_what, argv, message) => {
    const result = capture(agentConfig, [...argv, "--config", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("--help");
    expect(result.stdout).toBe("");
  });

  test("an account without files: exit 1, names the config path and the fix", () => {
    const result = capture(agentConfig, ["web-prod", "--config", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/accounts\[1\]\.logGroups: no entry of web-prod lists files; add files:/);
  });

  test("a broken config file: exit 1, the problem, no stack trace", () => {
    const result = capture(agentConfig, [
      "web-prod",
      "--config",
      configFile("bad.yaml", { prefix: "secops" }),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/security: is required/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  test("--help: usage on stdout, exit 0", () => {
    const result = capture(agentConfig, ["--help"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^usage: npm run agent-config -- <account> \[region\]/);
  });
});

/** Node ids a Mermaid flowchart defines (`id[`, `id[(`, `id[[`, `subgraph id[`) and the ids its edges use. */
function mermaidGraph(text: string) {
  const lines = text
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.trim());
  const defined = new Set(
    lines.flatMap((l) => [...l.matchAll(/^(?:subgraph )?([A-Za-z0-9_]+)\[/g)].map((m) => m[1])),
  );
  const edges = lines
    .filter((l) => /-->|-\.->|<-\.->|\.->/.test(l))
    .map((l) => l.replace(/--\s[^->]+\s-->|-\.\s[^.]+\s\.->/g, "-->").split(/\s*(?:<-\.->|-->|-\.->)\s*/));
  return { defined, edges, lines };
}

describe("npm run diagram", () => {
  test("the example config: every account region points at its own region's destination, all destinations feed one stream", () => {
    const result = capture(diagram, [], { SECLOG_CONFIG: EXAMPLE_CONFIG_PATH });
    expect(result.code).toBe(0);
    const { defined, edges } = mermaidGraph(result.stdout);
    expect(result.stdout.startsWith("flowchart LR\n")).toBe(true);
    for (const edge of edges) for (const node of edge) expect(defined).toContain(node);
    const pairs = edges.map((e) => e.join(" > "));
    expect(pairs).toEqual(
      expect.arrayContaining([
        "src_payments_prod_us_east_1 > dest_us_east_1",
        "src_payments_prod_eu_west_1 > dest_eu_west_1",
        "src_web_prod_us_east_1 > dest_us_east_1",
        "dest_eu_west_1 > stream",
        "dest_us_east_1 > stream",
        "stream > firehose > bucket",
        "firehose > processor",
      ]),
    );
    expect(result.stdout).toContain("S3 secops-security-logs-111111111111");
    expect(result.stdout).toContain("Kinesis secops-security-logs<br/>on-demand");
  });

  test("organization mode, provisioned stream, Object Lock, queue and state bucket show up; raw format has no processor", () => {
    const config = fullConfig();
    config.delivery = { format: "raw", bufferSeconds: 60, bufferMiB: 5 };
    const result = capture(diagram, [configFile("full.yaml", config)]);
    expect(result.code).toBe(0);
    const { defined, edges } = mermaidGraph(result.stdout);
    for (const edge of edges) for (const node of edge) expect(defined).toContain(node);
    expect(result.stdout).toMatch(/org\[\["any account of o-a1b2c3d4e5/);
    for (const region of ["us-east-1", "eu-west-1", "ap-southeast-2"])
      expect(result.stdout).toContain(`org -.-> dest_${region.replace(/-/g, "_")}`);
    expect(result.stdout).toContain("2 shards");
    expect(result.stdout).toContain("Object Lock COMPLIANCE 365 d");
    expect(result.stdout).toContain("SQS secops-security-logs-objects");
    expect(result.stdout).toContain("S3 tf-state-bucket<br/>Terraform state");
    expect(defined.has("processor")).toBe(false);
  });

  test("a replica: the vault account's bucket, fed by replication from the archive", () => {
    const config = baseConfig();
    config.archive = {
      replica: {
        accountId: "444444444444",
        region: "us-west-2",
        objectLock: { mode: "COMPLIANCE", days: 2555 },
      },
    };
    const result = capture(diagram, [configFile("vault.yaml", config)]);
    expect(result.code).toBe(0);
    const { defined, edges } = mermaidGraph(result.stdout);
    for (const edge of edges) for (const node of edge) expect(defined).toContain(node);
    expect(edges.map((e) => e.join(" > "))).toContain("bucket > replica");
    expect(result.stdout).toContain('subgraph vault["vault (444444444444), us-west-2"]');
    expect(result.stdout).toContain(
      'replica[("S3 secops-security-logs-replica-444444444444<br/>SSE-KMS (own key), versioned, TLS-only<br/>Object Lock COMPLIANCE 2555 d")]',
    );
  });

  test("--markdown fences it; --out writes the file", () => {
    const out = join(work, "diagram.md");
    const result = capture(diagram, [EXAMPLE_CONFIG_PATH, "--markdown", "--out", out]);
    expect(result).toMatchObject({ code: 0, stdout: `wrote ${out}\n` });
    const text = readFileSync(out, "utf8");
    expect(text.startsWith("```mermaid\nflowchart LR\n")).toBe(true);
    expect(text.endsWith("```\n")).toBe(true);
  });

  test("bad arguments exit 2; a bad config exits 1", () => {
    expect(capture(diagram, ["--format", "png"]).code).toBe(2);
    expect(capture(diagram, ["a.yaml", "b.yaml"]).code).toBe(2);
    const missing = capture(diagram, [join(work, "missing.yaml")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/file not found/);
  });
});

describe("npm run docs", () => {
  test("--check: the committed README is current with config/example.yaml (exit 0); --help and bad arguments behave like every command", () => {
    const docsCommand = (argv: string[], _env: NodeJS.ProcessEnv, out: any) => docs(argv, out);
    expect(capture(docsCommand, ["--check"])).toMatchObject({ code: 0, stdout: "README.md is current\n" });
    const help = capture(docsCommand, ["--help"]).stdout;
    expect(help).toMatch(/^usage: npm run docs -- \[--check\]/);
    expect(help).toContain(`(from the example config, ${EXAMPLE_CONFIG_PATH}`);
    expect(capture(docsCommand, ["--chek"]).code).toBe(2);
  });
});

describe("Mermaid itself", () => {
  /** Mermaid's own parser, in a child process (it is an ES module that needs a DOM). */
  function parse(texts: string[]): string[] {
    const files = texts.map((text, i) => {
      const file = join(work, `parse-${i}.mmd`);
      writeFileSync(file, text);
      return file;
    });
    const result = spawnSync(process.execPath, [join(__dirname, "support", "mermaid-parse.mjs"), ...files], {
      encoding: "utf8",
    });
    expect(result.stderr).toBe("");
    return result.stdout.trim().split("\n");
  }

  test("parses the README's diagram and diagrams of the every-option and raw configs; rejects a broken one", () => {
    const readme = readFileSync("README.md", "utf8");
    const fenced = readme.slice(
      readme.indexOf("```mermaid\n") + 11,
      readme.indexOf("```", readme.indexOf("```mermaid\n") + 11),
    );
    const full = fullConfig();
    full.accounts[0].logGroups.push({ name: "/odd/#name_with.chars-1" });
    full.archive.replica = {
      accountId: "444444444444",
      region: "us-west-2",
      objectLock: { mode: "GOVERNANCE", days: 30 },
    };
    const raw = baseConfig();
    raw.delivery = { format: "raw", bufferMiB: 5 };
    const diagrams = [full, raw].map(
      (config, i) => capture(diagram, [configFile(`parse-${i}.yaml`, config)]).stdout,
    );
    expect(parse([fenced, ...diagrams, "flowchart LR\n  a[x] --> --> b\n"])).toEqual([
      "ok flowchart-v2",
      "ok flowchart-v2",
      "ok flowchart-v2",
      expect.stringMatching(/^error /),
    ]);
  });
});
