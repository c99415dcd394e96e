import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { baseConfig, largeConfig } from "./support/fixtures";
import { synthToDir } from "./support/synth-dir";

/** Every synthesized file of a run, by path relative to the stacks directory. */
function filesOf(stackDirs: Record<string, string>): Record<string, string> {
  const files: Record<string, string> = {};
  for (const dir of Object.values(stackDirs)) {
    const root = join(dir, "..");
    for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
      if (file.endsWith(".json"))
        files[relative(root, join(dir, file))] = readFileSync(join(dir, file), "utf8");
    }
  }
  return files;
}

describe("determinism (plan review depends on it)", () => {
  test.each([
    ["default", baseConfig()],
    ["large", largeConfig(30)],
  ])("two synths of the %s config are byte-identical", (label, config) => {
    const first = filesOf(synthToDir(config, `${label}-a`));
    const second = filesOf(synthToDir(config, `${label}-b`));
    expect(Object.keys(first).length).toBeGreaterThan(2);
    expect(second).toEqual(first);
  });

  test("reordering accounts and their log groups changes no stack at all", () => {
    const config = largeConfig(12);
    const before = filesOf(synthToDir(config, "order-a"));
    config.accounts.reverse();
    for (const account of config.accounts) account.logGroups.reverse();
    config.accounts.push(config.accounts.shift());
    const after = filesOf(synthToDir(config, "order-b"));
    expect(after).toEqual(before);
  });

  test("adding an account changes the security stack only where that account is named", () => {
    const config = baseConfig();
    const before = JSON.parse(filesOf(synthToDir(config, "add-a"))["security/cdk.tf.json"]);
    config.accounts.push({
      name: "new-app",
      accountId: "444444444444",
      logGroups: [{ name: "/var/log/messages" }],
    });
    const after = JSON.parse(filesOf(synthToDir(config, "add-b"))["security/cdk.tf.json"]);
    const changed = Object.entries(after.resource).flatMap(([type, instances]) =>
      Object.entries(instances as Record<string, unknown>)
        .filter(([id, body]) => JSON.stringify(body) !== JSON.stringify(before.resource[type]?.[id]))
        .map(([id]) => `${type}.${id}`),
    );
    expect(changed.sort()).toEqual([
      expect.stringMatching(/^aws_cloudwatch_log_destination_policy\.Destination_us-east-1_AccessPolicy_/),
      expect.stringMatching(/^aws_iam_role\.DestinationRole_/),
    ]);
  });
});
