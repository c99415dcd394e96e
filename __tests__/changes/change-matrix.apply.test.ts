import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHANGE_STEPS, ChangeStep, matrixBaseConfig, PlannedActions, RawDoc } from "../../lib/change-matrix";
import { REPLACING_ARGUMENTS, refusals, replacementsOf, StackResources } from "../../lib/changes";
import { SECURITY_STACK_NAME } from "../../stacks/security-stack";
import { VAULT_STACK_NAME } from "../../stacks/vault-stack";
import { synthToDir } from "../support/synth-dir";
import { inParallel, RunResult, terraform, TerraformEnv, terraformEnv } from "../support/terraform";
import {
  EMULATOR_GAPS,
  emulatorCopy,
  EmulatorStack,
  Moto,
  motoUnavailable,
  resolveReferences,
  startMoto,
  stateOf,
} from "../support/emulator";
import { PlanJson } from "../support/plan";

/**
 * The change matrix (lib/change-matrix.ts) applied for real: the base config
 * is deployed against moto, then every step's changes are synthesized,
 * planned and applied in turn, all on one emulator. For each changed stack,
 * `terraform show -json` of the plan must hold exactly the data-path actions
 * the matrix row declares, no destroy-before-create on the data path, and the
 * replacements the change guard (lib/changes.ts) predicts. Refused changes are
 * checked to be refused by synth, then planned with the allowance (never
 * applied). What moto cannot create or delete (cross-account subscription filters,
 * account policies, named queries: EMULATOR_GAPS) is planned offline, against state built
 * from the previous plan's values. `npm run test:changes`.
 */
const tf = terraformEnv();
const cannotRun = typeof tf === "string" ? tf : motoUnavailable();
const inCi = process.env.CI === "true";
if (cannotRun && !inCi) process.stdout.write(`change matrix skipped: ${cannotRun}\n`);
const describeMatrix = cannotRun && !inCi ? describe.skip : describe;

const WIDTH = 2;
const DATA_PATH_TYPES = new Set(Object.keys(REPLACING_ARGUMENTS));
/** The resources EMULATOR_GAPS drops: planned against injected state, never applied. */
const DROPPED_TYPES = new Set([
  "aws_cloudwatch_log_subscription_filter",
  "aws_cloudwatch_log_account_policy",
  "aws_athena_named_query",
]);
const AWS_PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]';

interface StackVersion {
  readonly dir: string;
  readonly json: StackResources & Record<string, any>;
}

/** One stack's planned values of the resources moto cannot hold, by address: what their state would be. */
type DroppedValues = Map<
  string,
  { type: string; name: string; provider: string; values: Record<string, any> }
>;

interface Observed {
  readonly change: string;
  readonly stack: string;
  readonly actions: PlannedActions;
}

describeMatrix("change matrix: every common config change applied against moto", () => {
  let moto: Moto | undefined;
  let env: TerraformEnv;
  const work = mkdtempSync(join(tmpdir(), "seclog-changes-"));
  let doc: RawDoc = matrixBaseConfig();
  let deployed = new Map<string, StackVersion>();
  const dropped = new Map<string, DroppedValues>();
  const observed: Observed[] = [];
  let applied = 0;
  const started = Date.now();

  const statePath = (stack: string) => join(work, `${stack}.tfstate`);

  beforeAll(async () => {
    if (typeof tf === "string" || cannotRun)
      throw new Error(`CI=true but the change matrix cannot run: ${cannotRun}`);
    const cache = join(work, "plugin-cache");
    mkdirSync(cache);
    env = { ...tf, env: { ...tf.env, TF_PLUGIN_CACHE_DIR: cache } };
    moto = await startMoto();
    const base = synthesize(doc, "base");
    // Plan the base like every later step: it records the values of what moto cannot hold. The first
    // plan fills the plugin cache, which two inits at once cannot share ("after installing
    // registry.terraform.io/hashicorp/aws it is still not detected in <cache>").
    // One at a time, all of them: on a loaded machine two inits right after the first still raced on
    // the cache ("failed to create directory .../linux_amd64: file exists"); initOnce queues them.
    for (const stack of base.keys()) await planChange(stack, undefined, base.get(stack)!);
    await applyInOrder(base, [...base.keys()]);
    deployed = base;
  }, 900_000);

  afterAll(async () => {
    await moto?.stop();
    const replacements = observed.flatMap((o) => [
      ...(o.actions.replaceDeleteFirst ?? []),
      ...undeclaredDeletes(o),
    ]).length;
    process.stdout.write(
      `config changes: ${applied} applied, ${replacements} data-path replacements ` +
        `(${CHANGE_STEPS.flat().filter((c) => c.refused).length} refused and planned only; ${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
    );
  });

  function synthesize(document: RawDoc, label: string): Map<string, StackVersion> {
    const dirs = synthToDir(document, `changes-${label}`);
    return new Map(
      Object.entries(dirs)
        .filter(([name]) => name !== "state")
        .map(([name, dir]) => [
          name,
          { dir, json: JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) },
        ]),
    );
  }

  /**
   * Plans `next` (or the destroy of `previous` when next is undefined) on a
   * copy that keeps what moto cannot create, against a copy of the applied
   * state plus the injected values of those resources. Returns the plan, or
   * Terraform's refusal.
   */
  async function planChange(
    stack: string,
    previous: StackVersion | undefined,
    next: StackVersion | undefined,
    record = true,
  ): Promise<{ plan?: PlanJson; failure?: string }> {
    const planDir = join(work, `plan-${stack}`);
    const state = join(work, `plan-${stack}.tfstate`);
    rmSync(state, { force: true });
    if (existsSync(statePath(stack))) writeFileSync(state, injectDropped(stack));
    const copy = emulatorCopy((next ?? previous)!.dir, moto!.endpoint, {
      keepDropped: true,
      statePath: state,
      into: planDir,
    });
    const run = (args: string[]) => terraform(args, copy.dir, env.env);
    await initOnce(copy.dir, run, `init ${stack}`);
    const planned = await run([
      "plan",
      "-refresh=false",
      "-input=false",
      "-out=plan.bin",
      ...(next ? [] : ["-destroy"]),
    ]);
    if (planned.status !== 0) return { failure: planned.stderr || planned.stdout };
    const plan: PlanJson = JSON.parse(
      (await must(run(["show", "-json", "plan.bin"]), `show ${stack}`)).stdout,
    );
    if (next && record) dropped.set(stack, droppedValuesOf(plan, next));
    return { plan };
  }

  /** The applied state with the resources moto could not hold added from their last planned values. */
  function injectDropped(stack: string): string {
    const state = JSON.parse(readFileSync(statePath(stack), "utf8"));
    const applied = stateOf({ statePath: statePath(stack), backend: "local" } as EmulatorStack);
    for (const [, r] of dropped.get(stack) ?? new Map()) {
      const values = resolveDeep(r.values, applied);
      state.resources.push({
        mode: "managed",
        type: r.type,
        name: r.name,
        provider: `${AWS_PROVIDER}.${r.provider}`,
        instances: [{ schema_version: 0, attributes: values, sensitive_attributes: [], dependencies: [] }],
      });
    }
    state.serial += 1;
    return JSON.stringify(state);
  }

  /** Planned values of the dropped resources: unknown ones (ids, references to what the plan creates) filled from the config. */
  function droppedValuesOf(plan: PlanJson, next: StackVersion): DroppedValues {
    const values: DroppedValues = new Map();
    for (const rc of plan.resource_changes) {
      if (!DROPPED_TYPES.has(rc.type) || !rc.change.after) continue;
      const body = next.json.resource?.[rc.type]?.[rc.name] as Record<string, any>;
      const filled: Record<string, any> = { ...rc.change.after, id: `injected-${rc.name}` };
      for (const [attribute, unknown] of Object.entries(rc.change.after_unknown ?? {}))
        if (unknown === true && attribute !== "id") filled[attribute] = body[attribute];
      values.set(rc.address, {
        type: rc.type,
        name: rc.name,
        provider: String(body.provider).replace(/^aws\./, ""),
        values: filled,
      });
    }
    return values;
  }

  async function applyInOrder(versions: Map<string, StackVersion>, stacks: string[]): Promise<void> {
    // The order cdktf deploy '*' takes (stacks/app.ts): the vault, then security, then the accounts.
    const first = [VAULT_STACK_NAME, SECURITY_STACK_NAME];
    const waves = [
      stacks.filter((s) => s === VAULT_STACK_NAME),
      stacks.filter((s) => s === SECURITY_STACK_NAME),
      stacks.filter((s) => !first.includes(s)),
    ];
    for (const wave of waves)
      await inParallel(wave, WIDTH, async (stack) => {
        const copy = emulatorCopy(versions.get(stack)!.dir, moto!.endpoint, {
          statePath: statePath(stack),
          into: join(work, `apply-${stack}`),
        });
        await initOnce(copy.dir, (args) => terraform(args, copy.dir, env.env), `init ${stack}`);
        for (const args of [
          // The state was written by the previous step's apply on this same emulator: nothing to refresh
          // (drift is the emulator apply suite's re-plan), and refreshing every resource doubles the step.
          [
            "apply",
            "-auto-approve",
            "-input=false",
            ...(existsSync(statePath(stack)) ? ["-refresh=false"] : []),
          ],
        ])
          await must(terraform(args, copy.dir, env.env), `${args[0]} ${stack}`);
      });
  }

  async function destroyRemoved(stack: string, previous: StackVersion): Promise<void> {
    const copy = emulatorCopy(previous.dir, moto!.endpoint, {
      statePath: statePath(stack),
      into: join(work, `apply-${stack}`),
    });
    await must(
      terraform(["destroy", "-auto-approve", "-input=false"], copy.dir, env.env),
      `destroy ${stack}`,
    );
  }

  /** The stacks a new synth changes, adds or removes. */
  function changedStacks(next: Map<string, StackVersion>): string[] {
    const names = new Set([...deployed.keys(), ...next.keys()]);
    return [...names]
      .filter((name) => JSON.stringify(deployed.get(name)?.json) !== JSON.stringify(next.get(name)?.json))
      .sort();
  }

  test.each(
    CHANGE_STEPS.map((step, index) => [index + 1, step.map((c) => c.change).join(" + "), step] as const),
  )(
    "step %i: %s",
    async (number, _name, step: ChangeStep) => {
      const candidate = structuredClone(doc);
      for (const change of step) change.edit(candidate);
      const next = synthesize(candidate, `step${number}`);
      const stacks = changedStacks(next);
      const owner = (stack: string) => ownerOf(step, stack);
      const refusing = step.find((c) => c.refused);

      // The guard: refused exactly when a row says so, for exactly its causes.
      const predicted = stacks.flatMap((stack) =>
        deployed.get(stack) && next.get(stack)
          ? replacementsOf(stack, deployed.get(stack)!.json, next.get(stack)!.json)
          : [],
      );
      const causes = [...new Set(refusals(predicted, new Set()).map(causeIn))].sort();
      expect(causes).toEqual([...(refusing?.refused?.causes ?? [])].sort());

      // A refused change is planned with the allowance, to show what Terraform would do, and not applied.
      const results = await inParallel(stacks, WIDTH, async (stack) => ({
        stack,
        change: owner(stack),
        result: await planChange(stack, deployed.get(stack), next.get(stack), !refusing),
      }));
      // Seen and declared side by side, compared once the step is applied (so one mismatch does not
      // leave every later step planning against a stale deployment).
      const seen = results.map(({ stack, change, result }) =>
        outcome(stack, change, result, predicted, refusing),
      );
      const declared = results.map(({ stack, change, result }) =>
        declaredOutcome(stack, change, result, predicted, refusing),
      );
      if (!refusing) {
        for (const { stack, change, result } of results)
          if (result.plan)
            observed.push({
              change: change?.change ?? "(undeclared)",
              stack,
              actions: dataPathActions(result.plan, change?.plans[stack]?.update === "tags"),
            });
        const removed = stacks.filter((s) => !next.has(s));
        for (const stack of removed) {
          await destroyRemoved(stack, deployed.get(stack)!);
          dropped.delete(stack);
        }
        await applyInOrder(
          next,
          stacks.filter((s) => next.has(s)),
        );
        doc = candidate;
        deployed = next;
        applied += step.length;
      }
      expect(seen).toEqual(declared);
    },
    900_000,
  );

  test("the emulator copies drop only what EMULATOR_GAPS lists", () => {
    expect(EMULATOR_GAPS.filter((gap) => gap.drops).map((gap) => gap.what)).toEqual([
      "drop aws_cloudwatch_log_subscription_filter whose destination is a cross-account CloudWatch Logs destination",
      "drop aws_cloudwatch_log_account_policy (account-level subscription policy)",
      "drop aws_athena_named_query (the saved hunts)",
    ]);
  });
});

type PlanResult = { plan?: PlanJson; failure?: string };
type Predicted = ReturnType<typeof replacementsOf>;

/**
 * What one stack's plan showed: its data-path actions (refused changes: only
 * where the row declares them), Terraform's replacements beside the guard's
 * same-address predictions, and each predicted rename as a delete and a create.
 */
function outcome(
  stack: string,
  change: ChangeStep[number] | undefined,
  result: PlanResult,
  predicted: Predicted,
  refusing: ChangeStep[number] | undefined,
) {
  if (result.failure)
    return {
      stack,
      planFails:
        refusing?.refused?.planFails && result.failure.includes(refusing.refused.planFails)
          ? refusing.refused.planFails
          : result.failure.slice(0, 2000),
    };
  const plan = result.plan!;
  const declared = change?.plans[stack];
  const mine = predicted.filter((r) => r.stack === stack);
  return {
    stack,
    ...(refusing && !declared ? {} : { actions: dataPathActions(plan, declared?.update === "tags") }),
    replaced: replacedAddresses(plan),
    renamed: mine
      .filter((r) => r.address.includes(" -> "))
      .map((r) => r.address.split(" -> ").map((address) => actionsAt(plan, address))),
  };
}

/** The same, as the matrix row and the guard say it must be. */
function declaredOutcome(
  stack: string,
  change: ChangeStep[number] | undefined,
  result: PlanResult,
  predicted: Predicted,
  refusing: ChangeStep[number] | undefined,
) {
  if (result.failure && refusing?.refused?.planFails) return { stack, planFails: refusing.refused.planFails };
  const declared = change?.plans[stack];
  const mine = predicted.filter((r) => r.stack === stack);
  return {
    stack,
    ...(refusing && !declared ? {} : { actions: declaredActions(declared) }),
    replaced: mine
      .filter((r) => !r.address.includes(" -> "))
      .map((r) => r.address)
      .sort(),
    renamed: mine.filter((r) => r.address.includes(" -> ")).map(() => [["delete"], ["create"]]),
  };
}

/**
 * The changes of a step that plan a stack, as one: their names joined and their declared actions
 * together (rows sharing a stack in a step declare different resource types, change-matrix.test.ts).
 */
function ownerOf(step: ChangeStep, stack: string): ChangeStep[number] | undefined {
  const owners = step.filter((c) => stack in c.plans);
  if (owners.length <= 1) return owners[0];
  const merged: Record<string, string[] | "tags"> = {};
  for (const planned of owners.map((c) => c.plans[stack]))
    for (const [kind, types] of Object.entries(planned)) {
      const sofar = merged[kind];
      merged[kind] = types === "tags" || sofar === "tags" ? "tags" : [...(sofar ?? []), ...types];
    }
  return { ...owners[0], change: owners.map((c) => c.change).join(" + "), plans: { [stack]: merged } };
}

/** The last `terraform init` started: every init waits for it (see initOnce). */
let initQueue: Promise<unknown> = Promise.resolve();

/**
 * `terraform init` the first time a directory is used: later copies into it keep `.terraform/`, and
 * the same backend path and provider need no new init (an added region is only another alias).
 * One init at a time, ever: a directory without a lock file installs the provider into the shared
 * plugin cache again, and two such installs at once break each other ("after installing
 * registry.terraform.io/hashicorp/aws it is still not detected in <cache>", CI of stop 28, in the
 * parallel apply of the base). An init takes seconds; the applies still run in parallel.
 */
async function initOnce(dir: string, run: (args: string[]) => Promise<RunResult>, what: string) {
  if (existsSync(join(dir, ".terraform", "terraform.tfstate"))) return;
  const mine = initQueue.then(() => must(run(["init", "-input=false"]), what));
  initQueue = mine.catch(() => undefined);
  await mine;
}

/** The cause a refusal message names (lib/changes.ts refusalMessage). */
function causeIn(message: string): string {
  const match = /SECLOG_ALLOW_REPLACE=([A-Za-z.]+)/.exec(message);
  return match ? match[1] : "?";
}

/** Data-path actions of a plan, by kind, each a sorted list of types (one entry per resource); updates as "tags" when asked. */
function dataPathActions(plan: PlanJson, tags: boolean): PlannedActions {
  const kinds: Record<string, string[]> = {};
  for (const rc of plan.resource_changes) {
    if (!DATA_PATH_TYPES.has(rc.type)) continue;
    const kind = kindOf(rc.change.actions);
    if (kind) (kinds[kind] ??= []).push(rc.type);
  }
  for (const list of Object.values(kinds)) list.sort();
  return tags && kinds.update ? { ...kinds, update: "tags" } : kinds;
}

/** A row's declared actions in the same form: sorted, empty kinds left out. */
function declaredActions(declared: PlannedActions | undefined): PlannedActions {
  return Object.fromEntries(
    Object.entries(declared ?? {})
      .filter(([, types]) => types === "tags" || types.length > 0)
      .map(([kind, types]) => [kind, types === "tags" ? types : [...types].sort()]),
  );
}

/** Deletes on the data path no row declared: counted as replacements in the summary (the tests fail on them first). */
function undeclaredDeletes(o: Observed): string[] {
  return o.change === "(undeclared)" ? [...(o.actions.delete ?? [])] : [];
}

function kindOf(actions: readonly string[]): keyof PlannedActions | undefined {
  switch (actions.join(",")) {
    case "create":
      return "create";
    case "update":
      return "update";
    case "delete":
      return "delete";
    case "delete,create":
      return "replaceDeleteFirst";
    case "create,delete":
      return "replaceCreateFirst";
    default:
      return undefined;
  }
}

function actionsAt(plan: PlanJson, address: string): string[] | undefined {
  return plan.resource_changes.find((r) => r.address === address)?.change.actions;
}

function replacedAddresses(plan: PlanJson): string[] {
  return plan.resource_changes
    .filter((rc) => DATA_PATH_TYPES.has(rc.type) && isReplace(rc.change.actions))
    .map((rc) => rc.address)
    .sort();
}

function isReplace(actions: readonly string[]): boolean {
  return actions.includes("create") && actions.includes("delete");
}

async function must(result: Promise<RunResult>, what: string): Promise<RunResult> {
  const done = await result;
  if (done.status !== 0) throw new Error(`terraform ${what} failed:\n${done.stderr || done.stdout}`);
  return done;
}

function resolveDeep(value: any, state: ReturnType<typeof stateOf>): any {
  if (typeof value === "string") return value.includes("${") ? resolveReferences(value, state) : value;
  if (Array.isArray(value)) return value.map((v) => resolveDeep(v, state));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v, state)]));
  return value;
}
