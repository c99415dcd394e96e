import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

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

/** Where Terraform, run in `<outdir>/stacks/<stack>/`, finds a local backend's state file. */
export const stateFileSeenFrom = (outdir: string, stack: string, path: string) =>
  resolve(outdir, "stacks", stack, path);
