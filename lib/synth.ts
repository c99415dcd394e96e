import { existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { App } from "cdktf";
import { errorAnnotations } from "./rules/pack";

/** Rule violations found while synthesizing: printed like config problems, without a stack trace. */
export class SynthError extends Error {
  constructor(readonly problems: readonly string[]) {
    super([`synth refused: ${problems.length} security rule violation(s):`, ...problems.map((p) => `  ${p}`)].join("\n"));
    this.name = "SynthError";
  }
}

/**
 * Synthesizes into a staging directory beside `outdir` and moves it into place
 * only when every stack synthesized cleanly: a failure never leaves a
 * half-written cdktf.out, and the previous good output stays until replaced.
 */
export function synthesizeAtomically(build: (app: App) => App, outdir: string): void {
  const target = resolve(outdir);
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}.staging-`));
  try {
    const app = build(new App({ outdir: staging }));
    try {
      app.synth();
    } catch (error) {
      // cdktf throws on error annotations unless the CLI asked it to continue; both end here.
      if (errorAnnotations(app).length === 0) throw error;
    }
    const problems = errorAnnotations(app);
    if (problems.length > 0) throw new SynthError(problems);
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
