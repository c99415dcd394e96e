import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlias, isMap, isPair, LineCounter, parseDocument, Scalar, YAMLMap } from "yaml";
import { ConfigError, loadConfigFile, parseConfig } from "../lib/config/load";
import { describePath, parsePath, SourceLocator } from "../lib/config/locate";
import { KNOWN_REGIONS } from "../lib/config/regions";
import { Format, writeConfigFile } from "./support/config-files";

/**
 * The loader's edges (lib/config/load.ts and lib/config/locate.ts), as whole
 * values: parser messages as cleaned for the user, where a problem is placed,
 * paths as printed, and the locator on its own. Each bad file is written into
 * a directory of its own; config-files.test.ts and config-places.test.ts hold
 * the common cases.
 */
const work = mkdtempSync(join(tmpdir(), "seclog-load-"));

const write = (name: string, format: Format, text: string) => writeConfigFile(work, name, format, text);

/** The message of the ConfigError `run` throws. */
function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("config was accepted");
}

/** `<file>: N problems:` and one `  <file>:<line>:<col>: <text>` line per problem. */
function placed(file: string, lines: readonly string[]): string {
  const count = lines.length === 1 ? "1 problem" : `${lines.length} problems`;
  return [`${file}: ${count}:`, ...lines.map((line) => `  ${file}:${line}`)].join("\n");
}

const SECURITY = 'security:\n  accountId: "111111111111"\n';
const VALID = `prefix: ab\n${SECURITY}  region: us-east-1\n`;
const UNKNOWN_REGION = (input: string) =>
  `unknown AWS region "${input}"; use one of: ${KNOWN_REGIONS.join(", ")}`;

describe("ConfigError and parseConfig", () => {
  test("a ConfigError is named, and keeps the file, its problems and where each is", () => {
    const problems = [{ path: "prefix", message: "m" }];
    const error = new ConfigError("f.yaml", problems, { locate: () => ({ line: 2, column: 3 }) });
    expect({
      name: error.name,
      message: error.message,
      file: error.file,
      problems: error.problems,
      located: error.located,
      isError: error instanceof Error,
    }).toStrictEqual({
      name: "ConfigError",
      message: "f.yaml: 1 problem:\n  f.yaml:2:3: prefix: m",
      file: "f.yaml",
      problems,
      located: [{ path: "prefix", message: "m", position: { line: 2, column: 3 } }],
      isError: true,
    });
  });

  test('parseConfig without a file name calls the document "config"', () => {
    let error: unknown;
    try {
      parseConfig(null);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect({ file: (error as ConfigError).file, message: (error as ConfigError).message }).toStrictEqual({
      file: "config",
      message:
        "config: must be a mapping of keys (prefix, security, accounts, ...); start from config/example.yaml",
    });
  });
});

describe("JSON syntax errors: V8's reason, placed", () => {
  test.each<[string, string, string]>([
    // V8 quotes a short file whole, line breaks included: the quote goes, not only its first line.
    ["a quoted excerpt across lines", '{\n  "a": u\n}', "2:8: not valid JSON: Unexpected token 'u'"],
    // "Unexpected end" is placed at the end of the text; esbuild would point at the start of "tru".
    ["a word cut short", "tru", "1:4: not valid JSON: Unexpected end of JSON input"],
    // Node 22 and later add "(line 12 column 17)" after V8's position: both go, the place goes first.
    [
      "a place past line 9 and column 9",
      ["{", ...Array.from({ length: 10 }, (_, i) => `  "k${i}": ${i},`), '  "long_key": 1 "b": 2', "}"].join(
        "\n",
      ),
      "12:17: not valid JSON: Expected ',' or '}' after property value",
    ],
  ])("%s", (what, text, line) => {
    const file = write(what, "json", text);
    expect(messageOf(() => loadConfigFile(file))).toBe(placed(file, [line]));
  });

  /** load.ts asks esbuild for a place only when V8 gives none; what esbuild returns is faked here. */
  describe("when esbuild cannot place it: the problem without a place", () => {
    const outcomes: Array<[string, () => unknown]> = [
      [
        "an error that is not esbuild's",
        () => {
          throw new Error("no esbuild here");
        },
      ],
      [
        "an esbuild error without messages",
        () => {
          throw Object.assign(new Error("failed"), { errors: [] });
        },
      ],
      [
        "a message without a location",
        () => {
          throw Object.assign(new Error("failed"), { errors: [{ text: "x", location: null }] });
        },
      ],
      ["no error at all", () => ({ code: "" })],
    ];

    test.each(outcomes)("%s", (what, transformSync) => {
      const file = write(`esbuild ${what}`, "json", "x");
      let message: string | undefined;
      jest.isolateModules(() => {
        jest.doMock("esbuild", () => ({ transformSync }));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const load = require("../lib/config/load") as typeof import("../lib/config/load");
        try {
          load.loadConfigFile(file);
        } catch (error) {
          if (!(error instanceof load.ConfigError)) throw error;
          message = error.message;
        }
      });
      jest.dontMock("esbuild");
      expect(message).toBe(`${file}: not valid JSON: Unexpected token 'x'`);
    });
  });
});

describe("YAML syntax errors: the parser's reason, without its own place and excerpt", () => {
  test.each<[string, string, string[]]>([
    [
      "a reason holding a colon keeps it",
      "a: |x\n",
      ["1:5: YAML syntax error at line 1, column 5: Block scalar header includes extra characters: |x"],
    ],
    [
      "a reason ending in a colon loses it",
      "a: |x:\n",
      ["1:5: YAML syntax error at line 1, column 5: Block scalar header includes extra characters: |x"],
    ],
    [
      "only the parser's own place at the end goes, not text of the file that reads like one",
      "a: |x at line 9, column 9\n",
      [
        "1:5: YAML syntax error at line 1, column 5: Block scalar header includes extra characters: |x",
        "1:7: YAML syntax error at line 1, column 7: Not a YAML token: at line 9, column 9",
      ],
    ],
    [
      "a line of two digits",
      "k1: 1\nk2: 2\nk3: 3\nk4: 4\nk5: 5\nk6: 6\nk7: 7\nk8: 8\nk9: 9\nk1: 10\n",
      ["10:1: YAML syntax error at line 10, column 1: Map keys must be unique"],
    ],
    [
      "a column of two digits",
      "prefix: [unclosed",
      [
        "1:18: YAML syntax error at line 1, column 18: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    ],
  ])("%s", (what, text, lines) => {
    const file = write(what, "yaml", text);
    expect(messageOf(() => loadConfigFile(file))).toBe(placed(file, lines));
  });
});

describe("schema problems: message and place", () => {
  test.each<[string, string, string]>([
    // Only a message that starts "unknown key" is placed at the key: this one is about the value.
    [
      'a value that reads "unknown key"',
      `prefix: ab\n${SECURITY}  region: unknown key\n`,
      `4:11: security.region: ${UNKNOWN_REGION("unknown key")}`,
    ],
    // Only zod's own "Invalid input: " at the start goes, not the same words in the user's value.
    [
      'a value holding "Invalid input: "',
      `prefix: ab\n${SECURITY}  region: "Invalid input: x"\n`,
      `4:11: security.region: ${UNKNOWN_REGION("Invalid input: x")}`,
    ],
    // Missing, but not a type problem: zod's message as it is, not "is required".
    [
      "a missing choice",
      `${VALID}archive:\n  objectLock:\n    days: 365\n`,
      '6:3: archive.objectLock.mode: Invalid option: expected one of "GOVERNANCE"|"COMPLIANCE"',
    ],
    // An empty quoted string is a value: placed at the quotes, not the key.
    [
      "an empty quoted string",
      `prefix: ''\n${SECURITY}  region: us-east-1\n`,
      "1:9: prefix: must be 2-20 lowercase letters, digits and hyphens, starting with a letter",
    ],
    // A bad list is placed at the list itself.
    [
      "an empty list",
      `${VALID}accounts:\n  - name: a\n    accountId: "222222222222"\n    regions: []\n`,
      "8:14: accounts[0] (a).regions: Too small: expected array to have >=1 items",
    ],
  ])("%s", (what, text, line) => {
    const file = write(what, "yaml", text);
    expect(messageOf(() => loadConfigFile(file))).toBe(placed(file, [line]));
  });
});

describe("paths as printed", () => {
  const document = { accounts: [{ name: "a" }, { name: "" }, null] };

  test.each<[string, unknown, string]>([
    ["regions[0]", document, "regions[0]"],
    ["accounts.0", document, "accounts.0"],
    ["accounts[0].x", document, "accounts[0] (a).x"],
    ["accounts[1].x", document, "accounts[1].x"],
    ["accounts[2].x", document, "accounts[2].x"],
    ["accounts[0].x", null, "accounts[0].x"],
    ["accounts[0].x", { accounts: { 0: { name: "a" } } }, "accounts[0].x"],
  ])("%s in %j: %s", (path, doc, printed) => {
    expect(describePath(path, doc)).toBe(printed);
  });

  test("a path that starts with a bracket but no index: an empty head key, then nothing", () => {
    expect(parsePath("[x]")).toEqual([""]);
  });
});

describe("SourceLocator", () => {
  const at = (line: number, column: number) => ({ line, column });
  const locate = (text: string, path: Array<string | number>, target: "key" | "value" = "value") =>
    SourceLocator.parse(text)!.locate(path, target);

  test("text that does not parse has no locator", () => {
    expect(SourceLocator.parse("a: [")).toBeUndefined();
  });

  test("an empty document has no place, not even for the whole of it", () => {
    expect(locate("", [])).toBeUndefined();
  });

  test.each<[string, string, Array<string | number>, ReturnType<typeof at>]>([
    ["a list item", "a: [x, y]\n", ["a", 1], at(1, 8)],
    ["an index past the end: the list's key", "a: [x, y]\n", ["a", 2], at(1, 1)],
    ["a string key in a list: the list's key", "a: [x, y]\n", ["a", "1"], at(1, 1)],
    ["a key under a scalar: the scalar's key", "a: 1\n", ["a", "b"], at(1, 1)],
    ["an index under a scalar: the scalar's key", "a: 1\n", ["a", 0], at(1, 1)],
    ["an index matches a map key written as that number", "0: x\n", [0], at(1, 4)],
    ["keys holding a dot are rejoined from strings", "a.b: x\n", ["a", "b"], at(1, 6)],
    ["but never across an index: the document", "a.0: x\n", ["a", 0], at(1, 1)],
    ["an empty quoted string: the value", "a: ''\n", ["a"], at(1, 4)],
    ["no value: the key", "a:\n", ["a"], at(1, 1)],
    ["a mapping: where it starts", "a:\n  b: 1\n", ["a"], at(2, 3)],
    ["a collection as key matches no path key", "undefined: 1\n? [b]\n: 2\n", ["undefined"], at(1, 12)],
  ])("%s", (_what, text, path, position) => {
    expect(locate(text, path)).toEqual(position);
  });

  test("a key given as a plain string (a document built in code) is found", () => {
    const lines = new LineCounter();
    const document = parseDocument("a: 1\nb: 2\n", { lineCounter: lines });
    const pair = (document.contents as YAMLMap).items[1];
    expect(isPair(pair) && (pair.key as Scalar).value).toBe("b");
    pair.key = "b";
    expect(SourceLocator.of(document, lines).locate(["b"], "value")).toEqual(at(2, 4));
  });

  test("an alias chain (a document built in code) is followed for 100 steps, no more", () => {
    // a1 is *x, a2 is *a1, ... a101 is *a100: the parser allows no anchor on an alias, so they are set here.
    const names = Array.from({ length: 101 }, (_, i) => `a${i + 1}`);
    const text = ["x: &x { k: v }", ...names.map((name, i) => `${name}: *${i === 0 ? "x" : names[i - 1]}`)];
    const lines = new LineCounter();
    const document = parseDocument(text.join("\n"), { lineCounter: lines });
    expect(document.errors).toEqual([]);
    const root = document.contents;
    if (!isMap(root)) throw new Error("not a map");
    for (const pair of root.items.slice(1, 101)) {
      if (!isAlias(pair.value)) throw new Error("not an alias");
      (pair.value as unknown as { anchor: string }).anchor = String((pair.key as Scalar).value);
    }
    const locator = SourceLocator.of(document, lines);
    // One step from a1, 100 from a100: both reach the mapping.
    expect(locator.locate(["a1", "k"], "value")).toEqual(at(1, 12));
    expect(locator.locate(["a100", "k"], "value")).toEqual(at(1, 12));
    // 101 from a101: the walk stops at an alias, so the key that holds it.
    expect(locator.locate(["a101", "k"], "value")).toEqual(at(102, 1));
  });
});
