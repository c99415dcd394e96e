import { readFileSync } from "node:fs";
import { join } from "node:path";
import { baseConfig } from "./support/fixtures";
import { EMULATOR_GAPS, emulatorCopy } from "./support/emulator";
import { synthToDir } from "./support/synth-dir";
import { StackJson } from "./support/synth";

/**
 * Which emulator copy keeps what (EMULATOR_GAPS, __tests__/support/emulator.ts),
 * without an emulator: emulatorCopy only rewrites a copy of a synthesized
 * stack. moto creates and reads the saved hunts but cannot delete them, so
 * they are dropped only where Terraform deletes: the change matrix's applies
 * and destroys (no option), which still plan them offline (keepDropped). The
 * apply suite deletes nothing (neverDeletes) and applies them.
 */
const NAMED_QUERIES = "drop aws_athena_named_query (the saved hunts)";
const DROPPING = [
  "drop aws_cloudwatch_log_subscription_filter whose destination is a cross-account CloudWatch Logs destination",
  "drop aws_cloudwatch_log_account_policy (account-level subscription policy)",
  NAMED_QUERIES,
];
/** Never contacted: the copy only names it. */
const ENDPOINT = "http://127.0.0.1:9";
const HUNT_ADDRESSES = [
  "aws_athena_named_query.SearchWorkgroup_Hunt_account-events_C966132A",
  "aws_athena_named_query.SearchWorkgroup_Hunt_auth-failures_45CEDF52",
  "aws_athena_named_query.SearchWorkgroup_Hunt_events-per-hour_7DB8C7C8",
  "aws_athena_named_query.SearchWorkgroup_Hunt_log-group-events_5D165647",
  "aws_athena_named_query.SearchWorkgroup_Hunt_text-search_1B44B114",
];

describe("emulator gaps", () => {
  const security = synthToDir(baseConfig(), "emulator-gaps").security;

  test("the gaps that drop resources; the saved hunts' is the one needed only where Terraform deletes", () => {
    expect(EMULATOR_GAPS.filter((gap) => gap.drops).map((gap) => gap.what)).toEqual(DROPPING);
    expect(EMULATOR_GAPS.filter((gap) => gap.onlyWhereDeleted).map((gap) => gap.what)).toEqual([
      NAMED_QUERIES,
    ]);
  });

  test.each([
    [
      "the apply suite (neverDeletes): applied",
      { neverDeletes: true },
      HUNT_ADDRESSES,
      false,
      [NAMED_QUERIES],
    ],
    ["the change matrix's applies and destroys: dropped", {}, [], true, []],
    [
      "the change matrix's offline plans (keepDropped): kept",
      { keepDropped: true },
      HUNT_ADDRESSES,
      false,
      DROPPING,
    ],
  ] as const)("the saved hunts in %s", (_label, options, kept, dropped, without) => {
    const copy = emulatorCopy(security, ENDPOINT, options);
    const written: StackJson = JSON.parse(readFileSync(join(copy.dir, "cdk.tf.json"), "utf8"));
    const hunts = (json: StackJson) =>
      Object.keys(json.resource.aws_athena_named_query ?? {}).map((name) => `aws_athena_named_query.${name}`);
    expect(hunts(written)).toEqual(kept);
    expect(hunts(copy.json)).toEqual(kept);
    expect(copy.gaps.find((gap) => gap.what === NAMED_QUERIES)?.addresses).toEqual(
      dropped ? HUNT_ADDRESSES : undefined,
    );
    // The gaps each copy applies: all of them but the ones it keeps the resources of.
    expect(copy.gaps.map((gap) => gap.what)).toEqual(
      EMULATOR_GAPS.map((gap) => gap.what).filter((what) => !(without as readonly string[]).includes(what)),
    );
  });
});
