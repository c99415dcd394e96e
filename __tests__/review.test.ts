import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { decodePolicy, policiesOf } from "../lib/review";
import { run as review } from "../scripts/review";
import { baseConfig, SECURITY_ACCOUNT } from "./support/fixtures";
import { fingerprint } from "./support/files";
import { synthToDir } from "./support/synth-dir";

/**
 * `npm run review -- <stack>`: every policy document of a synthesized stack,
 * decoded, under its Terraform address. Run in-process on a stack synthesized
 * into a temp dir, the way `cdktf synth` writes it.
 */
function capture(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = review(argv, {
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
  });
  return { code, stdout, stderr };
}

/** baseConfig() with organization mode (application stacks get a sender role), alarms and the object queue. */
function reviewConfig() {
  const config = baseConfig();
  config.organizationId = "o-a1b2c3d4e5";
  config.alarms = { silenceHours: 24 };
  config.notifications = { sqs: true };
  return config;
}

const stacks = synthToDir(reviewConfig(), "review");
const outdir = dirname(dirname(stacks.security));
const stackJson = (name: string) => JSON.parse(readFileSync(join(stacks[name], "cdk.tf.json"), "utf8"));

/**
 * Which attribute of each resource type holds a policy document, as the
 * provider documents it. Written out here, not taken from lib/review: a new
 * kind of policy in a stack must show up in this table too.
 */
const POLICY_ATTRIBUTES: Record<string, string> = {
  aws_cloudwatch_log_destination_policy: "access_policy",
  aws_iam_role: "assume_role_policy",
  aws_iam_role_policy: "policy",
  aws_kms_key: "policy",
  aws_s3_bucket_policy: "policy",
  aws_sns_topic_policy: "policy",
  aws_sqs_queue_policy: "policy",
};

/** `<type>.<name> (<attribute>)` for every resource of the table's types in a stack, sorted, with its provider. */
function expectedHeadings(stack: string): Array<[string, string]> {
  const resources: Record<string, Record<string, any>> = stackJson(stack).resource;
  return Object.entries(POLICY_ATTRIBUTES)
    .flatMap(([type, attribute]) =>
      Object.entries(resources[type] ?? {}).map(([name, body]): [string, string] => [
        `${type}.${name} (${attribute})`,
        body.provider,
      ]),
    )
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The printed `<address> (<attribute>)` headings, each with the provider line under it. */
function printedHeadings(stdout: string): Array<[string, string]> {
  return [...stdout.matchAll(/^(\S+ \(\S+\))\nprovider: (\S+)\n\{$/gm)].map((m): [string, string] => [
    m[1],
    m[2],
  ]);
}

/** The decoded document printed under a heading: the 2-space JSON up to the next blank line. */
function printedPolicy(stdout: string, heading: string): unknown {
  const start = stdout.indexOf(`${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const json = stdout.slice(stdout.indexOf("{", start), stdout.indexOf("\n}\n", start) + 2);
  expect(json).toBe(JSON.stringify(JSON.parse(json), null, 2));
  return JSON.parse(json);
}

function addressOf(stack: string, type: string, namePrefix: string): string {
  const names = Object.keys(stackJson(stack).resource[type] ?? {}).filter((name) =>
    name.startsWith(namePrefix),
  );
  expect(names).toHaveLength(1);
  return `${type}.${names[0]}`;
}

describe("npm run review", () => {
  test("security stack: every policy document, decoded, under its address and attribute, with its provider, in a stable order", () => {
    const expected = expectedHeadings("security");
    // Keys, bucket policies, destination policies per region, service roles, topic and queue.
    expect(new Set(expected.map(([h]) => h.split(".")[0]))).toEqual(new Set(Object.keys(POLICY_ATTRIBUTES)));
    const before = fingerprint(outdir);
    const result = capture(["security", "--out", outdir]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout.split("\n")[0]).toBe(
      `security: ${expected.length} policy documents in ${join(outdir, "stacks", "security", "cdk.tf.json")}`,
    );
    expect(printedHeadings(result.stdout)).toEqual(expected);
    expect(capture(["security", "--out", outdir]).stdout).toBe(result.stdout);
    expect(fingerprint(outdir)).toEqual(before);
  });

  test("the Firehose role's trust policy is printed exactly as modules/delivery.ts builds it", () => {
    const { stdout } = capture(["security", "-o", outdir]);
    expect(
      printedPolicy(
        stdout,
        `${addressOf("security", "aws_iam_role", "Delivery_Role_")} (assume_role_policy)`,
      ),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "firehose.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "sts:ExternalId": SECURITY_ACCOUNT } },
        },
      ],
    });
  });

  test("Terraform references stay ${...} strings inside the decoded document", () => {
    const { stdout } = capture(["security", "-o", outdir]);
    expect(
      printedPolicy(
        stdout,
        `${addressOf("security", "aws_iam_role_policy", "DestinationRole_RolePolicy_")} (policy)`,
      ),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "PutIntoStream",
          Effect: "Allow",
          Action: "kinesis:PutRecord",
          Resource: `\${${addressOf("security", "aws_kinesis_stream", "Stream_")}.arn}`,
        },
        {
          Sid: "EncryptStreamRecords",
          Effect: "Allow",
          Action: "kms:GenerateDataKey",
          Resource: `\${${addressOf("security", "aws_kms_key", "StreamKey_")}.arn}`,
        },
      ],
    });
  });

  test("application stack: the sender role's trust and inline policy, exactly as modules/subscription.ts builds them", () => {
    const expected = expectedHeadings("payments-prod");
    const role = addressOf("payments-prod", "aws_iam_role", "SenderRole_");
    const policy = addressOf("payments-prod", "aws_iam_role_policy", "SenderRole_RolePolicy_");
    expect(expected.map(([h]) => h)).toEqual([`${role} (assume_role_policy)`, `${policy} (policy)`]);
    const result = capture(["payments-prod", "--out", outdir]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(printedHeadings(result.stdout)).toEqual(expected);
    expect(printedPolicy(result.stdout, `${role} (assume_role_policy)`)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "logs.amazonaws.com" },
          // AWS's documented trust for CWLtoSubscriptionFilterRole: no condition (modules/subscription.ts).
          Action: "sts:AssumeRole",
        },
      ],
    });
  });

  test("an account-level subscription policy is no IAM policy: web-prod prints only its sender role", () => {
    expect(Object.keys(stackJson("web-prod").resource.aws_cloudwatch_log_account_policy)).toHaveLength(1);
    const result = capture(["web-prod", "--out", outdir]);
    expect(result.code).toBe(0);
    expect(printedHeadings(result.stdout)).toEqual(expectedHeadings("web-prod"));
    expect(result.stdout).not.toContain("aws_cloudwatch_log_account_policy");
  });

  test("--json: an array of {address, attribute, provider, policy}, the same set", () => {
    const result = capture(["security", "--out", outdir, "--json"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const entries = JSON.parse(result.stdout);
    expect(result.stdout).toBe(`${JSON.stringify(entries, null, 2)}\n`);
    expect(entries.map((e: any) => [`${e.address} (${e.attribute})`, e.provider])).toEqual(
      expectedHeadings("security"),
    );
    for (const entry of entries) {
      expect(Object.keys(entry)).toEqual(["address", "attribute", "provider", "policy"]);
      expect(entry.policy).toEqual(
        JSON.parse(
          stackJson("security").resource[entry.address.split(".")[0]][entry.address.split(".")[1]][
            entry.attribute
          ],
        ),
      );
    }
  });

  test("a stack that is not synthesized: exit 1, run npx cdktf synth first, the stacks that exist", () => {
    const result = capture(["payments-prd", "--out", outdir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("run npx cdktf synth first");
    expect(result.stderr).toContain("did you mean payments-prod?");
    expect(result.stderr).toContain("stacks there: payments-prod, security, web-prod");
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  test("a stack directory without cdk.tf.json, or no synth output at all: exit 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "seclog-review-"));
    mkdirSync(join(dir, "stacks", "security"), { recursive: true });
    const noJson = capture(["security", "--out", dir]);
    expect(noJson.code).toBe(1);
    expect(noJson.stderr).toContain(
      `${join(dir, "stacks", "security", "cdk.tf.json")} not found: run npx cdktf synth first`,
    );
    expect(noJson.stderr).toContain("no stacks there yet");
    const nothing = capture(["security", "--out", join(dir, "missing")]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain("run npx cdktf synth first");
    writeFileSync(join(dir, "stacks", "security", "cdk.tf.json"), "{ not json");
    const broken = capture(["security", "--out", dir]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/is not valid JSON.*run npx cdktf synth again/);
    rmSync(dir, { recursive: true, force: true });
  });

  test("--help: usage on stdout, exit 0", () => {
    const result = capture(["--help"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^usage: npm run review -- <stack> \[--out <cdktf\.out dir>\] \[--json\]/);
    expect(result.stdout).toContain("hashicorp/terraform-cdk#3911");
  });

  test.each([
    ["an unknown option", ["security", "--jsn"], /Unknown option '--jsn'/],
    ["no stack", [], /expected 1 argument, got 0/],
    ["two stacks", ["security", "web-prod"], /unexpected argument "web-prod"/],
    ["a path instead of a stack name", ["../security"], /is not a stack name/],
  ])("%s: exit 2, says what is wrong and how to get help", (_what, argv, message) => {
    const result = capture([...argv, "--out", outdir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("--help");
    expect(result.stdout).toBe("");
  });
});

describe("policiesOf (lib/review)", () => {
  test("nested blocks, data sources and every attribute name; non-policy JSON, references and metadata left out", () => {
    const policy = (sid: string) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: sid, Effect: "Allow", Action: "s3:GetObject", Resource: "${aws_s3_bucket.b.arn}/*" },
        ],
      });
    const stack = {
      "//": { metadata: { policy: policy("Metadata") } },
      data: {
        aws_iam_policy_document: {
          doc: { provider: "aws.eu_west_1", override_policy_documents: [policy("Data")] },
        },
      },
      resource: {
        aws_iam_role: {
          b_role: {
            provider: "aws.us_east_1",
            assume_role_policy: policy("Trust"),
            inline_policy: [{ name: "one", policy: policy("Inline") }],
          },
          a_role: {
            assume_role_policy: "${data.aws_iam_policy_document.doc.json}",
            "//": { note: policy("Suppressed") },
          },
        },
        aws_opensearch_domain: {
          d: { provider: "aws.us_east_1", access_policies: policy("Domain"), tags: { json: '{"a":1}' } },
        },
        aws_sqs_queue: {
          q: {
            provider: "aws.us_east_1",
            redrive_policy: JSON.stringify({ maxReceiveCount: 5 }),
            policy: "[1]",
          },
        },
      },
    };
    expect(
      policiesOf(stack).map(({ address, attribute, provider }) => [address, attribute, provider]),
    ).toEqual([
      ["aws_iam_role.b_role", "assume_role_policy", "aws.us_east_1"],
      ["aws_iam_role.b_role", "inline_policy[0].policy", "aws.us_east_1"],
      ["aws_opensearch_domain.d", "access_policies", "aws.us_east_1"],
      ["data.aws_iam_policy_document.doc", "override_policy_documents[0]", "aws.eu_west_1"],
    ]);
    expect(policiesOf(stack)[1].policy).toEqual(JSON.parse(policy("Inline")));
  });

  test("decodePolicy: only JSON objects with a Statement", () => {
    expect(decodePolicy('{"Version":"2012-10-17","Statement":[]}')).toEqual({
      Version: "2012-10-17",
      Statement: [],
    });
    for (const value of ["", "{", "[]", '{"maxReceiveCount":5}', "${aws_iam_role.r.arn}", '"Statement"'])
      expect(decodePolicy(value)).toBeUndefined();
  });

  test("no resources, or not an object: nothing", () => {
    expect(policiesOf({})).toEqual([]);
    expect(policiesOf(null)).toEqual([]);
    expect(policiesOf({ resource: [] })).toEqual([]);
  });
});
