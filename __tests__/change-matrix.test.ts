import { CHANGE_STEPS, changeTable, matrixBaseConfig, MATRIX_CHANGES, RawDoc } from "../lib/change-matrix";
import { ALLOWABLE } from "../lib/changes";
import { parseConfig } from "../lib/config/load";

/**
 * The change matrix's rows, checked without Terraform (`npm run test:changes`
 * checks them against real plans): every step yields a valid config, each
 * stack's plan in a step belongs to one change, and the README renders every row.
 */
describe("change matrix rows", () => {
  /** The config after each step, as the emulator run builds it (refused steps are not applied). */
  const configs: Array<{ step: number; doc: RawDoc }> = [];
  let doc = matrixBaseConfig();
  CHANGE_STEPS.forEach((step, index) => {
    const candidate = structuredClone(doc);
    for (const change of step) change.edit(candidate);
    configs.push({ step: index + 1, doc: candidate });
    if (!step.some((change) => change.refused)) doc = candidate;
  });

  test("the base config and every step's config are valid", () => {
    expect(() => parseConfig(matrixBaseConfig(), "matrix base")).not.toThrow();
    for (const { step, doc: config } of configs)
      expect(() => parseConfig(config, `step ${step}`)).not.toThrow();
  });

  test("within a step, changes that plan the same stack declare different resource types, and a refused change is alone", () => {
    for (const step of CHANGE_STEPS) {
      const stacks = [...new Set(step.flatMap((change) => Object.keys(change.plans)))];
      for (const stack of stacks) {
        const types = step
          .filter((change) => stack in change.plans)
          .flatMap((change) => [
            ...new Set(
              Object.values(change.plans[stack]).flatMap((listed) =>
                listed === "tags" ? ["tags"] : [...listed],
              ),
            ),
          ]);
        expect([stack, types]).toEqual([stack, [...new Set(types)]]);
      }
      if (step.some((change) => change.refused)) expect(step).toHaveLength(1);
    }
  });

  test("every change issue 15 names is a row, once, then issue 19's vault and lock", () => {
    expect(MATRIX_CHANGES.map((c) => c.change)).toEqual([
      "add a log group",
      "`stream.mode` on-demand -> provisioned",
      "add a second filter to a log group",
      "turn `allLogGroups` off",
      "change a filter pattern",
      "turn `allLogGroups` on",
      "change `delivery.bufferSeconds` / `bufferMiB`",
      "change `stream.shards`",
      "change `allLogGroups.exclude`",
      "add an account",
      "add a region to an account",
      "account list -> `organizationId`",
      "`delivery.format` events -> raw",
      "`delivery.format` raw -> events",
      "`stream.mode` provisioned -> on-demand",
      "enable Object Lock",
      "turn alarms and notifications on",
      "turn alarms and notifications off",
      "change `tags`",
      "change `prefix` (archive.bucketName pinned)",
      "change `archive.bucketName`",
      "remove an account",
      "add a vault replica (`archive.replica`)",
      "`archive.objectLock` GOVERNANCE -> COMPLIANCE",
    ]);
  });

  test("refused rows name causes users can allow; only they may replace destroy-first", () => {
    for (const change of MATRIX_CHANGES) {
      for (const cause of change.refused?.causes ?? []) expect(Object.keys(ALLOWABLE)).toContain(cause);
      const deleteFirst = Object.values(change.plans).flatMap((p) => p.replaceDeleteFirst ?? []);
      if (!change.refused) expect([change.change, deleteFirst]).toEqual([change.change, []]);
    }
  });

  test("the README table has a header and one row per change, pipes escaped", () => {
    const lines = changeTable().split("\n");
    expect(lines.slice(0, 2)).toEqual([
      "| Change | What Terraform does (data path) | Data effect | What to do |",
      "| --- | --- | --- | --- |",
    ]);
    expect(lines).toHaveLength(2 + MATRIX_CHANGES.length);
    // Four cells each: no unescaped pipe inside a cell.
    for (const line of lines.slice(2)) expect(line.split(/(?<!\\)\|/).length).toBe(6);
  });
});
