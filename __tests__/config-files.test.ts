import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, configPath, formatProblems, loadConfigFile } from "../lib/config/load";
import { baseConfig } from "./support/fixtures";

/**
 * Config files as the loader reads them (lib/config/load.ts): extensions,
 * unreadable and malformed files, and where each problem is placed, as whole
 * messages. In process and without cdktf, so every mutant of lib/config is
 * tried against these quickly.
 */
describe("config files", () => {
  const dir = mkdtempSync(join(tmpdir(), "seclog-config-"));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  test("the shipped example is valid", () => {
    const config = loadConfigFile("config/example.yaml");
    expect(config.prefix).toBe("secops");
    expect(config.accounts.length).toBeGreaterThan(0);
  });

  test("JSON and .yml are accepted", () => {
    expect(loadConfigFile(write("c.json", JSON.stringify(baseConfig()))).accounts).toHaveLength(2);
    expect(
      loadConfigFile(
        write("c.yml", "prefix: abc\nsecurity: { accountId: '111111111111', region: eu-west-1 }\n"),
      ).destinationRegions,
    ).toEqual(["eu-west-1"]);
  });

  /** [what, the file, the whole message: one line, placed when the file's text tells where]. */
  test.each<[string, () => string, (file: string) => string]>([
    [
      "missing file",
      () => join(dir, "nope.yaml"),
      (f) => `${f}: file not found; set SECLOG_CONFIG to your config file (default config/logging.yaml)`,
    ],
    [
      "a directory, not a file",
      () => (mkdirSync(join(dir, "dir.yaml"), { recursive: true }), join(dir, "dir.yaml")),
      (f) =>
        `${f}: EISDIR: illegal operation on a directory, read; set SECLOG_CONFIG to your config file (default config/logging.yaml)`,
    ],
    [
      "YAML syntax error",
      () => write("bad.yaml", "prefix: [unclosed\n"),
      (f) =>
        `${f}: 1 problem:\n  ${f}:2:1: YAML syntax error at line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ],
    [
      "YAML key given twice",
      () => write("dup.yaml", "prefix: a1\nprefix: b2\n"),
      (f) => `${f}: 1 problem:\n  ${f}:2:1: YAML syntax error at line 2, column 1: Map keys must be unique`,
    ],
    [
      "YAML aliases that expand past the parser's limit",
      () =>
        write(
          "aliases.yaml",
          [
            "a: &a [x, x, x, x, x, x, x, x, x, x]",
            "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
            "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
            "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
          ].join("\n"),
        ),
      (f) => `${f}: YAML could not be read: Excessive alias count indicates a resource exhaustion attack`,
    ],
    [
      "JSON syntax error",
      () => write("bad.json", "{ prefix: "),
      (f) => `${f}: 1 problem:\n  ${f}:1:3: not valid JSON: Expected property name or '}'`,
    ],
    [
      "empty JSON: placed at its end",
      () => write("empty.json", ""),
      (f) => `${f}: 1 problem:\n  ${f}:1:1: not valid JSON: Unexpected end of JSON input`,
    ],
    [
      "JSON list left open",
      () => write("open.json", "[1, 2"),
      (f) => `${f}: 1 problem:\n  ${f}:1:6: not valid JSON: Expected ',' or ']' after array element`,
    ],
    ...["\r\n", "\r"].map((eol): [string, () => string, (file: string) => string] => [
      `JSON with ${JSON.stringify(eol)} line ends: lines counted as an editor does`,
      () => write(`eol-${eol.length}.json`, ["{", '  "prefix": "ab",', '  "x": 1,', "}"].join(eol)),
      (f) => `${f}: 1 problem:\n  ${f}:4:1: not valid JSON: Expected double-quoted property name`,
    ]),
    [
      "JSON of one bare word: V8's quote of the text dropped, placed by esbuild",
      () => write("word.json", "x"),
      (f) => `${f}: 1 problem:\n  ${f}:1:1: not valid JSON: Unexpected token 'x'`,
    ],
    [
      "YAML: a problem under an alias, placed at the anchored node",
      () =>
        write(
          "alias.yaml",
          [
            "prefix: ab",
            "security: { accountId: '111111111111', region: us-east-1 }",
            "accounts:",
            "  - &first",
            "    name: app-a",
            "    accountId: '222222222222'",
            "    logGroups: [{ name: my logs }]",
            "  - *first",
          ].join("\n"),
        ),
      (f) =>
        [
          `${f}: 2 problems:`,
          ...[0, 1].map(
            (i) =>
              `  ${f}:7:25: accounts[${i}] (app-a).logGroups[0].name: must be a CloudWatch Logs log group name: 1-512 of letters, digits and . - _ / #`,
          ),
        ].join("\n"),
    ],
    [
      "YAML: a key with no value, placed at the key",
      () => write("novalue.yaml", "prefix: ab\nsecurity:\n  accountId:\n  region: us-east-1\n"),
      (f) =>
        `${f}: 1 problem:\n  ${f}:3:3: security.accountId: must be a 12-digit AWS account id as a quoted string, e.g. "123456789012"`,
    ],
    [
      "YAML: a defaulted field, placed at its list item",
      () =>
        write(
          "defaulted.yaml",
          [
            "prefix: ab",
            "security: { accountId: '111111111111', region: us-east-1 }",
            "accounts:",
            "  - name: a",
            "    accountId: '222222222222'",
            "    logGroups: [{ name: /x }, { name: /x }]",
          ].join("\n"),
        ),
      (f) =>
        `${f}: 1 problem:\n  ${f}:6:31: accounts[0] (a).logGroups[1].filterPattern: /x is listed twice with the same filterPattern; remove one entry`,
    ],
    [
      "JSON null: not a mapping, placed at the document",
      () => write("null.json", "null"),
      (f) =>
        `${f}: 1 problem:\n  ${f}:1:1: must be a mapping of keys (prefix, security, accounts, ...); start from config/example.yaml`,
    ],
    [
      "JSON on one line: each problem at its own column",
      () => write("line.json", '{"prefix": "ab", "zzz": 1}'),
      (f) =>
        [
          `${f}: 2 problems:`,
          `  ${f}:1:1: security: is required; expected object, received undefined`,
          `  ${f}:1:18: zzz: unknown key; allowed here: prefix, tags, security, organizationId, archive, alarms, notifications, stream, delivery, search, state, accounts (config reference: README.md)`,
        ].join("\n"),
    ],
    [
      "wrong extension",
      () => write("config.toml", "prefix = 'x'"),
      (f) => `${f}: config files must end in .yaml, .yml or .json`,
    ],
    [
      "empty file",
      () => write("empty.yaml", ""),
      (f) =>
        `${f}: must be a mapping of keys (prefix, security, accounts, ...); start from config/example.yaml`,
    ],
  ])("%s: the whole message", (_what, file, message) => {
    const path = file();
    expect(configErrorOf(() => loadConfigFile(path)).message).toBe(message(path));
  });

  test("the extension is matched without regard to case", () => {
    const file = write(
      "upper.YAML",
      "prefix: abc\nsecurity: { accountId: '111111111111', region: eu-west-1 }\n",
    );
    expect(loadConfigFile(file).prefix).toBe("abc");
  });
});

describe("problem lines", () => {
  test.each<[string, Parameters<typeof formatProblems>, string]>([
    ["a lone problem of the whole file: one line", ["f.yaml", [{ path: "", message: "m" }]], "f.yaml: m"],
    [
      "a lone problem with a path",
      ["f.yaml", [{ path: "a", message: "m" }]],
      "f.yaml: 1 problem:\n  f.yaml: a: m",
    ],
    [
      "a lone problem of the whole file with a place",
      ["f.yaml", [{ path: "", message: "m" }], { locate: () => ({ line: 2, column: 3 }) }],
      "f.yaml: 1 problem:\n  f.yaml:2:3: m",
    ],
    [
      "a locator that fails: the problems without places",
      [
        "f.yaml",
        [
          { path: "", message: "m" },
          { path: "accounts[0].x", message: "n" },
        ],
        {
          document: { accounts: [{ name: "a" }] },
          locate: () => {
            throw new Error("unreadable");
          },
        },
      ],
      "f.yaml: 2 problems:\n  f.yaml: m\n  f.yaml: accounts[0] (a).x: n",
    ],
  ])("%s", (_what, args, text) => {
    expect(formatProblems(...args)).toBe(text);
  });

  test("the config path: SECLOG_CONFIG when set and not empty, else config/logging.yaml", () => {
    expect([
      configPath({}),
      configPath({ SECLOG_CONFIG: "" }),
      configPath({ SECLOG_CONFIG: "x.json" }),
    ]).toEqual(["config/logging.yaml", "config/logging.yaml", "x.json"]);
  });
});

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("config was accepted");
}
