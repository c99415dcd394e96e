import { baseConfig, fullConfig, PAYMENTS_ACCOUNT, SECURITY_ACCOUNT, WEB_ACCOUNT } from "./support/fixtures";
import { onlyResource, policyOf, resourcesOf, StackJson, synthStacks } from "./support/synth";
import { ConfigError, parseConfig } from "../lib/config/load";
import { accountPolicyExclusions, accountPolicySelectionCriteria } from "../lib/naming";
import { ROLE_INLINE_POLICIES_MAX_CHARS, SELECTION_CRITERIA_MAX_BYTES } from "../lib/aws-limits";
import { constructIdOf, senderPermissions } from "../modules/subscription";
import { shortHash } from "../lib/hash";
import { policyDocument, policySize } from "../lib/iam/policy";
import { Policy, SenderPolicies, senderPolicies } from "./support/planned-policies";
import { decide, matches, Row, senderRoleRows } from "./support/iam-rows";

import { readFileSync } from "node:fs";
import { parse } from "yaml";

const OUTSIDER = "999999999999";

describe("application account stacks", () => {
  const stacks = synthStacks(baseConfig());
  const payments = stacks["payments-prod"];
  const web = stacks["web-prod"];

  test("one stack per account, named by the account's name, plus the security stack", () => {
    expect(Object.keys(stacks).sort()).toEqual(["payments-prod", "security", "web-prod"]);
  });

  test("providers: one aliased provider per configured region, pinned to the account", () => {
    expect(payments.provider.aws.map((p) => [p.alias, p.region, p.allowed_account_ids])).toEqual([
      ["us_east_1", "us-east-1", [PAYMENTS_ACCOUNT]],
      ["eu_west_1", "eu-west-1", [PAYMENTS_ACCOUNT]],
    ]);
    // regions default to the security account's home region
    expect(web.provider.aws.map((p) => p.region)).toEqual(["us-east-1"]);
  });

  test("each filter targets the destination of its own region, derived from config, with Random distribution", () => {
    const filters = resourcesOf(payments, "aws_cloudwatch_log_subscription_filter").map(([, f]) => f);
    expect(filters).toHaveLength(4);
    for (const filter of filters) {
      const region = filter.provider === "aws.eu_west_1" ? "eu-west-1" : "us-east-1";
      expect(filter.destination_arn).toBe(
        `arn:aws:logs:${region}:${SECURITY_ACCOUNT}:destination:secops-security-logs`,
      );
      expect(filter.distribution).toBe("Random");
      // the region in the name is how the processor learns where an envelope came from
      expect(filter.name).toBe(`secops-security-logs-${region}`);
      expect(filter.role_arn).toBeUndefined();
    }
    const patterns = filters.map((f) => f.filter_pattern).sort();
    expect(patterns).toEqual(["", "", '{ $.level = "ERROR" }', '{ $.level = "ERROR" }']);
  });

  test("created log groups carry retention, survive a destroy, and their filters reference them; existing groups are named", () => {
    const groups = resourcesOf(payments, "aws_cloudwatch_log_group").map(([, g]) => [
      g.provider,
      g.name,
      g.retention_in_days,
      g.skip_destroy,
    ]);
    // skip_destroy: removing an account or a group from the config must not delete the events it holds
    expect(groups.sort()).toEqual([
      ["aws.eu_west_1", "/var/log/messages", 365, true],
      ["aws.us_east_1", "/var/log/messages", 365, true],
    ]);
    const groupNames = resourcesOf(payments, "aws_cloudwatch_log_subscription_filter")
      .map(([, f]) => f.log_group_name)
      .sort();
    expect(groupNames).toEqual([
      expect.stringMatching(
        /^\$\{aws_cloudwatch_log_group\.Subscriptions_eu-west-1_LogGroup_var_log_messages_[0-9a-f]{8}_[0-9A-F]{8}\.name\}$/,
      ),
      expect.stringMatching(
        /^\$\{aws_cloudwatch_log_group\.Subscriptions_us-east-1_LogGroup_var_log_messages_[0-9a-f]{8}_[0-9A-F]{8}\.name\}$/,
      ),
      "/app/payments/security",
      "/app/payments/security",
    ]);
  });

  test("account-list mode: no sender role, so filters and the account policy wait for nothing", () => {
    for (const stack of [payments, web]) {
      expect(resourcesOf(stack, "aws_iam_role")).toEqual([]);
      for (const [, filter] of resourcesOf(stack, "aws_cloudwatch_log_subscription_filter"))
        expect(filter.depends_on).toBeUndefined();
    }
    expect(onlyResource(web, "aws_cloudwatch_log_account_policy").depends_on).toBeUndefined();
  });

  test("no cross-stack references: an app stack holds no remote state and no reference to security resources", () => {
    const text = JSON.stringify(payments);
    expect(text).not.toMatch(/terraform_remote_state|aws_kinesis_stream|aws_cloudwatch_log_destination/);
  });

  test("allLogGroups: one account-level subscription policy per region, excluding exact names and every group with its own filter", () => {
    const policy = onlyResource(web, "aws_cloudwatch_log_account_policy");
    expect(policy.policy_type).toBe("SUBSCRIPTION_FILTER_POLICY");
    expect(policy.scope).toBe("ALL");
    expect(policy.policy_name).toBe("secops-security-logs-us-east-1");
    // web-prod subscribes /var/log/nginx/access.log one by one: the account policy must skip it,
    // or CloudWatch Logs ships its events twice (once per filter) and ignores its filterPattern.
    expect(policy.selection_criteria).toBe(
      'LogGroupName NOT IN ["/aws/lambda/noisy","/var/log/nginx/access.log"]',
    );
    expect(
      resourcesOf(web, "aws_cloudwatch_log_subscription_filter").map(([, f]) => f.log_group_name),
    ).toEqual([
      expect.stringMatching(
        /^\$\{aws_cloudwatch_log_group\.Subscriptions_us-east-1_LogGroup_var_log_nginx_access_log_/,
      ),
    ]);
    expect(JSON.parse(policy.policy_document)).toEqual({
      DestinationArn: `arn:aws:logs:us-east-1:${SECURITY_ACCOUNT}:destination:secops-security-logs`,
      FilterPattern: "",
      Distribution: "Random",
    });
    expect(resourcesOf(payments, "aws_cloudwatch_log_account_policy")).toHaveLength(0);
  });

  test("the account policy names each excluded group once, sorted, the same whatever the config's order", () => {
    const config = baseConfig();
    config.accounts[1].regions = ["us-east-1", "eu-west-1"];
    config.accounts[1].allLogGroups.exclude = ["/z/last", "/var/log/nginx/access.log", "/aws/lambda/noisy"];
    config.accounts[1].logGroups.push(
      { name: "/var/log/nginx/access.log", filterPattern: "ERROR" },
      { name: "/app/web/audit" },
    );
    const criteria = (document: Record<string, any>) =>
      resourcesOf(synthStacks(document)["web-prod"], "aws_cloudwatch_log_account_policy").map(([, p]) => [
        p.provider,
        p.selection_criteria,
      ]);
    const expected =
      'LogGroupName NOT IN ["/app/web/audit","/aws/lambda/noisy","/var/log/nginx/access.log","/z/last"]';
    expect(criteria(config).sort()).toEqual([
      ["aws.eu_west_1", expected],
      ["aws.us_east_1", expected],
    ]);
    config.accounts[1].allLogGroups.exclude.reverse();
    config.accounts[1].logGroups.reverse();
    expect(criteria(config).map(([, c]) => c)).toEqual([expected, expected]);
  });

  test("the shipped example (config/example.yaml): web-prod's account policy skips its exclusion and both nginx groups, exactly", () => {
    const document = parse(readFileSync("config/example.yaml", "utf8"));
    const policies = resourcesOf(synthStacks(document)["web-prod"], "aws_cloudwatch_log_account_policy").map(
      ([, p]) => p.selection_criteria,
    );
    expect(policies).toEqual([
      'LogGroupName NOT IN ["/aws/lambda/noisy-healthcheck","/var/log/nginx/access.log","/var/log/nginx/error.log"]',
    ]);
  });

  test("allLogGroups with nothing to exclude and no groups of its own: no selection criteria", () => {
    const config = baseConfig();
    config.accounts[1].logGroups = [];
    config.accounts[1].allLogGroups = {};
    expect(
      onlyResource(synthStacks(config)["web-prod"], "aws_cloudwatch_log_account_policy").selection_criteria,
    ).toBeUndefined();
  });

  describe(`the selection criteria fits CloudWatch Logs' ${SELECTION_CRITERIA_MAX_BYTES}-byte limit`, () => {
    /** web-prod's exclude list grown until the criteria (with its own group) is exactly `bytes` long. */
    const withCriteriaOf = (bytes: number) => {
      const config = baseConfig();
      const own = config.accounts[1].logGroups.map((g: { name: string }) => g.name);
      const exclude: string[] = [];
      const size = () =>
        Buffer.byteLength(accountPolicySelectionCriteria(accountPolicyExclusions(exclude, own))!, "utf8");
      // Each name adds its length plus 3 bytes (two quotes and a comma).
      while (bytes - size() > 500 + 3 + 20)
        exclude.push(`/aws/lambda/fn-${String(exclude.length).padStart(4, "0")}-${"x".repeat(480)}`);
      exclude.push(`/aws/lambda/zz-${"y".repeat(bytes - size() - 3 - "/aws/lambda/zz-".length)}`);
      expect(size()).toBe(bytes);
      config.accounts[1].allLogGroups.exclude = exclude;
      return config;
    };

    test("exactly at the limit: accepted, and the policy carries all of it", () => {
      const config = withCriteriaOf(SELECTION_CRITERIA_MAX_BYTES);
      const criteria: string = onlyResource(
        synthStacks(config)["web-prod"],
        "aws_cloudwatch_log_account_policy",
      ).selection_criteria;
      expect(Buffer.byteLength(criteria, "utf8")).toBe(SELECTION_CRITERIA_MAX_BYTES);
      expect(criteria).toContain('"/var/log/nginx/access.log"');
    });

    test("one byte over: a config error at the account's allLogGroups.exclude, with the fix", () => {
      const config = withCriteriaOf(SELECTION_CRITERIA_MAX_BYTES + 1);
      expect(() => parseConfig(config)).toThrow(ConfigError);
      try {
        parseConfig(config);
      } catch (error) {
        expect((error as ConfigError).problems).toEqual([
          {
            path: "accounts[1].allLogGroups.exclude",
            message: `with the 1 log groups under logGroups (skipped so they are not shipped twice), the account policy would exclude ${config.accounts[1].allLogGroups.exclude.length + 1} log groups in a 25001-byte selection criteria, over CloudWatch Logs' 25000-byte limit; remove names from allLogGroups.exclude, or drop logGroups entries that neither create their group nor filter its events (the account policy ships those anyway)`,
          },
        ]);
      }
    });
  });

  test("a log group's filters are named by their place: adding a second leaves the first's id and name as they were", () => {
    const config = baseConfig();
    const filtersOf = (c: typeof config) =>
      Object.fromEntries(
        resourcesOf(synthStacks(c)["web-prod"], "aws_cloudwatch_log_subscription_filter").map(([id, f]) => [
          id,
          [f.name, f.filter_pattern],
        ]),
      );
    const before = filtersOf(config);
    config.accounts[1].logGroups.push({ name: "/var/log/nginx/access.log", filterPattern: "ERROR" });
    const after = filtersOf(config);
    expect(Object.fromEntries(Object.entries(after).filter(([id]) => id in before))).toEqual(before);
    expect(Object.values(after).filter(([name]) => !Object.values(before).some(([n]) => n === name))).toEqual(
      [["secops-security-logs-us-east-1-2", "ERROR"]],
    );
    // A pattern change keeps the name (and id): an in-place update.
    config.accounts[1].logGroups[1].filterPattern = "WARN";
    expect(Object.keys(filtersOf(config))).toEqual(Object.keys(after));
  });

  test("reordering accounts or log groups changes no logical id", () => {
    const config = baseConfig();
    const before = synthStacks(config);
    config.accounts.reverse();
    config.accounts[1].logGroups.reverse();
    const after = synthStacks(config);
    for (const name of Object.keys(before)) {
      for (const type of Object.keys(before[name].resource)) {
        expect(Object.keys(after[name].resource[type]).sort()).toEqual(
          Object.keys(before[name].resource[type]).sort(),
        );
      }
    }
  });
});

// Log group and filter construct ids are logical ids (a changed id replaces the filter): pinned here.
describe("construct ids from log group names", () => {
  test.each([
    ["/var/log/messages", "var_log_messages"],
    ["/var/log//app--sec", "var_log_app_sec"],
    ["app.security|ship-all", "app_security_ship_all"],
    ["__edge__", "edge"],
  ])("%s: readable part %s, then the name's hash", (name, readable) => {
    expect(constructIdOf(name)).toBe(`${readable}_${shortHash(name)}`);
  });
});

describe("application account stacks, organization mode", () => {
  const stacks = synthStacks(fullConfig());
  const payments = stacks["payments-prod"];
  const web = stacks["web-prod"];

  const senderRoleId = (stack: StackJson) => resourcesOf(stack, "aws_iam_role").map(([id]) => id)[0];
  const senderPolicyId = (stack: StackJson) => resourcesOf(stack, "aws_iam_role_policy").map(([id]) => id)[0];

  test("the sender role is AWS's documented one: trusted by logs.amazonaws.com, with no condition AWS does not document", () => {
    const role = onlyResource(payments, "aws_iam_role");
    expect(role.name).toBe("secops-logs-subscription");
    expect(role.provider).toBe("aws.us_east_1");
    expect(policyOf(role.assume_role_policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "logs.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    });
  });

  test("its one inline policy allows logs:PutLogEvents on the account's own subscribed log groups, per region it ships from", () => {
    const policy = onlyResource(payments, "aws_iam_role_policy");
    expect(policy.role).toBe(`\${aws_iam_role.${senderRoleId(payments)}.id}`);
    expect(policyOf(policy.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ValidateSubscriptionsOfOwnLogGroups",
          Effect: "Allow",
          Action: "logs:PutLogEvents",
          Resource: [
            `arn:aws:logs:us-east-1:${PAYMENTS_ACCOUNT}:log-group:/app/payments/security:*`,
            `arn:aws:logs:us-east-1:${PAYMENTS_ACCOUNT}:log-group:/var/log/messages:*`,
            `arn:aws:logs:eu-west-1:${PAYMENTS_ACCOUNT}:log-group:/app/payments/security:*`,
            `arn:aws:logs:eu-west-1:${PAYMENTS_ACCOUNT}:log-group:/var/log/messages:*`,
          ],
        },
      ],
    });
  });

  test("with allLogGroups the account policy covers every log group of a region, so the role names each region's log groups", () => {
    expect(policyOf(onlyResource(web, "aws_iam_role_policy").policy).Statement).toEqual([
      {
        Sid: "ValidateSubscriptionsOfOwnLogGroups",
        Effect: "Allow",
        Action: "logs:PutLogEvents",
        Resource: [
          `arn:aws:logs:us-east-1:${WEB_ACCOUNT}:log-group:*`,
          `arn:aws:logs:ap-southeast-2:${WEB_ACCOUNT}:log-group:*`,
        ],
      },
    ]);
  });

  test(`up to IAM's ${ROLE_INLINE_POLICIES_MAX_CHARS}-character quota the role names each group; one character over, each region's log groups`, () => {
    const regionWide = [`arn:aws:logs:us-east-1:${PAYMENTS_ACCOUNT}:log-group:*`];
    /** Log group ARNs whose policy is exactly `chars` long. */
    const groupsFilling = (chars: number) => {
      const arns: string[] = [];
      const size = () =>
        policySize(
          policyDocument({
            Sid: "ValidateSubscriptionsOfOwnLogGroups",
            Effect: "Allow",
            Action: "logs:PutLogEvents",
            Resource: arns,
          }),
        );
      const arn = (name: string) => `arn:aws:logs:us-east-1:${PAYMENTS_ACCOUNT}:log-group:${name}:*`;
      while (chars - size() > 600)
        arns.push(arn(`/app/g${String(arns.length).padStart(4, "0")}/${"x".repeat(400)}`));
      arns.push(arn("/z"));
      arns[arns.length - 1] = arn(`/z${"y".repeat(chars - size())}`);
      expect(size()).toBe(chars);
      return arns;
    };
    const atLimit = groupsFilling(ROLE_INLINE_POLICIES_MAX_CHARS);
    expect(
      senderPermissions({ subscribedLogGroupArns: atLimit, regionLogGroupArns: regionWide }).Statement[0]
        .Resource,
    ).toEqual(atLimit);
    const over = groupsFilling(ROLE_INLINE_POLICIES_MAX_CHARS + 1);
    expect(
      senderPermissions({ subscribedLogGroupArns: over, regionLogGroupArns: regionWide }).Statement[0]
        .Resource,
    ).toEqual(regionWide);
    // And in a stack: 80 groups in two regions do not fit, so the role names the two regions.
    const config = fullConfig();
    config.accounts[0].logGroups = Array.from({ length: 80 }, (_, i) => ({
      name: `/app/payments/service-${String(i).padStart(3, "0")}/security`,
    }));
    expect(
      policyOf(onlyResource(synthStacks(config)["payments-prod"], "aws_iam_role_policy").policy).Statement[0]
        .Resource,
    ).toEqual([
      `arn:aws:logs:us-east-1:${PAYMENTS_ACCOUNT}:log-group:*`,
      `arn:aws:logs:eu-west-1:${PAYMENTS_ACCOUNT}:log-group:*`,
    ]);
  });

  test("filters and account policies pass the sender role and wait for its inline policy, not only for the role", () => {
    const filters = resourcesOf(payments, "aws_cloudwatch_log_subscription_filter");
    expect(filters).toHaveLength(4);
    for (const [, filter] of filters) {
      expect(filter.role_arn).toBe(`\${aws_iam_role.${senderRoleId(payments)}.arn}`);
      expect(filter.depends_on).toEqual([`aws_iam_role_policy.${senderPolicyId(payments)}`]);
    }
    const policies = resourcesOf(web, "aws_cloudwatch_log_account_policy").map(([, p]) => p);
    expect(policies.map((p) => p.provider).sort()).toEqual(["aws.ap_southeast_2", "aws.us_east_1"]);
    for (const policy of policies) {
      expect(JSON.parse(policy.policy_document).RoleArn).toBe(`\${aws_iam_role.${senderRoleId(web)}.arn}`);
      expect(policy.depends_on).toEqual([`aws_iam_role_policy.${senderPolicyId(web)}`]);
    }
    for (const [, filter] of resourcesOf(web, "aws_cloudwatch_log_subscription_filter")) {
      expect(filter.depends_on).toEqual([`aws_iam_role_policy.${senderPolicyId(web)}`]);
    }
    expect(WEB_ACCOUNT).toBe(web.provider.aws[0].allowed_account_ids[0]);
  });

  test("assume_role on the providers of an account with roleArn", () => {
    for (const provider of payments.provider.aws) {
      expect(provider.assume_role).toEqual([
        {
          role_arn: `arn:aws:iam::${PAYMENTS_ACCOUNT}:role/OrganizationAccountAccessRole`,
          session_name: "secops-seclog",
        },
      ]);
    }
    for (const provider of web.provider.aws) expect(provider.assume_role).toBeUndefined();
  });
});

describe("IAM simulation of the organization-mode sender role", () => {
  const stacks = synthStacks(fullConfig());
  const payments: SenderPolicies = senderPolicies(stacks["payments-prod"], PAYMENTS_ACCOUNT);
  const web: SenderPolicies = senderPolicies(stacks["web-prod"], WEB_ACCOUNT);
  const paymentsRows = senderRoleRows({
    subscribed: [
      ["us-east-1", "/var/log/messages"],
      ["eu-west-1", "/app/payments/security"],
    ],
    unsubscribedLogGroup: "/var/log/other",
    accountWide: false,
    otherRegion: "sa-east-1",
    securityAccount: SECURITY_ACCOUNT,
    outsider: OUTSIDER,
  });
  const webRows = senderRoleRows({
    subscribed: [
      ["us-east-1", "/var/log/nginx/access.log"],
      ["ap-southeast-2", "/aws/lambda/anything"],
    ],
    unsubscribedLogGroup: "/aws/lambda/anything-else",
    accountWide: true,
    otherRegion: "eu-west-1",
    securityAccount: SECURITY_ACCOUNT,
    outsider: OUTSIDER,
  });
  const table: Array<[string, string, Row<SenderPolicies>, SenderPolicies]> = [
    ...paymentsRows.map((row): [string, string, Row<SenderPolicies>, SenderPolicies] => [
      "payments-prod",
      `${row.expected}: ${row.rule}`,
      row,
      payments,
    ]),
    ...webRows.map((row): [string, string, Row<SenderPolicies>, SenderPolicies] => [
      "web-prod",
      `${row.expected}: ${row.rule}`,
      row,
      web,
    ]),
  ];

  test.each(table)("%s: %s", async (_stack, _name, row, policies) => {
    const actual = await decide(row, policies);
    expect({ rule: row.rule, decision: actual, matches: matches(row.expected, actual) }).toEqual({
      rule: row.rule,
      decision: actual,
      matches: true,
    });
  });

  test("a deliberately broken policy makes its row fail (the pre-fix role among them)", async () => {
    const document = (...Statement: Array<Record<string, any>>): Policy => ({
      Version: "2012-10-17",
      Statement,
    });
    // The role as it was: trust conditioned on aws:SourceArn, PutLogEvents on the security account.
    const conditionedTrust = document({
      Effect: "Allow",
      Principal: { Service: "logs.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: { StringLike: { "aws:SourceArn": [`arn:aws:logs:us-east-1:${PAYMENTS_ACCOUNT}:*`] } },
    });
    const securityAccountWrites = document({
      Effect: "Allow",
      Action: "logs:PutLogEvents",
      Resource: [`arn:aws:logs:us-east-1:${SECURITY_ACCOUNT}:*`],
    });
    const twoServices = document({
      Effect: "Allow",
      Principal: { Service: ["logs.amazonaws.com", "firehose.amazonaws.com"] },
      Action: "sts:AssumeRole",
    });
    const everyLogsAction = document({ ...payments.permissions.Statement[0], Action: "logs:*" });
    const everyLogGroup = document({
      ...payments.permissions.Statement[0],
      Resource: "arn:aws:logs:*:*:log-group:*",
    });
    const broken: Array<[string, Partial<SenderPolicies>]> = [
      ["CloudWatch Logs may assume the sender role", { trust: conditionedTrust }],
      [
        "the sender role may write the subscribed log group /var/log/messages in us-east-1",
        { permissions: securityAccountWrites },
      ],
      ["another AWS service cannot assume the sender role", { trust: twoServices }],
      [
        "the sender role cannot create log streams, even in a subscribed log group",
        { permissions: everyLogsAction },
      ],
      [
        "the sender role cannot write a log group in a region the account does not ship from",
        { permissions: everyLogGroup },
      ],
      [
        "the sender role cannot write a log group the account does not subscribe",
        { permissions: everyLogGroup },
      ],
    ];
    for (const [rule, fault] of broken) {
      const row = paymentsRows.find((r) => r.rule === rule)!;
      expect([rule, matches(row.expected, await decide(row, payments))]).toEqual([rule, true]);
      expect([rule, matches(row.expected, await decide(row, { ...payments, ...fault }))]).toEqual([
        rule,
        false,
      ]);
    }
  });
});
