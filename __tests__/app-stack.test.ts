import { baseConfig, fullConfig, PAYMENTS_ACCOUNT, SECURITY_ACCOUNT, WEB_ACCOUNT } from "./support/fixtures";
import { onlyResource, policyOf, resourcesOf, synthStacks } from "./support/synth";

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
      expect(filter.destination_arn).toBe(`arn:aws:logs:${region}:${SECURITY_ACCOUNT}:destination:secops-security-logs`);
      expect(filter.distribution).toBe("Random");
      // the region in the name is how the processor learns where an envelope came from
      expect(filter.name).toBe(`secops-security-logs-${region}`);
      expect(filter.role_arn).toBeUndefined();
    }
    const patterns = filters.map((f) => f.filter_pattern).sort();
    expect(patterns).toEqual(["", "", '{ $.level = "ERROR" }', '{ $.level = "ERROR" }']);
  });

  test("created log groups carry retention, survive a destroy, and their filters reference them; existing groups are named", () => {
    const groups = resourcesOf(payments, "aws_cloudwatch_log_group").map(([, g]) => [g.provider, g.name, g.retention_in_days, g.skip_destroy]);
    // skip_destroy: removing an account or a group from the config must not delete the events it holds
    expect(groups.sort()).toEqual([
      ["aws.eu_west_1", "/var/log/messages", 365, true],
      ["aws.us_east_1", "/var/log/messages", 365, true],
    ]);
    const groupNames = resourcesOf(payments, "aws_cloudwatch_log_subscription_filter").map(([, f]) => f.log_group_name).sort();
    expect(groupNames).toEqual([
      expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.Subscriptions_eu-west-1_LogGroup_var_log_messages_[0-9a-f]{8}_[0-9A-F]{8}\.name\}$/),
      expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.Subscriptions_us-east-1_LogGroup_var_log_messages_[0-9a-f]{8}_[0-9A-F]{8}\.name\}$/),
      "/app/payments/security",
      "/app/payments/security",
    ]);
  });

  test("no cross-stack references: an app stack holds no remote state and no reference to security resources", () => {
    const text = JSON.stringify(payments);
    expect(text).not.toMatch(/terraform_remote_state|aws_kinesis_stream|aws_cloudwatch_log_destination/);
  });

  test("allLogGroups: one account-level subscription policy per region, excluding exact names", () => {
    const policy = onlyResource(web, "aws_cloudwatch_log_account_policy");
    expect(policy.policy_type).toBe("SUBSCRIPTION_FILTER_POLICY");
    expect(policy.scope).toBe("ALL");
    expect(policy.policy_name).toBe("secops-security-logs-us-east-1");
    expect(policy.selection_criteria).toBe('LogGroupName NOT IN ["/aws/lambda/noisy"]');
    expect(JSON.parse(policy.policy_document)).toEqual({
      DestinationArn: `arn:aws:logs:us-east-1:${SECURITY_ACCOUNT}:destination:secops-security-logs`,
      FilterPattern: "",
      Distribution: "Random",
    });
    expect(resourcesOf(payments, "aws_cloudwatch_log_account_policy")).toHaveLength(0);
  });

  test("two filters on one log group get distinct, stable names", () => {
    const config = baseConfig();
    config.accounts[1].logGroups.push({ name: "/var/log/nginx/access.log", filterPattern: "ERROR" });
    const stack = synthStacks(config)["web-prod"];
    const names = resourcesOf(stack, "aws_cloudwatch_log_subscription_filter").map(([, f]) => f.name);
    expect(new Set(names).size).toBe(2);
    for (const name of names) expect(name).toMatch(/^secops-security-logs-us-east-1-[0-9a-f]{8}$/);
    // the same entries in the other order give the same names and ids
    config.accounts[1].logGroups.reverse();
    const reordered = synthStacks(config)["web-prod"];
    expect(Object.keys(reordered.resource.aws_cloudwatch_log_subscription_filter).sort()).toEqual(
      Object.keys(stack.resource.aws_cloudwatch_log_subscription_filter).sort(),
    );
  });

  test("reordering accounts or log groups changes no logical id", () => {
    const config = baseConfig();
    const before = synthStacks(config);
    config.accounts.reverse();
    config.accounts[1].logGroups.reverse();
    const after = synthStacks(config);
    for (const name of Object.keys(before)) {
      for (const type of Object.keys(before[name].resource)) {
        expect(Object.keys(after[name].resource[type]).sort()).toEqual(Object.keys(before[name].resource[type]).sort());
      }
    }
  });
});

describe("application account stacks, organization mode", () => {
  const stacks = synthStacks(fullConfig());
  const payments = stacks["payments-prod"];
  const web = stacks["web-prod"];

  test("a sender role trusted by logs.amazonaws.com for this account's own log groups", () => {
    const role = onlyResource(payments, "aws_iam_role");
    expect(role.name).toBe("secops-logs-subscription");
    expect(role.provider).toBe("aws.us_east_1");
    expect(policyOf(role.assume_role_policy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "logs.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringLike: { "aws:SourceArn": [`arn:aws:logs:us-east-1:${PAYMENTS_ACCOUNT}:*`, `arn:aws:logs:eu-west-1:${PAYMENTS_ACCOUNT}:*`] } },
      },
    ]);
    expect(policyOf(onlyResource(payments, "aws_iam_role_policy").policy).Statement).toEqual([
      {
        Sid: "PutToSecurityAccountDestinations",
        Effect: "Allow",
        Action: "logs:PutLogEvents",
        Resource: [`arn:aws:logs:us-east-1:${SECURITY_ACCOUNT}:*`, `arn:aws:logs:eu-west-1:${SECURITY_ACCOUNT}:*`],
      },
    ]);
  });

  test("filters and account policies pass the sender role", () => {
    for (const [, filter] of resourcesOf(payments, "aws_cloudwatch_log_subscription_filter")) {
      expect(filter.role_arn).toMatch(/^\$\{aws_iam_role\.SenderRole_[0-9A-F]+\.arn\}$/);
    }
    const policies = resourcesOf(web, "aws_cloudwatch_log_account_policy").map(([, p]) => p);
    expect(policies.map((p) => p.provider).sort()).toEqual(["aws.ap_southeast_2", "aws.us_east_1"]);
    for (const policy of policies) expect(JSON.parse(policy.policy_document).RoleArn).toMatch(/aws_iam_role\.SenderRole_/);
    expect(WEB_ACCOUNT).toBe(web.provider.aws[0].allowed_account_ids[0]);
  });

  test("assume_role on the providers of an account with roleArn", () => {
    for (const provider of payments.provider.aws) {
      expect(provider.assume_role).toEqual([{ role_arn: `arn:aws:iam::${PAYMENTS_ACCOUNT}:role/OrganizationAccountAccessRole`, session_name: "secops-seclog" }]);
    }
    for (const provider of web.provider.aws) expect(provider.assume_role).toBeUndefined();
  });
});
