import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AthenaClient,
  CreateWorkGroupCommand,
  GetQueryExecutionCommand,
  ListQueryExecutionsCommand,
} from "@aws-sdk/client-athena";
import { huntNamed, huntValues, athenaLiteral } from "../lib/search";
import {
  ENDPOINT_ENV,
  formatCsv,
  formatJson,
  formatTable,
  humanBytes,
  listHunts,
  moreRowsNote,
  parseDuration,
  parseRequest,
  parseTime,
  pollDelay,
  failureMessage,
  fetchResults,
  MORE_ROWS_COUNTED,
  ResultTable,
  run,
  RunOptions,
  scanCost,
  scanSummary,
  visible,
} from "../scripts/query";
import { loadConfigFile } from "../lib/config/load";
import { render, writeConfigFile } from "./support/config-files";
import { Moto, motoUnavailable, startMoto } from "./support/emulator";
import { baseConfig, PAYMENTS_ACCOUNT } from "./support/fixtures";

const NOW = new Date("2026-12-01T12:00:00.000Z");
const H10 = Date.UTC(2026, 11, 1, 10); // 1796119200000

const work = mkdtempSync(join(tmpdir(), "seclog-query-"));
const configOf = (name: string, change: (config: Record<string, any>) => void = () => undefined) => {
  const config = baseConfig();
  change(config);
  return writeConfigFile(work, name, "yaml", render(config, "yaml"));
};
const CONFIG = configOf("base");
/** Nothing listens on port 9: a command that called AWS here would fail with a connection error. */
const NO_AWS = { [ENDPOINT_ENV]: "http://127.0.0.1:9" };

/** Runs the command in-process with a fixed clock and no waits; captures stdout and stderr. */
async function query(argv: string[], env: NodeJS.ProcessEnv = NO_AWS, options: RunOptions = {}) {
  let stdout = "";
  let stderr = "";
  const code = await run(
    argv,
    env,
    {
      stdout: { write: (s: string) => ((stdout += s), true) },
      stderr: { write: (s: string) => ((stderr += s), true) },
    },
    { now: () => NOW, sleep: async () => undefined, ...options },
  );
  return { code, stdout, stderr };
}

describe("query: times", () => {
  test("a duration is a positive whole number of minutes, hours or days", () => {
    expect(["30m", "2h", "7d", "90m"].map(parseDuration)).toEqual([
      1_800_000, 7_200_000, 604_800_000, 5_400_000,
    ]);
    expect(["0h", "2", "h", "2H", "1.5h", "-2h", "2w", " 2h", "02h", ""].map(parseDuration)).toEqual(
      Array(10).fill(undefined),
    );
  });

  test("--since/--until: a duration back from now, or a UTC date, date and hour, or ISO 8601 with a zone", () => {
    expect(
      [
        "2h",
        "30m",
        "7d",
        "2026-12-01",
        "2026-12-01T10",
        "2026-12-01T10:30:00Z",
        "2026-12-01T11:30+01:00",
      ].map((t) => parseTime(t, NOW)?.toISOString()),
    ).toEqual([
      "2026-12-01T10:00:00.000Z",
      "2026-12-01T11:30:00.000Z",
      "2026-11-24T12:00:00.000Z",
      "2026-12-01T00:00:00.000Z",
      "2026-12-01T10:00:00.000Z",
      "2026-12-01T10:30:00.000Z",
      "2026-12-01T10:30:00.000Z",
    ]);
    expect(["yesterday", "2026-12-01T10:30", "now", ""].map((t) => parseTime(t, NOW))).toEqual(
      Array(4).fill(undefined),
    );
  });
});

describe("query: the command line as a hunt's input", () => {
  test("account-events: the window, the account; --until defaults to now; table and 1000 rows by default", () => {
    const request = parseRequest(["account-events"], { since: "2h", account: PAYMENTS_ACCOUNT }, NOW);
    expect({ ...request, hunt: request.hunt.name }).toEqual({
      hunt: "account-events",
      input: {
        from: new Date(H10),
        to: NOW,
        account: PAYMENTS_ACCOUNT,
        logGroup: undefined,
        text: undefined,
      },
      format: "table",
      maxRows: 1000,
    });
    expect(huntValues(request.hunt, request.input).map(athenaLiteral)).toEqual([
      "'2026/12/01/10'",
      "'2026/12/01/14'",
      "'222222222222'",
      "1796119200000",
      "1796126400000",
    ]);
  });

  test("--csv, --json, --max-rows; log group and text go through as given", () => {
    const csv = parseRequest(
      ["log-group-events"],
      {
        since: "2026-12-01T10",
        until: "2026-12-01T11",
        account: PAYMENTS_ACCOUNT,
        "log-group": "/a/b",
        csv: true,
      },
      NOW,
    );
    expect([csv.format, csv.maxRows, csv.input.logGroup]).toEqual(["csv", 1000, "/a/b"]);
    const json = parseRequest(
      ["text-search"],
      { since: "7d", text: "Bob", json: true, "max-rows": "5" },
      NOW,
    );
    expect([json.format, json.maxRows, json.input.text, json.input.from.toISOString()]).toEqual([
      "json",
      5,
      "Bob",
      "2026-11-24T12:00:00.000Z",
    ]);
  });

  test("--list names every hunt, the options it needs, and what it does", () => {
    expect(listHunts()).toBe(
      [
        "hunts (npm run query -- <hunt> <options>):",
        "",
        "  account-events    --since <time> --account <id> [--until <time>]",
        "                    every event of one account in a time window",
        "  log-group-events  --since <time> --account <id> --log-group <name> [--until <time>]",
        "                    every event of one log group of one account in a time window",
        "  text-search       --since <time> --text <text> [--until <time>]",
        "                    events of every account whose message contains a text (case-insensitive) in a time window",
        "  auth-failures     --since <time> [--until <time>]",
        "                    sshd and sudo authentication failures of every account in a time window, by source",
        "  events-per-hour   --since <time> [--until <time>]",
        "                    events per account per delivery hour (an account or hour missing from the rows delivered nothing)",
        "",
      ].join("\n"),
    );
  });

  test("--list and --help make no AWS call and need no config", async () => {
    const list = await query(["--list", "--config", join(work, "missing.yaml")]);
    expect([list.code, list.stdout, list.stderr]).toEqual([0, listHunts(), ""]);
    const help = await query(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout.split("\n")[0]).toBe(
      "usage: npm run query -- <hunt> --since <time> [--until <time>] [--account <id>] [--log-group <name>] [--text <text>] [--csv | --json] [--max-rows N] [--config <file>] | --list",
    );
    expect(help.stdout).toContain("Exit codes: 0 the query succeeded (also with no rows)");
  });

  const USAGE: Array<[string, string[], string]> = [
    ["no hunt", ["--since", "2h"], "name a hunt (--list shows every hunt)"],
    [
      "a misspelt hunt",
      ["acount-events", "--since", "2h"],
      'unknown hunt "acount-events"; did you mean account-events? (--list shows every hunt)',
    ],
    [
      "an unknown hunt",
      ["select-star", "--since", "2h"],
      'unknown hunt "select-star"; the hunts are account-events, log-group-events, text-search, auth-failures, events-per-hour (--list shows what each does)',
    ],
    ["no --since", ["auth-failures"], "--since is required (e.g. --since 2h)"],
    [
      "a bad --since",
      ["auth-failures", "--since", "yesterday"],
      '--since must be a duration back from now (30m, 2h, 7d), a UTC date (2026-12-01), date and hour (2026-12-01T13), or ISO 8601 time with Z or an offset, got "yesterday"',
    ],
    [
      "a bad --until",
      ["auth-failures", "--since", "2h", "--until", "2026-12-01T10:30"],
      '--until must be a duration back from now (30m, 2h, 7d), a UTC date (2026-12-01), date and hour (2026-12-01T13), or ISO 8601 time with Z or an offset, got "2026-12-01T10:30"',
    ],
    [
      "--since after --until",
      ["auth-failures", "--since", "2h", "--until", "3h"],
      "--since must be before --until",
    ],
    [
      "--since equal to --until",
      ["auth-failures", "--since", "2026-12-01T10", "--until", "2026-12-01T10:00:00Z"],
      "--since must be before --until",
    ],
    [
      "an account that is not 12 digits",
      ["account-events", "--since", "2h", "--account", "2222"],
      '--account must be a 12-digit account id, got "2222"',
    ],
    [
      "account-events without --account",
      ["account-events", "--since", "2h"],
      "hunt account-events needs --account",
    ],
    [
      "log-group-events without --log-group",
      ["log-group-events", "--since", "2h", "--account", PAYMENTS_ACCOUNT],
      "hunt log-group-events needs --log-group",
    ],
    [
      "log-group-events without --account",
      ["log-group-events", "--since", "2h", "--log-group", "/a"],
      "hunt log-group-events needs --account",
    ],
    ["text-search without --text", ["text-search", "--since", "2h"], "hunt text-search needs --text"],
    [
      "text-search with an empty --text",
      ["text-search", "--since", "2h", "--text", ""],
      "hunt text-search needs --text",
    ],
    [
      "an option the hunt would ignore",
      ["auth-failures", "--since", "2h", "--account", PAYMENTS_ACCOUNT],
      "hunt auth-failures does not take --account (--list shows what each hunt takes)",
    ],
    [
      "--text to a hunt without one",
      ["account-events", "--since", "2h", "--account", PAYMENTS_ACCOUNT, "--text", "x"],
      "hunt account-events does not take --text (--list shows what each hunt takes)",
    ],
    [
      "--csv and --json",
      ["auth-failures", "--since", "2h", "--csv", "--json"],
      "--csv and --json exclude each other",
    ],
    [
      "--max-rows 0",
      ["auth-failures", "--since", "2h", "--max-rows", "0"],
      '--max-rows must be a positive number, got "0"',
    ],
    [
      "--max-rows 1.5",
      ["auth-failures", "--since", "2h", "--max-rows", "1.5"],
      '--max-rows must be a whole number, got "1.5"',
    ],
    ["an unknown option", ["auth-failures", "--since", "2h", "--limit", "5"], "Unknown option '--limit'"],
    ["two hunts", ["auth-failures", "text-search", "--since", "2h"], 'unexpected argument "text-search"'],
    ["--list with a hunt", ["--list", "auth-failures"], "--list takes no hunt"],
  ];

  test.each(USAGE)(
    "%s: exit 2, the problem, then the usage line; no AWS call",
    async (_what, argv, message) => {
      const result = await query([...argv, "--config", CONFIG]);
      expect([result.code, result.stdout, result.stderr.split("\n")]).toEqual([
        2,
        "",
        [
          `query: ${message}`,
          "usage: npm run query -- <hunt> --since <time> [--until <time>] [--account <id>] [--log-group <name>] [--text <text>] [--csv | --json] [--max-rows N] [--config <file>] | --list   (--help for details)",
          "",
        ],
      ]);
    },
  );

  test("search off in the config: exit 1, saying how to turn it on; no AWS call", async () => {
    const off = configOf("search-off", (config) => (config.search = { enabled: false }));
    const raw = configOf("format-raw", (config) => (config.delivery = { format: "raw" }));
    const argv = ["auth-failures", "--since", "2h", "--config"];
    expect(await query([...argv, off])).toEqual({
      code: 1,
      stdout: "",
      stderr: `${off}: search is off (search.enabled: false): remove it or set search.enabled: true, then npx cdktf deploy security\n`,
    });
    expect(await query([...argv, raw])).toEqual({
      code: 1,
      stdout: "",
      stderr: `${raw}: search is off: delivery.format is raw, and raw objects have nothing for Athena to project; set delivery.format: events (the default), then npx cdktf deploy security\n`,
    });
  });
});

const EVENTS: ResultTable = {
  columns: [
    { name: "timestamp", type: "bigint" },
    { name: "account", type: "varchar" },
    { name: "message", type: "varchar" },
  ],
  rows: [
    ["1796119200000", PAYMENTS_ACCOUNT, 'Failed password for "root", from 10.0.0.1'],
    ["1796119201234", "333333333333", "line one\nline two\t\u001b[31mred\u001b[0m é"],
    ["1796119202000", PAYMENTS_ACCOUNT, null],
    ["1796119203000", PAYMENTS_ACCOUNT, ""],
  ],
};

describe("query: output formats", () => {
  test("table: aligned, times as ISO UTC, control characters escaped, NULL empty, no trailing spaces", () => {
    expect(formatTable(EVENTS)).toBe(
      [
        "timestamp                 account       message",
        `------------------------  ------------  ${"-".repeat(41)}`,
        '2026-12-01T10:00:00.000Z  222222222222  Failed password for "root", from 10.0.0.1',
        "2026-12-01T10:00:01.234Z  333333333333  line one\\nline two\\t\\x1b[31mred\\x1b[0m é",
        "2026-12-01T10:00:02.000Z  222222222222",
        "2026-12-01T10:00:03.000Z  222222222222",
        "",
      ].join("\n"),
    );
  });

  test("table: integer columns right-aligned; a header and rule with no rows; nothing without columns", () => {
    const counts: ResultTable = {
      columns: [
        { name: "source", type: "varchar" },
        { name: "failures", type: "bigint" },
      ],
      rows: [
        ["10.0.0.1", "1200"],
        ["unknown", "7"],
      ],
    };
    expect(formatTable(counts)).toBe(
      ["source    failures", "--------  --------", "10.0.0.1      1200", "unknown          7", ""].join("\n"),
    );
    expect(formatTable({ columns: counts.columns, rows: [] })).toBe("source  failures\n------  --------\n");
    expect(formatTable({ columns: [], rows: [] })).toBe("");
  });

  test("visible escapes C0, DEL, C1 and the backslash itself, and nothing else", () => {
    expect(visible("a\\b\u0000\u007f\u009b\r é€")).toBe("a\\\\b\\x00\\x7f\\x9b\\r é€");
  });

  test("CSV: RFC 4180 quoting, CRLF, raw milliseconds; NULL the empty field, the empty string quoted", () => {
    expect(formatCsv(EVENTS)).toBe(
      [
        "timestamp,account,message",
        `1796119200000,222222222222,"Failed password for ""root"", from 10.0.0.1"`,
        `1796119201234,333333333333,"line one\nline two\t\u001b[31mred\u001b[0m é"`,
        "1796119202000,222222222222,",
        `1796119203000,222222222222,""`,
        "",
      ].join("\r\n"),
    );
  });

  test("JSON: an array of objects, integers as numbers, NULL as null, control characters escaped", () => {
    expect(formatJson(EVENTS)).toBe(
      `${JSON.stringify(
        [
          {
            timestamp: 1796119200000,
            account: PAYMENTS_ACCOUNT,
            message: 'Failed password for "root", from 10.0.0.1',
          },
          {
            timestamp: 1796119201234,
            account: "333333333333",
            message: "line one\nline two\t\u001b[31mred\u001b[0m é",
          },
          { timestamp: 1796119202000, account: PAYMENTS_ACCOUNT, message: null },
          { timestamp: 1796119203000, account: PAYMENTS_ACCOUNT, message: "" },
        ],
        null,
        2,
      )}\n`,
    );
    expect(formatJson(EVENTS)).toContain('"line one\\nline two\\t\\u001b[31mred\\u001b[0m é"');
    const big: ResultTable = {
      columns: [{ name: "n", type: "bigint" }],
      rows: [["9007199254740993"], ["\u009b"]],
    };
    expect(formatJson(big)).toBe(
      '[\n  {\n    "n": "9007199254740993"\n  },\n  {\n    "n": "\\u009b"\n  }\n]\n',
    );
    expect(formatJson({ columns: EVENTS.columns, rows: [] })).toBe("[]\n");
  });

  test("bytes in binary units; the cost in whole MiB, at least 10 MiB, at $5 per TiB", () => {
    expect([0, 512, 1536, 12.3 * 1024 ** 2, 1024 ** 3, 5 * 1024 ** 4].map(humanBytes)).toEqual([
      "0 B",
      "512 B",
      "1.5 KiB",
      "12.3 MiB",
      "1.0 GiB",
      "5.0 TiB",
    ]);
    expect(scanCost(0)).toEqual({ billedBytes: 10 * 1024 ** 2, usd: (10 / 1024 ** 2) * 5 });
    expect(scanCost(20 * 1024 ** 2 + 1).billedBytes).toBe(21 * 1024 ** 2);
    expect(scanCost(1024 ** 4).usd).toBe(5);
    expect(scanSummary(3, 0)).toBe(
      "query: 3 rows; scanned 0 B, billed as 10.0 MiB, Athena's minimum per query: $0.000048 at $5 per TB",
    );
    expect(scanSummary(1, 200 * 1024 ** 3)).toBe(
      "query: 1 row; scanned 200.0 GiB, billed as 200.0 GiB: $0.98 at $5 per TB",
    );
    expect(scanSummary(10_001, 12 * 1024 ** 2, true)).toBe(
      "query: more than 10001 rows; scanned 12.0 MiB, billed as 12.0 MiB: $0.000057 at $5 per TB",
    );
  });

  test("polls back off from 250 ms to at most 3 s", () => {
    expect([0, 1, 2, 3, 4, 5, 20].map(pollDelay)).toEqual([250, 500, 1000, 2000, 3000, 3000, 3000]);
  });

  /** GetQueryResults of `total` rows in pages of `pageRows`, the header first, as Athena pages them. */
  function pagedAthena(total: number, pageRows: number) {
    const rows = [["n"], ...Array.from({ length: total }, (_, i) => [String(i + 1)])];
    const requests: Array<{ NextToken?: string; MaxResults?: number }> = [];
    const send = async (command: { input: { NextToken?: string; MaxResults?: number } }) => {
      requests.push({ NextToken: command.input.NextToken, MaxResults: command.input.MaxResults });
      const start = Number(command.input.NextToken ?? 0);
      const end = Math.min(start + pageRows, rows.length);
      return {
        ResultSet: {
          Rows: rows.slice(start, end).map((row) => ({ Data: row.map((v) => ({ VarCharValue: v })) })),
          ResultSetMetadata: { ColumnInfo: [{ Name: "n", Type: "bigint" }] },
        },
        NextToken: end < rows.length ? String(end) : undefined,
      };
    };
    return { athena: { send } as any, requests };
  }

  test("results are paged: the header only from the first page; rows past --max-rows counted, up to a bound", async () => {
    const small = pagedAthena(2500, 1000);
    const capped = await fetchResults(small.athena, "q", 1200);
    expect({
      columns: capped.table.columns,
      rows: capped.table.rows.length,
      first: capped.table.rows[0],
      last: capped.table.rows.at(-1),
      more: capped.more,
      complete: capped.complete,
      requests: small.requests,
    }).toEqual({
      columns: [{ name: "n", type: "bigint" }],
      rows: 1200,
      first: ["1"],
      last: ["1200"],
      more: 1300,
      complete: true,
      requests: [
        { NextToken: undefined, MaxResults: 1000 },
        { NextToken: "1000", MaxResults: 1000 },
        { NextToken: "2000", MaxResults: 1000 },
      ],
    });
    expect(MORE_ROWS_COUNTED).toBe(10_000);
    const huge = pagedAthena(50_000, 1000);
    const counted = await fetchResults(huge.athena, "q", 10);
    expect([counted.table.rows.length, counted.more, counted.complete, huge.requests.length]).toEqual([
      10,
      // The first page: the header and 999 rows, 10 printed; ten more pages pass MORE_ROWS_COUNTED.
      989 + 10 * 1000,
      false,
      11,
    ]);
  });

  test("rows past --max-rows: how many, and the results' S3 location", () => {
    const table = { columns: [], rows: [] };
    const location = {
      ResultConfiguration: { OutputLocation: "s3://secops-athena-results-111111111111/q/1.csv" },
    };
    expect(moreRowsNote({ table, more: 1, complete: true }, 1000, location)).toBe(
      "query: 1 more row not printed (--max-rows 1000); all rows are in s3://secops-athena-results-111111111111/q/1.csv\n",
    );
    expect(moreRowsNote({ table, more: 10_000, complete: false }, 5, {})).toBe(
      "query: more than 10000 more rows not printed (--max-rows 5); Athena gave no results location\n",
    );
  });

  test("a failed or cancelled query: Athena's reason, and what to do when the scan limit stopped it", () => {
    const config = loadConfigFile(CONFIG);
    expect(
      failureMessage(
        {
          QueryExecutionId: "q-1",
          Status: { State: "FAILED", StateChangeReason: "TABLE_NOT_FOUND: line 2:6" },
        },
        config,
      ),
    ).toBe("query: q-1 FAILED: TABLE_NOT_FOUND: line 2:6\n");
    expect(
      failureMessage(
        {
          QueryExecutionId: "q-2",
          Status: {
            State: "CANCELLED",
            StateChangeReason: "Query cancelled! : Bytes scanned limit was exceeded",
          },
        },
        config,
      ),
    ).toBe(
      [
        "query: q-2 CANCELLED: Query cancelled! : Bytes scanned limit was exceeded",
        "query: the workgroup's per-query scan limit (search.scanLimitGiB: 100.0 GiB) stopped it: narrow --since/--until, use a hunt that names --account or --log-group, or raise search.scanLimitGiB and deploy the security stack",
        "",
      ].join("\n"),
    );
    expect(failureMessage({ QueryExecutionId: "q-3", Status: { State: "FAILED" } }, config)).toBe(
      "query: q-3 FAILED: Athena gave no reason\n",
    );
  });
});

const cannotRun = motoUnavailable();
const inCi = process.env.CI === "true";
if (cannotRun && !inCi) process.stdout.write(`query emulator test skipped: ${cannotRun}\n`);
const describeMoto = cannotRun && !inCi ? describe.skip : describe;

/** moto's default account: credentials it did not issue land there. */
const MOTO_ACCOUNT = "123456789012";
const WORKGROUP = "secops-security-logs";
const DATABASE = "secops_security_logs";

const varchar = (name: string, type = "varchar") => ({
  CatalogName: "hive",
  SchemaName: DATABASE,
  TableName: "",
  Name: name,
  Label: name,
  Type: type,
  Precision: 0,
  Scale: 0,
  Nullable: "UNKNOWN",
  CaseSensitive: type === "varchar",
});
const EVENT_COLUMNS = [
  varchar("timestamp", "bigint"),
  ...["account", "region", "loggroup", "logstream", "id", "message"].map((n) => varchar(n)),
];
const SECURE_ROWS = [
  [
    "1796119260000",
    PAYMENTS_ACCOUNT,
    "eu-west-1",
    "/var/log/secure",
    "i-0abc",
    "38000000000000000001",
    "Dec  1 10:01:00 host sshd[7]: Failed password for root from 203.0.113.9 port 2222 ssh2",
  ],
  [
    "1796122800500",
    PAYMENTS_ACCOUNT,
    "eu-west-1",
    "/var/log/secure",
    "i-0abc",
    "38000000000000000002",
    "Dec  1 11:00:00 host sudo: ops : COMMAND=/bin/ls",
  ],
];

describeMoto("npm run query against moto's Athena", () => {
  const savedEnv = { ...process.env };
  let moto: Moto;
  let athena: AthenaClient;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    moto = await startMoto();
    // The command's client takes credentials from the SDK's default chain: the environment here.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "AKIAEMULATOR00000000",
      AWS_SECRET_ACCESS_KEY: "emulator-secret",
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    env = { ...process.env, [ENDPOINT_ENV]: moto.endpoint };
    athena = new AthenaClient({
      endpoint: moto.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIAEMULATOR00000000", secretAccessKey: "emulator-secret" },
    });
    await athena.send(new CreateWorkGroupCommand({ Name: WORKGROUP }));
  }, 60_000);

  afterAll(async () => {
    athena?.destroy();
    await moto?.stop();
    process.env = savedEnv;
  });

  /** Queues the rows (header first) moto returns for the next query started. */
  async function seed(header: string[], rows: string[][], columns: object[]) {
    const cells = (row: Array<string | null>) => ({
      Data: row.map((v) => (v === null ? {} : { VarCharValue: v })),
    });
    const response = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, {
      method: "POST",
      body: JSON.stringify({
        account_id: MOTO_ACCOUNT,
        region: "us-east-1",
        results: [{ rows: [header, ...rows].map(cells), column_info: columns }],
      }),
    });
    expect(response.status).toBe(201);
  }

  async function transition(progression: object | undefined) {
    const path = progression ? "set-transition" : "unset-transition";
    const response = await fetch(`${moto.endpoint}/moto-api/state-manager/${path}`, {
      method: "POST",
      body: JSON.stringify({
        model_name: "athena::execution",
        ...(progression ? { transition: progression } : {}),
      }),
    });
    expect(response.ok).toBe(true);
  }

  /** The id the command printed, and what moto received for it. */
  async function received(stderr: string) {
    const id = /query ([0-9a-f-]{36}) in workgroup/.exec(stderr)![1];
    const listed = await athena.send(new ListQueryExecutionsCommand({ WorkGroup: WORKGROUP }));
    expect(listed.QueryExecutionIds).toContain(id);
    const { QueryExecution: execution } = await athena.send(
      new GetQueryExecutionCommand({ QueryExecutionId: id }),
    );
    return {
      id,
      sent: {
        query: execution!.Query,
        workGroup: execution!.WorkGroup,
        context: execution!.QueryExecutionContext,
        parameters: execution!.ExecutionParameters,
        resultConfiguration: execution!.ResultConfiguration,
      },
      state: execution!.Status!.State,
    };
  }

  const header = (id: string, hunt: string, from: string, to: string) =>
    `query: ${hunt} from ${from} to ${to}: query ${id} in workgroup ${WORKGROUP}, us-east-1`;

  test("account-events: exactly the hunt's SQL, database, workgroup and literals; the rows as a table", async () => {
    await seed(
      EVENT_COLUMNS.map((c) => c.Name),
      SECURE_ROWS,
      EVENT_COLUMNS,
    );
    const result = await query(
      [
        "account-events",
        "--since",
        "2026-12-01T10",
        "--until",
        "2026-12-01T12",
        "--account",
        PAYMENTS_ACCOUNT,
        "-c",
        CONFIG,
      ],
      env,
    );
    const { id, sent, state } = await received(result.stderr);
    expect(sent).toEqual({
      query: huntNamed("account-events")!.sql,
      workGroup: WORKGROUP,
      context: { Database: DATABASE, Catalog: "AwsDataCatalog" },
      parameters: ["'2026/12/01/10'", "'2026/12/01/14'", "'222222222222'", "1796119200000", "1796126400000"],
      resultConfiguration: undefined,
    });
    expect(state).toBe("SUCCEEDED");
    expect(result).toEqual({
      code: 0,
      stdout: [
        "timestamp                 account       region     loggroup         logstream  id                    message",
        `------------------------  ------------  ---------  ---------------  ---------  --------------------  ${"-".repeat(86)}`,
        "2026-12-01T10:01:00.000Z  222222222222  eu-west-1  /var/log/secure  i-0abc     38000000000000000001  Dec  1 10:01:00 host sshd[7]: Failed password for root from 203.0.113.9 port 2222 ssh2",
        "2026-12-01T11:00:00.500Z  222222222222  eu-west-1  /var/log/secure  i-0abc     38000000000000000002  Dec  1 11:00:00 host sudo: ops : COMMAND=/bin/ls",
        "",
      ].join("\n"),
      stderr: [
        header(id, "account-events", "2026-12-01T10:00:00.000Z", "2026-12-01T12:00:00.000Z"),
        "query: SUCCEEDED, 0.0 s, 0 B scanned",
        "query: 2 rows; scanned 0 B, billed as 10.0 MiB, Athena's minimum per query: $0.000048 at $5 per TB",
        "",
      ].join("\n"),
    });
  });

  test("text-search --csv: the text lowercased, its quote doubled; the rows as RFC 4180 CSV", async () => {
    await seed(
      EVENT_COLUMNS.map((c) => c.Name),
      [
        [
          "1796119260000",
          PAYMENTS_ACCOUNT,
          "eu-west-1",
          "/app/crm",
          "s",
          "1",
          'user "O\'Brien", logged in\nfrom 10.0.0.1',
        ],
      ],
      EVENT_COLUMNS,
    );
    const result = await query(
      ["text-search", "--since", "2h", "--text", "O'Brien", "--csv", "-c", CONFIG],
      env,
    );
    const { sent } = await received(result.stderr);
    expect([sent.query, sent.parameters]).toEqual([
      huntNamed("text-search")!.sql,
      ["'2026/12/01/10'", "'2026/12/01/14'", "1796119200000", "1796126400000", "'o''brien'"],
    ]);
    expect([result.code, result.stdout]).toEqual([
      0,
      [
        "timestamp,account,region,loggroup,logstream,id,message",
        `1796119260000,222222222222,eu-west-1,/app/crm,s,1,"user ""O'Brien"", logged in\nfrom 10.0.0.1"`,
        "",
      ].join("\r\n"),
    ]);
  });

  test("log-group-events --json: the log group's key and name as literals; the rows as JSON", async () => {
    await seed(
      EVENT_COLUMNS.map((c) => c.Name),
      [SECURE_ROWS[0].map((v, i) => (i === 3 ? "/app/payments#security" : i === 6 ? "it's" : v))],
      EVENT_COLUMNS,
    );
    const result = await query(
      [
        "log-group-events",
        "--since",
        "2026-12-01T10:30:00Z",
        "--account",
        PAYMENTS_ACCOUNT,
        "--log-group",
        "/app/payments#security",
        "--json",
        "-c",
        CONFIG,
      ],
      env,
    );
    const { sent } = await received(result.stderr);
    expect(sent.parameters).toEqual([
      "'2026/12/01/10'",
      "'2026/12/01/14'",
      "'222222222222'",
      "'!app!payments(23)security'",
      "'/app/payments#security'",
      "1796121000000",
      "1796126400000",
    ]);
    expect([result.code, JSON.parse(result.stdout)]).toEqual([
      0,
      [
        {
          timestamp: 1796119260000,
          account: PAYMENTS_ACCOUNT,
          region: "eu-west-1",
          loggroup: "/app/payments#security",
          logstream: "i-0abc",
          id: "38000000000000000001",
          message: "it's",
        },
      ],
    ]);
  });

  test("auth-failures: a progress line per poll; first_seen/last_seen as UTC; --max-rows says how many more", async () => {
    const columns = [
      varchar("account"),
      varchar("program"),
      varchar("source"),
      varchar("failures", "bigint"),
      varchar("first_seen", "bigint"),
      varchar("last_seen", "bigint"),
    ];
    await seed(
      columns.map((c) => c.Name),
      [
        [PAYMENTS_ACCOUNT, "sshd", "203.0.113.9", "1200", "1796119260000", "1796125000000"],
        ["333333333333", "sudo", "ops", "3", "1796120000000", "1796121000000"],
      ],
      columns,
    );
    // QUEUED, then RUNNING at the first poll, SUCCEEDED at the second.
    await transition({ progression: "manual", times: 1 });
    try {
      const result = await query(["auth-failures", "--since", "2h", "--max-rows", "1", "-c", CONFIG], env);
      const { id, sent } = await received(result.stderr);
      expect(sent.parameters).toEqual([
        "'2026/12/01/10'",
        "'2026/12/01/14'",
        "1796119200000",
        "1796126400000",
      ]);
      expect(result).toEqual({
        code: 0,
        stdout: [
          "account       program  source       failures  first_seen                last_seen",
          "------------  -------  -----------  --------  ------------------------  ------------------------",
          "222222222222  sshd     203.0.113.9      1200  2026-12-01T10:01:00.000Z  2026-12-01T11:36:40.000Z",
          "",
        ].join("\n"),
        stderr: [
          header(id, "auth-failures", "2026-12-01T10:00:00.000Z", "2026-12-01T12:00:00.000Z"),
          "query: RUNNING, 0.0 s, 0 B scanned",
          "query: SUCCEEDED, 0.0 s, 0 B scanned",
          "query: 1 more row not printed (--max-rows 1); Athena gave no results location",
          "query: 2 rows; scanned 0 B, billed as 10.0 MiB, Athena's minimum per query: $0.000048 at $5 per TB",
          "",
        ].join("\n"),
      });
    } finally {
      await transition(undefined);
    }
  });

  test("no rows is a success: exit 0, nothing on stdout", async () => {
    const result = await query(["events-per-hour", "--since", "1d", "-c", CONFIG], env);
    const { sent } = await received(result.stderr);
    expect(sent.parameters).toEqual(["'2026/11/30/12'", "'2026/12/01/14'"]);
    expect([result.code, result.stdout, result.stderr.split("\n").slice(-2)]).toEqual([
      0,
      "",
      [
        "query: 0 rows; scanned 0 B, billed as 10.0 MiB, Athena's minimum per query: $0.000048 at $5 per TB",
        "",
      ],
    ]);
  });

  test("Ctrl-C stops the query in Athena: exit 1, CANCELLED", async () => {
    await transition({ progression: "manual", times: 1000 });
    try {
      const controller = new AbortController();
      let sleeps = 0;
      const sleep = async () => {
        if (++sleeps === 2) controller.abort();
      };
      const result = await query(["auth-failures", "--since", "2h", "-c", CONFIG], env, {
        sleep,
        signal: controller.signal,
      });
      const { id, state } = await received(result.stderr);
      expect(state).toBe("CANCELLED");
      expect(result).toEqual({
        code: 1,
        stdout: "",
        stderr: [
          header(id, "auth-failures", "2026-12-01T10:00:00.000Z", "2026-12-01T12:00:00.000Z"),
          "query: QUEUED, 0.0 s, 0 B scanned",
          `query: ${id} CANCELLED: interrupted: the query was stopped (StopQueryExecution)`,
          "",
        ].join("\n"),
      });
    } finally {
      await transition(undefined);
    }
  });

  test("an AWS error (here: no such workgroup) exits 1 with Athena's message", async () => {
    const other = configOf("other-prefix", (config) => (config.prefix = "other"));
    const result = await query(["auth-failures", "--since", "2h", "-c", other], env);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: [
        "query: Athena StartQueryExecution failed: InvalidRequestException: WorkGroup does not exist",
        "query: run it with credentials of the security account that may use workgroup other-security-logs in us-east-1",
        "",
      ].join("\n"),
    });
  });
});
