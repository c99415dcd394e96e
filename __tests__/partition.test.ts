import {
  DNS_SUFFIX,
  endpointHost,
  PipelineService,
  regionalServicePrincipal,
  servicePrincipal,
  viaService,
} from "../lib/partition";
import { isKnownRegion, partitionOf } from "../lib/config/regions";
import { parseConfig } from "../lib/config/load";
import { chinaConfig, PAYMENTS_ACCOUNT, SECURITY_ACCOUNT } from "./support/fixtures";
import { StackJson, synthStacks } from "./support/synth";

/**
 * Names that differ between partitions (lib/partition.ts) and a China-region
 * config end to end: every service principal and every `kms:ViaService`
 * value in every synthesized aws-cn stack, exactly.
 */

type Statement = Record<string, any>;

/** Every IAM statement in a stack: each string attribute (at any depth) that is a JSON policy document. */
function statementsOf(stack: StackJson): Statement[] {
  const found: Statement[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      if (!value.includes('"Statement"')) return;
      const policy = JSON.parse(value);
      found.push(...[policy.Statement].flat());
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") Object.values(value).forEach(visit);
  };
  visit(stack.resource);
  return found;
}

const servicePrincipalsOf = (stack: StackJson) =>
  [
    ...new Set(
      statementsOf(stack).flatMap((s) =>
        s.Principal && typeof s.Principal === "object" ? [s.Principal.Service ?? []].flat() : [],
      ),
    ),
  ].sort();

const viaServicesOf = (stack: StackJson) =>
  [
    ...new Set(
      statementsOf(stack).flatMap((s) =>
        Object.values<Record<string, unknown>>(s.Condition ?? {}).flatMap((c) =>
          [c["kms:ViaService"] ?? []].flat(),
        ),
      ),
    ),
  ].sort();

describe("partition facts (lib/partition.ts)", () => {
  test("endpoint DNS suffix per partition", () => {
    expect(DNS_SUFFIX).toEqual({
      aws: "amazonaws.com",
      "aws-cn": "amazonaws.com.cn",
      "aws-us-gov": "amazonaws.com",
    });
  });

  const services: PipelineService[] = [
    "logs",
    "firehose",
    "lambda",
    "cloudwatch",
    "s3",
    "logging.s3",
    "kinesis",
  ];
  test.each([
    [
      "aws",
      [
        "logs.amazonaws.com",
        "firehose.amazonaws.com",
        "lambda.amazonaws.com",
        "cloudwatch.amazonaws.com",
        "s3.amazonaws.com",
        "logging.s3.amazonaws.com",
        "kinesis.amazonaws.com",
      ],
    ],
    [
      "aws-cn",
      [
        "logs.amazonaws.com.cn",
        "firehose.amazonaws.com",
        "lambda.amazonaws.com",
        "cloudwatch.amazonaws.com",
        "s3.amazonaws.com",
        "logging.s3.amazonaws.com",
        "kinesis.amazonaws.com",
      ],
    ],
    [
      "aws-us-gov",
      [
        "logs.amazonaws.com",
        "firehose.amazonaws.com",
        "lambda.amazonaws.com",
        "cloudwatch.amazonaws.com",
        "s3.amazonaws.com",
        "logging.s3.amazonaws.com",
        "kinesis.amazonaws.com",
      ],
    ],
  ] as const)("service principals in %s", (partition, expected) => {
    expect(services.map((s) => servicePrincipal(s, partition))).toEqual(expected);
  });

  test("the regional CloudWatch Logs principal (log group encryption) carries the partition suffix only in aws-cn", () => {
    expect(
      ["us-east-1", "cn-north-1", "cn-northwest-1", "us-gov-west-1"].map((r) =>
        regionalServicePrincipal("logs", r),
      ),
    ).toEqual([
      "logs.us-east-1.amazonaws.com",
      "logs.cn-north-1.amazonaws.com.cn",
      "logs.cn-northwest-1.amazonaws.com.cn",
      "logs.us-gov-west-1.amazonaws.com",
    ]);
  });

  test("endpoint hosts use the partition's DNS suffix; kms:ViaService values do not (amazonaws.com in every partition)", () => {
    expect(["us-east-1", "cn-north-1", "us-gov-east-1"].map((r) => endpointHost("s3", r))).toEqual([
      "s3.us-east-1.amazonaws.com",
      "s3.cn-north-1.amazonaws.com.cn",
      "s3.us-gov-east-1.amazonaws.com",
    ]);
    expect(
      ["us-east-1", "cn-north-1", "cn-northwest-1", "us-gov-east-1"].flatMap((r) => [
        viaService("s3", r),
        viaService("kinesis", r),
      ]),
    ).toEqual([
      "s3.us-east-1.amazonaws.com",
      "kinesis.us-east-1.amazonaws.com",
      "s3.cn-north-1.amazonaws.com",
      "kinesis.cn-north-1.amazonaws.com",
      "s3.cn-northwest-1.amazonaws.com",
      "kinesis.cn-northwest-1.amazonaws.com",
      "s3.us-gov-east-1.amazonaws.com",
      "kinesis.us-gov-east-1.amazonaws.com",
    ]);
  });

  test("an unknown region is refused, not given a guessed suffix", () => {
    expect(() => viaService("s3", "cn-south-1")).toThrow("unknown region cn-south-1");
    expect(() => endpointHost("s3", "cn-south-1")).toThrow("unknown region cn-south-1");
    expect(() => regionalServicePrincipal("logs", "cn-south-1")).toThrow("unknown region cn-south-1");
  });

  test("Beijing and Ningxia are the regions of aws-cn", () => {
    expect(["cn-north-1", "cn-northwest-1"].map((r) => [isKnownRegion(r), partitionOf(r)])).toEqual([
      [true, "aws-cn"],
      [true, "aws-cn"],
    ]);
    expect(isKnownRegion("cn-south-1")).toBe(false);
  });
});

describe("a China-region config (aws-cn), synthesized", () => {
  const stacks = synthStacks(chinaConfig());

  test("it is a valid config in partition aws-cn, with one application account and the state stack", () => {
    expect(parseConfig(chinaConfig()).partition).toBe("aws-cn");
    expect(Object.keys(stacks).sort()).toEqual(["payments-prod", "security", "state"]);
  });

  test("security stack: exactly these service principals, with the China suffix only for CloudWatch Logs", () => {
    expect(servicePrincipalsOf(stacks.security)).toEqual([
      "cloudwatch.amazonaws.com", // alarm topic policy, notifications key
      "firehose.amazonaws.com", // Firehose role trust
      "lambda.amazonaws.com", // processor role trust
      "logging.s3.amazonaws.com", // access-log bucket policy
      "logs.amazonaws.com.cn", // destination role trust
      "logs.cn-north-1.amazonaws.com.cn", // archive key: log group encryption
      "s3.amazonaws.com", // object queue policy, notifications key
    ]);
  });

  test("security stack: kms:ViaService values keep amazonaws.com in aws-cn", () => {
    expect(viaServicesOf(stacks.security)).toEqual([
      "kinesis.cn-north-1.amazonaws.com",
      "s3.cn-north-1.amazonaws.com",
    ]);
  });

  test("application stack: the sender role trusts CloudWatch Logs by its China principal; no ViaService", () => {
    expect(servicePrincipalsOf(stacks["payments-prod"])).toEqual(["logs.amazonaws.com.cn"]);
    expect(viaServicesOf(stacks["payments-prod"])).toEqual([]);
  });

  test("state stack: no service principal; the state roles use the state key through s3.cn-north-1.amazonaws.com", () => {
    expect(servicePrincipalsOf(stacks.state)).toEqual([]);
    expect(viaServicesOf(stacks.state)).toEqual(["s3.cn-north-1.amazonaws.com"]);
  });

  test.each(["security", "payments-prod", "state"])(
    "%s: every ARN the app writes is an aws-cn ARN, every host name a China one",
    (name) => {
      const text = JSON.stringify(stacks[name]);
      expect(text.match(/arn:aws:[^"]*/g) ?? []).toEqual([]);
      expect(text).toMatch(/arn:aws-cn:/);
      // No principal or ViaService of another partition's form slipped through.
      expect(
        text.match(/logs\.amazonaws\.com(?!\.cn)|logs\.cn-[a-z]+-\d\.amazonaws\.com(?!\.cn)/g) ?? [],
      ).toEqual([]);
    },
  );

  test("ARNs the app derives for other accounts carry aws-cn: destinations, log sources, key aliases, state roles", () => {
    const trust = statementsOf(stacks.security).find(
      (s) => s.Action === "sts:AssumeRole" && s.Principal?.Service === "logs.amazonaws.com.cn",
    )!;
    expect(trust.Condition).toEqual({
      StringLike: {
        "aws:SourceArn": ["arn:aws-cn:logs:cn-north-1:*:*", "arn:aws-cn:logs:cn-northwest-1:*:*"],
      },
    });
    const filters = Object.values(
      stacks["payments-prod"].resource.aws_cloudwatch_log_subscription_filter ?? {},
    );
    expect([...new Set(filters.map((f) => f.destination_arn))].sort()).toEqual([
      `arn:aws-cn:logs:cn-north-1:${SECURITY_ACCOUNT}:destination:secops-security-logs`,
      `arn:aws-cn:logs:cn-northwest-1:${SECURITY_ACCOUNT}:destination:secops-security-logs`,
    ]);
    expect(JSON.stringify(stacks.state)).toContain(`arn:aws-cn:iam::${PAYMENTS_ACCOUNT}:root`);
  });

  test("every provider of every stack is in a China region", () => {
    for (const stack of Object.values(stacks)) {
      for (const provider of stack.provider.aws)
        expect([provider.region, partitionOf(provider.region)]).toEqual([provider.region, "aws-cn"]);
    }
  });
});
