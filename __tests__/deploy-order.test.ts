import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  checkIfAllDependantsAreIncluded,
  checkIfAllDependenciesAreIncluded,
  getStackWithNoUnmetDependants,
  getStackWithNoUnmetDependencies,
} from "@cdktf/cli-core/src/lib/helpers/stack-helpers";
import { baseConfig, fullConfig, largeConfig, SECURITY_ACCOUNT } from "./support/fixtures";
import { synthToDir } from "./support/synth-dir";

/**
 * The deploy order is declared in what cdktf synthesizes (manifest.json's
 * `dependencies`), and cdktf's own scheduler (the functions `cdktf deploy` and
 * `cdktf destroy` call, from the pinned cdktf-cli) runs it: state, then
 * security, then the accounts; destroy the reverse.
 */
type Manifest = { stacks: Record<string, { name: string; dependencies: string[] }> };

function manifestOf(document: unknown, label: string): Manifest {
  const stackDirs = synthToDir(document, label);
  const outdir = dirname(dirname(Object.values(stackDirs)[0]));
  return JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
}

function dependenciesOf(manifest: Manifest): Record<string, string[]> {
  return Object.fromEntries(Object.values(manifest.stacks).map((s) => [s.name, [...s.dependencies].sort()]));
}

function withBootstrap(config: Record<string, any>, encryption?: "kms" | "sse-s3"): Record<string, any> {
  config.state = {
    backend: "s3",
    s3: {
      bucket: "acme-tf-state",
      region: "us-east-1",
      bootstrap: true,
      ...(encryption ? { encryption } : {}),
    },
  };
  return config;
}

const SHAPES: Array<[string, () => Record<string, any>, boolean]> = [
  ["local state (default)", baseConfig, false],
  [
    "an existing S3 bucket",
    () => ({
      ...baseConfig(),
      state: { backend: "s3", s3: { bucket: "acme-tf-state", region: "us-east-1" } },
    }),
    false,
  ],
  [
    "Terraform Cloud",
    () => ({ ...baseConfig(), state: { backend: "cloud", cloud: { organization: "acme" } } }),
    false,
  ],
  ["a bootstrapped state bucket, KMS", () => withBootstrap(baseConfig()), true],
  ["a bootstrapped state bucket, SSE-S3", () => withBootstrap(baseConfig(), "sse-s3"), true],
  ["every option (organization mode, bootstrapped state)", fullConfig, true],
  ["40 accounts in organization mode, bootstrapped state", () => withBootstrap(largeConfig(40)), true],
  [
    "no application accounts",
    () => ({ prefix: "secops", security: { accountId: SECURITY_ACCOUNT, region: "us-east-1" } }),
    false,
  ],
];

describe("deploy order declared in manifest.json", () => {
  test.each(SHAPES)(
    "%s: apps depend on security; with a bootstrapped bucket every stack depends on state",
    (label, config, bootstrapped) => {
      const document = config();
      const manifest = manifestOf(document, `order-${label.replace(/\W+/g, "-")}`);
      const accounts: string[] = (document.accounts ?? []).map((a: { name: string }) => a.name);
      const expected: Record<string, string[]> = {
        security: bootstrapped ? ["state"] : [],
        ...Object.fromEntries(
          accounts.map((name) => [name, bootstrapped ? ["security", "state"] : ["security"]]),
        ),
        ...(bootstrapped ? { state: [] } : {}),
      };
      expect(dependenciesOf(manifest)).toEqual(expected);
    },
  );
});

/** A stand-in for cdktf's stack executor: what its scheduler reads (state, dependencies, the running promise). */
class FakeExecutor {
  currentState: "pending" | "running" | "done" = "pending";
  currentWorkPromise?: Promise<void>;
  constructor(readonly stack: { name: string; dependencies: string[] }) {}
  get isPending(): boolean {
    return this.currentState === "pending";
  }
  get isRunning(): boolean {
    return this.currentState === "running";
  }
  run(events: string[]): void {
    this.currentState = "running";
    events.push(`start ${this.stack.name}`);
    this.currentWorkPromise = new Promise<void>((resolve) => setTimeout(resolve, 1)).then(() => {
      this.currentState = "done";
      this.currentWorkPromise = undefined;
      events.push(`done ${this.stack.name}`);
    });
  }
}

/**
 * cdktf-project.ts's execute loop with unlimited parallelism (`--parallelism`
 * unset): ask the scheduler for the next stack until none is pending.
 */
async function schedule(manifest: Manifest, pick: (executors: any[]) => Promise<any>): Promise<string[][]> {
  const executors = Object.values(manifest.stacks).map((s) => new FakeExecutor(s));
  const events: string[] = [];
  while (executors.some((e) => e.isPending)) {
    const next: FakeExecutor | undefined = await pick(executors);
    if (!next) break;
    next.run(events);
  }
  await Promise.all(executors.map((e) => e.currentWorkPromise));
  return waves(events);
}

/** Groups the stacks started together (before any of them finished) into waves. */
function waves(events: string[]): string[][] {
  const result: string[][] = [];
  let current: string[] = [];
  let lastWasStart = false;
  for (const event of events) {
    const [kind, name] = event.split(" ");
    if (kind === "start") {
      if (!lastWasStart && current.length) {
        result.push(current.sort());
        current = [];
      }
      current.push(name);
    }
    lastWasStart = kind === "start";
  }
  if (current.length) result.push(current.sort());
  return result;
}

describe("cdktf's scheduler runs the declared order", () => {
  const bootstrapped = manifestOf(fullConfig(), "order-scheduler-full");
  const plain = manifestOf(baseConfig(), "order-scheduler-base");

  test("deploy '*': state, then security, then every account at once", async () => {
    expect(await schedule(bootstrapped, getStackWithNoUnmetDependencies)).toEqual([
      ["state"],
      ["security"],
      ["payments-prod", "web-prod"],
    ]);
    expect(await schedule(plain, getStackWithNoUnmetDependencies)).toEqual([
      ["security"],
      ["payments-prod", "web-prod"],
    ]);
  });

  test("destroy '*': the reverse", async () => {
    expect(await schedule(bootstrapped, getStackWithNoUnmetDependants)).toEqual([
      ["payments-prod", "web-prod"],
      ["security"],
      ["state"],
    ]);
  });

  test("deploying one account alone names the missing dependency (cdktf's --ignore-missing-stack-dependencies deploys it anyway)", () => {
    const stacks = Object.values(plain.stacks) as any[];
    expect(() => checkIfAllDependenciesAreIncluded(stacks.filter((s) => s.name === "web-prod"))).toThrow(
      /security/,
    );
    expect(() =>
      checkIfAllDependenciesAreIncluded(stacks.filter((s) => ["security", "web-prod"].includes(s.name))),
    ).not.toThrow();
  });

  test("destroying security alone is refused while accounts depend on it; one account alone is allowed", () => {
    const stacks = Object.values(plain.stacks) as any[];
    expect(() =>
      checkIfAllDependantsAreIncluded(
        stacks.filter((s) => s.name === "security"),
        stacks,
      ),
    ).toThrow(/payments-prod|web-prod/);
    expect(() =>
      checkIfAllDependantsAreIncluded(
        stacks.filter((s) => s.name === "web-prod"),
        stacks,
      ),
    ).not.toThrow();
  });
});
