import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, sep } from "node:path";
import ts from "typescript";

/**
 * The layers of ARCHITECTURE.md, enforced on real import statements (parsed
 * with the TypeScript compiler, so comments and strings that look like
 * imports do not count, and `import type`, re-exports, `require()` and
 * dynamic `import()` do).
 *
 *   functions/processor  the Lambda's code: self-contained (it ships alone in its zip)
 *   lib                  pure: config, naming, policies, AWS limits, tools' logic; may read the processor's
 *                        own code (replay runs its transform) but nothing that builds infrastructure
 *   modules              one construct per AWS concern: lib, other modules, the processor's metric names
 *   stacks               compose modules: modules and lib
 *   main.ts, scripts     wire only: stacks and lib
 */

const ROOT = join(__dirname, "..");

type Layer = "functions" | "lib" | "modules" | "stacks" | "main" | "scripts";

/** What each layer may import of ours (besides itself). */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  functions: [],
  lib: ["functions"],
  modules: ["lib", "functions"],
  stacks: ["modules", "lib"],
  main: ["stacks", "lib"],
  scripts: ["stacks", "lib"],
};

function layerOf(file: string): Layer | undefined {
  if (file === "main.ts") return "main";
  const top = file.split("/")[0];
  return (["functions", "lib", "modules", "stacks", "scripts"] as const).find((layer) => layer === top);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Every module specifier a file imports, re-exports, requires or imports dynamically. */
export function importsOf(file: string, text: string = readFileSync(join(ROOT, file), "utf8")): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      found.push(node.moduleSpecifier.text);
    else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    )
      found.push(node.moduleReference.expression.text);
    else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require")) &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0])
    )
      found.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The repository path a relative import points at, e.g. `modules/delivery`; undefined for packages. */
function targetOf(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  return normalize(join(dirname(file), specifier))
    .split(sep)
    .join("/");
}

interface Offence {
  readonly file: string;
  readonly imports: string;
  readonly layer: Layer;
  readonly target: Layer | "outside the app";
}

/** The imports of one file that its layer may not make. */
function offencesOf(file: string, specifiers: readonly string[]): Offence[] {
  const layer = layerOf(file)!;
  return specifiers.flatMap((specifier): Offence[] => {
    const target = targetOf(file, specifier);
    if (target === undefined) return [];
    const targetLayer = layerOf(target.endsWith(".ts") ? target : `${target}.ts`);
    if (targetLayer === layer || (targetLayer && ALLOWED[layer].includes(targetLayer))) return [];
    return [{ file, imports: specifier, layer, target: targetLayer ?? "outside the app" }];
  });
}

const APP_FILES = ["main.ts", ...["functions", "lib", "modules", "stacks", "scripts"].flatMap(sourceFiles)];

describe("layering", () => {
  test("the parser finds real imports and nothing else", () => {
    // A file known to import across layers: the parser must see it, or every check below passes vacuously.
    expect(importsOf("stacks/app.ts")).toEqual(expect.arrayContaining(["../lib/naming", "./security-stack"]));
    const text = [
      'import { a } from "../modules/a";',
      'import type { B } from "../stacks/b";',
      'export { c } from "../scripts/c";',
      'const d = require("../main");',
      'const e = import("../functions/e");',
      '// import { f } from "../modules/f";',
      'const g = "from \\"../stacks/g\\"";',
    ].join("\n");
    expect(importsOf("lib/example.ts", text)).toEqual([
      "../modules/a",
      "../stacks/b",
      "../scripts/c",
      "../main",
      "../functions/e",
    ]);
  });

  test("every layer has files, so no rule below holds for want of them", () => {
    const layers = new Set(APP_FILES.map(layerOf));
    expect([...layers].sort()).toEqual(["functions", "lib", "main", "modules", "scripts", "stacks"]);
  });

  test("a forbidden import is reported with its file and specifier; allowed ones are not", () => {
    const specifiers = [
      "../modules/delivery",
      "./naming",
      "./config/schema",
      "../functions/processor/transform",
      "../stacks/app",
      "../main",
      "../package.json",
      "zod",
      "node:fs",
    ];
    expect(offencesOf("lib/example.ts", specifiers)).toEqual([
      { file: "lib/example.ts", imports: "../modules/delivery", layer: "lib", target: "modules" },
      { file: "lib/example.ts", imports: "../stacks/app", layer: "lib", target: "stacks" },
      { file: "lib/example.ts", imports: "../main", layer: "lib", target: "main" },
      { file: "lib/example.ts", imports: "../package.json", layer: "lib", target: "outside the app" },
    ]);
    expect(offencesOf("modules/example.ts", ["../stacks/app", "./refs", "../lib/aws-limits"])).toEqual([
      { file: "modules/example.ts", imports: "../stacks/app", layer: "modules", target: "stacks" },
    ]);
    expect(offencesOf("functions/processor/example.ts", ["../../lib/naming", "./transform"])).toEqual([
      {
        file: "functions/processor/example.ts",
        imports: "../../lib/naming",
        layer: "functions",
        target: "lib",
      },
    ]);
    expect(offencesOf("scripts/example.ts", ["../modules/delivery", "../stacks/app"])).toEqual([
      { file: "scripts/example.ts", imports: "../modules/delivery", layer: "scripts", target: "modules" },
    ]);
  });

  test.each(Object.keys(ALLOWED) as Layer[])("%s imports only the layers below it", (layer) => {
    const files = APP_FILES.filter((file) => layerOf(file) === layer);
    expect(files.length).toBeGreaterThan(0);
    expect(files.flatMap((file) => offencesOf(file, importsOf(file)))).toEqual([]);
  });

  test("the processor's own code imports no package but Node's, so its bundle holds only itself", () => {
    const files = APP_FILES.filter((file) => layerOf(file) === "functions");
    const packages = files.flatMap((file) =>
      importsOf(file)
        .filter((specifier) => !specifier.startsWith(".") && !specifier.startsWith("node:"))
        .map((specifier) => `${file}: ${specifier}`),
    );
    expect(packages).toEqual([]);
  });
});
