import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every file under a directory with its size and mtime: "untouched" means this is unchanged. */
export function fingerprint(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((file) => {
      const stat = statSync(join(dir, file));
      return `${file}:${stat.size}:${stat.mtimeMs}`;
    })
    .sort();
}
