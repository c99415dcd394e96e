import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { zipFiles } from "./zip";

export interface LambdaPackage {
  /** A zip file on disk, named by its content. */
  readonly path: string;
  /** base64 SHA-256 of the zip: what Lambda reports as CodeSha256 and Terraform compares. */
  readonly sha256: string;
}

const packages = new Map<string, LambdaPackage>();

/**
 * Bundles a TypeScript Lambda handler with esbuild into `index.js` and zips it
 * reproducibly, at synth time: no separate build step, and the same source
 * always gives the same package (once per process).
 */
export function lambdaPackage(entry: string): LambdaPackage {
  const cached = packages.get(entry);
  if (cached) return cached;
  const zip = lambdaZip(entry);
  const digest = createHash("sha256").update(zip);
  const dir = join(tmpdir(), "seclog-lambda-packages");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${digest.copy().digest("hex")}.zip`);
  writeFileSync(path, zip);
  const result = { path, sha256: digest.digest("base64") };
  packages.set(entry, result);
  return result;
}

/** The zip itself, built afresh: `index.js` bundled for Lambda's Node.js 22 runtime. */
export function lambdaZip(entry: string): Buffer {
  const built = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    write: false,
    minify: true,
    legalComments: "none",
    logLevel: "silent",
  });
  return zipFiles([{ name: "index.js", content: Buffer.from(built.outputFiles[0].contents) }]);
}
