/**
 * Which resources carry policies, and what each kind of policy is held to,
 * on plain views (no cdktf): the same allow-everything policy is judged by
 * the rules of its kind only.
 */
import { policiesOf, PolicyKind } from "../../lib/rules/policy";
import { SECURITY_RULES } from "../../lib/rules/rules";
import { ResourceView, StackView } from "../../lib/rules/view";

const EVERYTHING = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });

/** The spec: every resource type whose policy the pack reads, the attribute, and what it governs. */
const POLICY_TYPES: readonly (readonly [string, string, PolicyKind])[] = [
  ["aws_iam_role", "assume_role_policy", "trust"],
  ["aws_iam_role_policy", "policy", "identity"],
  ["aws_iam_policy", "policy", "identity"],
  ["aws_iam_user_policy", "policy", "identity"],
  ["aws_iam_group_policy", "policy", "identity"],
  ["aws_kms_key", "policy", "key"],
  ["aws_kms_key_policy", "policy", "key"],
  ["aws_s3_bucket", "policy", "resource"],
  ["aws_s3_bucket_policy", "policy", "resource"],
  ["aws_sns_topic", "policy", "resource"],
  ["aws_sns_topic_policy", "policy", "resource"],
  ["aws_sqs_queue", "policy", "resource"],
  ["aws_sqs_queue_policy", "policy", "resource"],
  ["aws_cloudwatch_log_destination_policy", "access_policy", "resource"],
  ["aws_cloudwatch_log_resource_policy", "policy_document", "resource"],
  ["aws_secretsmanager_secret_policy", "policy", "resource"],
  ["aws_ecr_repository_policy", "policy", "resource"],
  ["aws_kinesis_resource_policy", "policy", "resource"],
];

const view = (type: string, attributes: Record<string, unknown>): ResourceView => ({
  type,
  name: "R",
  path: "t/R",
  attributes: { provider: "aws.a", ...attributes },
});
const stackOf = (...resources: ResourceView[]): StackView => ({ resources, dataSources: [] });

/** Violations of the policy rules only (the companion and attribute rules are not about policies). */
const POLICY_RULES = [
  "POLICY_UNREADABLE",
  "KMS_KEY_ADMIN_ROOT_ONLY",
  "IAM_NO_WILDCARD_ACTION",
  "IAM_RESOURCE_SCOPED",
  "IAM_SERVICE_TRUST_CONDITION",
  "IAM_ACCOUNT_TRUST_CONDITION",
  "S3_POLICY_TLS_ONLY",
  "LOGS_DESTINATION_POLICY_SCOPED",
];
const policyViolations = (r: ResourceView, stack = stackOf(r)): string[] =>
  SECURITY_RULES.filter((rule) => POLICY_RULES.includes(rule.id)).flatMap((rule) => {
    const message = rule.check(r, stack);
    return message ? [`${rule.id}: ${message}`] : [];
  });

const BY_KIND: Record<PolicyKind, string[]> = {
  identity: ["IAM_NO_WILDCARD_ACTION: allows *", "IAM_RESOURCE_SCOPED: statement #1 allows Resource *"],
  resource: ["IAM_NO_WILDCARD_ACTION: allows *", "IAM_RESOURCE_SCOPED: statement #1 allows Resource *"],
  // Resource "*" in a key policy is "this key": only the grant is wrong.
  key: ["KMS_KEY_ADMIN_ROOT_ONLY: kms:* granted to [null]", "IAM_NO_WILDCARD_ACTION: allows *"],
  // A trust without a principal trusts nobody; its actions and resources are not permissions.
  trust: [],
};

describe("policy attributes", () => {
  test.each(POLICY_TYPES)("%s.%s is a %s policy", (type, attribute, kind) => {
    const r = view(type, { [attribute]: EVERYTHING });
    expect(policiesOf(r)).toEqual([{ attribute, kind, value: EVERYTHING }]);
    expect(policiesOf(view(type, { other: EVERYTHING }))).toEqual([]);
  });

  test.each(POLICY_TYPES)("an allow-everything %s.%s is judged as a %s policy", (type, attribute, kind) => {
    expect(
      policyViolations(view(type, { [attribute]: EVERYTHING })).filter((m) => !m.startsWith("S3_POLICY")),
    ).toEqual(BY_KIND[kind]);
  });

  test("an aws_cloudwatch_log_account_policy's policy_document is a subscription filter policy, not IAM", () => {
    expect(policiesOf(view("aws_cloudwatch_log_account_policy", { policy_document: "{}" }))).toEqual([]);
  });

  test("an unreadable policy of every kind is reported", () => {
    expect(
      POLICY_TYPES.map(([type, attribute]) => policyViolations(view(type, { [attribute]: "{" }))[0]),
    ).toEqual(POLICY_TYPES.map(([, attribute]) => `POLICY_UNREADABLE: ${attribute} is not valid JSON`));
  });
});

describe("managed policy attachments", () => {
  const policy = view("aws_iam_policy", { policy: EVERYTHING });
  test.each([
    ["aws_iam_role_policy_attachment", "policy_arn"],
    ["aws_iam_user_policy_attachment", "policy_arn"],
    ["aws_iam_group_policy_attachment", "policy_arn"],
    ["aws_iam_policy_attachment", "policy_arn"],
    ["aws_iam_role", "managed_policy_arns"],
  ])("%s.%s must be an aws_iam_policy of the stack", (type, attribute) => {
    const attach = (arn: unknown) => view(type, { [attribute]: arn });
    const unreadable = (r: ResourceView) => SECURITY_RULES[0].check(r, stackOf(policy, r));
    expect(unreadable(attach("${aws_iam_policy.R.arn}"))).toBeUndefined();
    expect(unreadable(attach(["${aws_iam_policy.R.arn}", "arn:aws:iam::aws:policy/ReadOnlyAccess"]))).toBe(
      `${attribute} arn:aws:iam::aws:policy/ReadOnlyAccess is not a policy of this stack`,
    );
    expect(unreadable(attach("${aws_iam_policy.Other.arn}"))).toBe(
      `${attribute} \${aws_iam_policy.Other.arn} is not a policy of this stack`,
    );
    expect(unreadable(attach("${aws_iam_role_policy.R.arn}"))).toBe(
      `${attribute} \${aws_iam_role_policy.R.arn} is not a policy of this stack`,
    );
  });

  test("other resources' policy_arn is not an attachment", () => {
    expect(
      SECURITY_RULES[0].check(view("aws_iam_role_policy", { policy_arn: "x" }), stackOf()),
    ).toBeUndefined();
    expect(
      SECURITY_RULES[0].check(view("aws_iam_user", { managed_policy_arns: ["x"] }), stackOf()),
    ).toBeUndefined();
  });

  test("problems of one resource are joined", () => {
    const r = view("aws_iam_role", {
      assume_role_policy: "{",
      inline_policy: [{ name: "a", policy: "[]" }],
      managed_policy_arns: ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"],
    });
    expect(SECURITY_RULES[0].check(r, stackOf(r))).toBe(
      [
        "assume_role_policy is not valid JSON",
        "inline_policy[0].policy is not a JSON object",
        "managed_policy_arns arn:aws:iam::aws:policy/A is not a policy of this stack",
        "managed_policy_arns arn:aws:iam::aws:policy/B is not a policy of this stack",
      ].join("; "),
    );
  });
});

describe("rule metadata", () => {
  test("ids are unique, upper snake case; every rule says what it requires", () => {
    const ids = SECURITY_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !/^[A-Z0-9]+(_[A-Z0-9]+)+$/.test(id))).toEqual([]);
    expect(SECURITY_RULES.filter((r) => r.description.length < 30).map((r) => r.id)).toEqual([]);
  });

  test("a bucket rule names its companion and the rule that checks the companion", () => {
    const description = (id: string) => SECURITY_RULES.find((r) => r.id === id)?.description;
    expect(description("S3_BUCKET_ENCRYPTED")).toBe(
      "every S3 bucket has an aws_s3_bucket_server_side_encryption_configuration (its algorithm is checked by S3_SSE_KMS)",
    );
    expect(description("S3_BUCKET_PUBLIC_ACCESS_BLOCKED")).toBe(
      "every S3 bucket has an aws_s3_bucket_public_access_block (its four settings are checked by S3_PUBLIC_ACCESS_BLOCK_ALL)",
    );
    expect(description("S3_BUCKET_TLS_ONLY")).toBe(
      "every S3 bucket has an aws_s3_bucket_policy (its TLS-only deny is checked by S3_POLICY_TLS_ONLY)",
    );
  });
});
