import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describePath, joinPath, parsePath } from "../lib/config/locate";
import { run as runCheck } from "../scripts/check";
import { baseConfig } from "./support/fixtures";
import { Format, render, writeConfigFile } from "./support/config-files";

/**
 * What a user sees for a bad config from `npm run check` (scripts/check.ts's
 * run(), in this process, so a mutant of lib/config is seen): each problem
 * once, with file:line:col and the account's name. Each bad input is
 * baseConfig() with one thing changed, written as YAML and as JSON into a
 * directory of its own. config-errors.test.ts runs the real processes.
 */
const work = mkdtempSync(join(tmpdir(), "seclog-places-"));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** scripts/check.ts's run() with SECLOG_CONFIG unset, its output captured. */
function checkHere(args: readonly string[]): Run {
  let stdout = "";
  let stderr = "";
  const status = runCheck(
    args,
    { SECLOG_CONFIG: "" },
    {
      stdout: { write: (text: string) => ((stdout += text), true) },
      stderr: { write: (text: string) => ((stderr += text), true) },
    },
  );
  return { status, stdout, stderr };
}

type Mutation = (config: Record<string, any>) => void;

const write = (name: string, format: Format, text: string) => writeConfigFile(work, name, format, text);

/** `<file>: N problems:` and one `  <file>:<line>:<col>: <path>: <message>` line per problem: the whole of stderr. */
function expectedStderr(file: string, lines: readonly string[]): string {
  return (
    [
      `${file}: ${lines.length === 1 ? "1 problem" : `${lines.length} problems`}:`,
      ...lines.map((line) => `  ${file}:${line}`),
    ].join("\n") + "\n"
  );
}

/**
 * Each reported place as "<line>:<col> <text>": the file holds <text> there
 * (JSON's opening quote aside). This checks the positions against the file
 * itself, not against what the locator thinks.
 */
function expectPlaces(file: string, places: readonly string[]): void {
  const lines = readFileSync(file, "utf8").split("\n");
  for (const place of places) {
    const [, line, column, text] = /^(\d+):(\d+) (.+)$/.exec(place)!;
    const found = lines[Number(line) - 1]?.slice(Number(column) - 1) ?? "";
    expect({ place, found: found.replace(/^"/, "").slice(0, text.length) }).toEqual({ place, found: text });
  }
}

const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

const UNKNOWN = "(config reference: README.md)";
const ACCOUNT_ID = 'must be a 12-digit AWS account id as a quoted string, e.g. "123456789012"';

/**
 * [what, change, problems as `<path>: <message>`, YAML places, JSON places]:
 * a place per problem, in order, as "<line>:<col> <what the file holds there>".
 */
const BAD: Array<[string, Mutation, string[], string[], string[]]> = [
  [
    "misspelt key in the second account",
    (c) => {
      c.accounts[1].acountId = c.accounts[1].accountId;
      delete c.accounts[1].accountId;
    },
    [
      `accounts[1] (web-prod).accountId: is required; ${ACCOUNT_ID}`,
      `accounts[1] (web-prod).acountId: unknown key; did you mean "accountId"? ${UNKNOWN}`,
    ],
    // The missing key at its entry (the list item), the unknown one at the key itself.
    ["19:5 name: web-prod", "27:5 acountId"],
    ["30:5 {", "44:7 acountId"],
  ],
  [
    "bad value nested under an account",
    (c) => (c.accounts[1].logGroups[0].name = "my logs"),
    [
      "accounts[1] (web-prod).logGroups[0].name: must be a CloudWatch Logs log group name: 1-512 of letters, digits and . - _ / #",
    ],
    ["22:15 my logs"],
    ["35:19 my logs"],
  ],
  [
    "account id as a number",
    (c) => (c.security.accountId = 111111111111),
    [`security.accountId: ${ACCOUNT_ID}`],
    ["5:14 111111111111"],
    ["7:18 111111111111"],
  ],
  [
    "missing key placed at its parent",
    (c) => delete c.security.region,
    ["security.region: is required; expected string, received undefined"],
    ["4:1 security:"],
    ["6:3 security"],
  ],
  [
    "unknown top-level key",
    (c) => (c.prefx = "x"),
    [`prefx: unknown key; did you mean "prefix"? ${UNKNOWN}`],
    ["28:1 prefx"],
    ["47:3 prefx"],
  ],
  [
    "account without a name: no name to show",
    (c) => delete c.accounts[1].name,
    ["accounts[1].name: is required; expected string, received undefined"],
    ["19:5 accountId"],
    ["30:5 {"],
  ],
  [
    "rule: a region listed twice",
    (c) => (c.accounts[0].regions = ["us-east-1", "us-east-1"]),
    ["accounts[0] (payments-prod).regions[1]: us-east-1 is listed twice"],
    ["12:9 us-east-1"],
    ["16:9 us-east-1"],
  ],
  [
    "rule: path of a defaulted field, placed at its entry",
    (c) => c.accounts[0].logGroups.push({ name: "/var/log/messages" }),
    [
      "accounts[0] (payments-prod).logGroups[2].filterPattern: /var/log/messages is listed twice with the same filterPattern; remove one entry",
    ],
    ["19:9 name: /var/log/messages"],
    ["28:9 {"],
  ],
  [
    "rule: a whole account",
    (c) => (c.accounts[0].logGroups = []),
    ["accounts[0] (payments-prod): ships nothing: add logGroups or allLogGroups"],
    ["8:5 name: payments-prod"],
    ["11:5 {"],
  ],
  [
    "rule: a missing block, placed at its parent",
    (c) => (c.state = { backend: "s3" }),
    ["state.s3: is required when state.backend is s3"],
    ["28:1 state:"],
    ["47:3 state"],
  ],
  [
    "rule outside the accounts",
    (c) => (c.stream = { mode: "on-demand", shards: 2 }),
    ["stream.shards: on-demand streams scale by themselves; remove shards or set stream.mode: provisioned"],
    ["30:11 2"],
    ["49:15 2"],
  ],
  [
    "a tag name holding dots",
    (c) => (c.tags["team.name"] = "x".repeat(300)),
    ["tags.team.name: Too big: expected string to have <=256 characters"],
    ["4:14 xxxx"],
    ["5:18 xxxx"],
  ],
];

describe("npm run check: a bad config", () => {
  const rows = BAD.flatMap(([what, mutate, problems, yaml, json]) =>
    (["yaml", "json"] as const).map(
      (format) => [`${what} (${format})`, format, mutate, problems, format === "yaml" ? yaml : json] as const,
    ),
  );

  test.each(rows)(
    "%s: exit 1, each problem once with file:line:col and the account's name",
    (what, format, mutate, problems, places) => {
      const config = baseConfig();
      mutate(config);
      const file = write(what, format, render(config, format));
      const result = checkHere([file]);
      expect(places).toHaveLength(problems.length);
      expect(result).toEqual({
        status: 1,
        stdout: "",
        stderr: expectedStderr(
          file,
          problems.map((problem, i) => `${places[i].split(" ")[0]}: ${problem}`),
        ),
      });
      expect(result.stderr).not.toMatch(STACK_TRACE);
      expectPlaces(file, places);
    },
  );

  /** [what, format, the one change to the rendered baseConfig(), the problem line after the file name]. */
  const SYNTAX: Array<[string, Format, (text: string) => string, string, string]> = [
    [
      "unclosed flow sequence",
      "yaml",
      (t) => t.replace("  region: us-east-1", "  region: [us-east-1"),
      "7:1: YAML syntax error at line 7, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]",
      "7:1 accounts:",
    ],
    [
      "key given twice",
      "yaml",
      (t) => t.replace("prefix: secops\n", "prefix: secops\nprefix: seclog\n"),
      "2:1: YAML syntax error at line 2, column 1: Map keys must be unique",
      "2:1 prefix: seclog",
    ],
    [
      "tab as indentation",
      "yaml",
      (t) => t.replace("  region: us-east-1", "\tregion: us-east-1"),
      "6:1: YAML syntax error at line 6, column 1: Tabs are not allowed as indentation",
      "6:1 \tregion",
    ],
    [
      "missing comma",
      "json",
      (t) => t.replace('"prefix": "secops",', '"prefix": "secops"'),
      "3:3: not valid JSON: Expected ',' or '}' after property value",
      "3:3 tags",
    ],
    [
      "unquoted string",
      "json",
      (t) => t.replace('"region": "us-east-1"', '"region": us-east-1'),
      "8:15: not valid JSON: Unexpected token 'u'",
      "8:15 us-east-1",
    ],
    [
      "trailing comma",
      "json",
      (t) => t.replace('"region": "us-east-1"', '"region": "us-east-1",'),
      "9:3: not valid JSON: Expected double-quoted property name",
      "9:3 },",
    ],
    // JSON.parse decides: the last of two keys wins, and is the one reported.
    [
      "key given twice, the last one bad",
      "json",
      (t) => t.replace('"prefix": "secops",', '"prefix": "secops",\n  "prefix": "SecOps",'),
      "3:13: prefix: must be 2-20 lowercase letters, digits and hyphens, starting with a letter",
      "3:13 SecOps",
    ],
  ];

  test.each(SYNTAX)(
    "syntax: %s (%s): exit 1, one line with line and column",
    (what, format, change, line, place) => {
      const text = change(render(baseConfig(), format));
      expect(text).not.toBe(render(baseConfig(), format));
      const file = write(`syntax ${what}`, format, text);
      const result = checkHere([file]);
      expect(result).toEqual({ status: 1, stdout: "", stderr: expectedStderr(file, [line]) });
      expectPlaces(file, [place]);
    },
  );
});

describe("paths as printed", () => {
  test.each([
    ["", []],
    ["prefix", ["prefix"]],
    ["accounts[3].logGroups[0].name", ["accounts", 3, "logGroups", 0, "name"]],
    ["accounts[0].regions[1]", ["accounts", 0, "regions", 1]],
    ["accounts[12]", ["accounts", 12]],
  ] as const)("%j parses into its keys and back", (path, keys) => {
    expect(parsePath(path)).toEqual(keys);
    expect(joinPath(parsePath(path))).toBe(path);
  });

  test("the account's name goes after its index, when the entry has a string name", () => {
    const document = { accounts: [{ name: "payments-prod" }, {}, { name: 7 }] };
    expect(describePath("accounts[0].logGroups[1].name", document)).toBe(
      "accounts[0] (payments-prod).logGroups[1].name",
    );
    expect(describePath("accounts[0]", document)).toBe("accounts[0] (payments-prod)");
    expect(describePath("accounts[1].accountId", document)).toBe("accounts[1].accountId");
    expect(describePath("accounts[2].name", document)).toBe("accounts[2].name");
    expect(describePath("accounts[9].name", document)).toBe("accounts[9].name");
    expect(describePath("accounts", document)).toBe("accounts");
    expect(describePath("security.accountId", document)).toBe("security.accountId");
  });
});
