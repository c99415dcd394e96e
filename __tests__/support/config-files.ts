import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";

/** The two file formats a config may be written in. */
export type Format = "yaml" | "json";

/** A config as the user writes it, as YAML or as JSON. */
export function render(config: Record<string, any>, format: Format): string {
  return format === "yaml" ? stringify(config) : JSON.stringify(config, null, 2);
}

/** Writes `text` as `logging.<format>` in a directory of its own under `work`; returns the file's path. */
export function writeConfigFile(work: string, name: string, format: Format, text: string): string {
  const dir = join(work, `${name.replace(/\W+/g, "-")}-${format}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `logging.${format}`);
  writeFileSync(file, text);
  return file;
}
