import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { buildApp } from "../../stacks/app";
import { parseConfig } from "../../lib/config/load";

/** Synthesizes a config into a fresh directory, as `cdktf synth` would; returns each stack's directory. */
export function synthToDir(document: unknown, label: string): Record<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), `seclog-${label}-`));
  buildApp(parseConfig(document), new App({ outdir })).synth();
  const stacksDir = join(outdir, "stacks");
  return Object.fromEntries(readdirSync(stacksDir).map((name) => [name, join(stacksDir, name)]));
}
