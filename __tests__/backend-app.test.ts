import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { baseConfig } from "./support/fixtures";
import { stateFileSeenFrom } from "./support/files";

/**
 * The local backend's state path as the app process computes it (main.ts run
 * the way cdktf.json runs it). Child processes: kept apart from
 * backend.test.ts, which runs in process and judges mutants (mutation/).
 */
const ROOT = resolve(__dirname, "..");

/** The app process as cdktf runs it (cdktf.json's app command), from `cwd`, the project directory. */
function runApp(cwd: string, config: unknown, env: NodeJS.ProcessEnv) {
  const file = join(cwd, "logging.json");
  writeFileSync(file, JSON.stringify(config));
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    SECLOG_CONFIG: file,
    CHECKPOINT_DISABLE: "1",
    ...env,
  };
  delete childEnv.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
  if (!("CDKTF_OUTDIR" in env)) delete childEnv.CDKTF_OUTDIR;
  const result = spawnSync(
    process.execPath,
    ["--require", join(ROOT, "register.cjs"), join(ROOT, "main.ts")],
    { cwd, env: childEnv, encoding: "utf8" },
  );
  return { status: result.status, stderr: result.stderr };
}

const backendIn = (outdir: string, stack: string) =>
  JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")).terraform.backend;

describe("state backends: the app process", () => {
  test("the app process: computed from CDKTF_OUTDIR (or cdktf.out), not from the staging directory it synthesizes into; the same from any checkout", () => {
    const cases: Array<[string, NodeJS.ProcessEnv, string, string]> = [
      ["no CDKTF_OUTDIR", {}, "cdktf.out", "../../../terraform.security.tfstate"],
      [
        "CDKTF_OUTDIR=cdktf.out",
        { CDKTF_OUTDIR: "cdktf.out" },
        "cdktf.out",
        "../../../terraform.security.tfstate",
      ],
      [
        "a relative CDKTF_OUTDIR",
        { CDKTF_OUTDIR: "build/synth" },
        "build/synth",
        "../../../../terraform.security.tfstate",
      ],
    ];
    const seen = new Set<string>();
    for (const [what, env, outdir, expected] of cases) {
      for (const checkout of ["one", "two"]) {
        const project = realpathSync(mkdtempSync(join(tmpdir(), `seclog-state-${checkout}-`)));
        expect([what, runApp(project, baseConfig(), env)]).toEqual([what, { status: 0, stderr: "" }]);
        const backend = backendIn(join(project, outdir), "security");
        expect([what, backend]).toEqual([what, { local: { path: expected } }]);
        expect(stateFileSeenFrom(join(project, outdir), "security", backend.local.path)).toBe(
          join(project, "terraform.security.tfstate"),
        );
        seen.add(readFileSync(join(project, outdir, "stacks", "web-prod", "cdk.tf.json"), "utf8"));
      }
    }
    // An absolute CDKTF_OUTDIR (as `cdktf synth --output` passes it) elsewhere: still relative, still the project's file.
    const project = realpathSync(mkdtempSync(join(tmpdir(), "seclog-state-abs-")));
    const outdir = join(realpathSync(mkdtempSync(join(tmpdir(), "seclog-state-out-"))), "out");
    expect(runApp(project, baseConfig(), { CDKTF_OUTDIR: outdir })).toEqual({ status: 0, stderr: "" });
    const path = backendIn(outdir, "security").local.path;
    expect(isAbsolute(path)).toBe(false);
    expect(stateFileSeenFrom(outdir, "security", path)).toBe(join(project, "terraform.security.tfstate"));
    // Every checkout with the same layout synthesizes the same web-prod stack, byte for byte.
    expect(seen.size).toBe(2); // cdktf.out/build/synth: two depths, two paths
  });
});
