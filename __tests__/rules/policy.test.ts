/**
 * Policy reading: every representation into one normal form, and every way
 * a policy can be unreadable, with its exact reason (the pack fails closed).
 */
import { Fn } from "cdktf";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import {
  conditionValues,
  dataSourceDocument,
  policiesOf,
  readDocument,
  readPolicy,
  Statement,
  statementsOf,
} from "../../lib/rules/policy";
import { stackViewOf } from "../../lib/rules/pack";
import { StackView } from "../../lib/rules/view";
import { doc, json, scope } from "./support";

const EMPTY: StackView = { resources: [], dataSources: [] };
const problemOf = (value: unknown, stack: StackView = EMPTY) => {
  const read = readPolicy(value, stack);
  return "problem" in read ? read.problem : "(readable)";
};
const statements = (value: unknown, stack: StackView = EMPTY) => statementsOf(readPolicy(value, stack));
const base = { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" };

describe("IAM JSON", () => {
  test("a full statement, normalised", () => {
    expect(
      statements(
        json({
          Sid: "Full",
          Effect: "Deny",
          Principal: {
            AWS: "arn:aws:iam::111111111111:root",
            Service: ["a.amazonaws.com", "b.amazonaws.com"],
          },
          NotAction: "s3:GetObject",
          NotResource: ["${aws_s3_bucket.B.arn}/*", "${data.aws_s3_bucket.Other.arn}"],
          Condition: {
            Bool: { "aws:SecureTransport": false },
            StringEquals: { "aws:SourceAccount": ["1", "2"] },
          },
        }),
      ),
    ).toEqual([
      {
        label: "Full",
        effect: "Deny",
        principal: {
          AWS: ["arn:aws:iam::111111111111:root"],
          Service: ["a.amazonaws.com", "b.amazonaws.com"],
        },
        notPrincipal: undefined,
        action: undefined,
        notAction: ["s3:GetObject"],
        resource: undefined,
        notResource: ["${aws_s3_bucket.B.arn}/*", "${data.aws_s3_bucket.Other.arn}"],
        conditions: [
          { operator: "Bool", key: "aws:SecureTransport", values: ["false"] },
          { operator: "StringEquals", key: "aws:SourceAccount", values: ["1", "2"] },
        ],
      } satisfies Statement,
    ]);
  });

  test("a single Statement object, Principal * and NotPrincipal; labels by Sid or position", () => {
    expect(statements(JSON.stringify({ Statement: { ...base, Principal: "*" } }))).toEqual([
      {
        label: "#1",
        effect: "Allow",
        principal: { AWS: ["*"] },
        action: ["s3:GetObject"],
        resource: ["arn:aws:s3:::b/*"],
        conditions: [],
      },
    ]);
    expect(
      statements(json(base, { ...base, Sid: "", NotPrincipal: { AWS: "*" } })).map((s) => [
        s.label,
        s.notPrincipal,
      ]),
    ).toEqual([
      ["#1", undefined],
      ["#2", { AWS: ["*"] }],
    ]);
  });

  test.each([
    ["not a string", 42, "is not a string"],
    ["not JSON", "{", "is not valid JSON"],
    ["a JSON array", "[1]", "is not a JSON object"],
    ["JSON null", "null", "is not a JSON object"],
    ["no Statement", "{}", "has no Statement"],
    [
      "a statement that is not an object",
      JSON.stringify({ Statement: ["Allow"] }),
      "has statement #1 that is not an object",
    ],
    ["a statement that is a list", json(["Allow"]), "has statement #1 that is not an object"],
    [
      "an Effect in lower case",
      json({ ...base, Effect: "allow" }),
      'has statement #1 whose Effect is "allow", neither Allow nor Deny',
    ],
    [
      "no Effect",
      json({ Sid: "S", Action: "s3:GetObject" }),
      "has statement S whose Effect is undefined, neither Allow nor Deny",
    ],
    [
      "no Action",
      json({ Effect: "Allow", Resource: "*" }),
      "has statement #1 whose Action and NotAction are both set or both missing",
    ],
    [
      "Action and NotAction",
      json({ ...base, NotAction: "s3:PutObject" }),
      "has statement #1 whose Action and NotAction are both set or both missing",
    ],
    [
      "an Action that is a number",
      json({ ...base, Action: [5] }),
      "has statement #1 whose Action holds 5, not a string",
    ],
    [
      "an Action that is a reference",
      json({ ...base, Action: "${aws_ssm_parameter.A.value}" }),
      "has statement #1 whose Action holds a computed value ${aws_ssm_parameter.A.value}",
    ],
    [
      "a NotAction that is computed",
      json({ Effect: "Allow", NotAction: "${aws_ssm_parameter.A.value}" }),
      "has statement #1 whose NotAction holds a computed value ${aws_ssm_parameter.A.value}",
    ],
    [
      "a Resource that is a variable",
      json({ ...base, Resource: "arn:aws:s3:::${var.bucket}/*" }),
      "has statement #1 whose Resource holds a computed value arn:aws:s3:::${var.bucket}/*",
    ],
    [
      "a Resource from a function",
      json({ ...base, Resource: ["${aws_s3_bucket.B.arn}", '${lower("ARN")}'] }),
      'has statement #1 whose Resource holds a computed value ${lower("ARN")}',
    ],
    [
      "a NotResource that is a local",
      json({ Effect: "Allow", Action: "s3:GetObject", NotResource: "${local.arn}" }),
      "has statement #1 whose NotResource holds a computed value ${local.arn}",
    ],
    [
      "a Principal that is a string",
      json({ ...base, Principal: "arn:aws:iam::1:root" }),
      'has statement #1 whose Principal is "arn:aws:iam::1:root", neither "*" nor an object',
    ],
    [
      "a Principal that is computed",
      json({ ...base, Principal: { AWS: "${var.who}" } }),
      "has statement #1 whose Principal.AWS holds a computed value ${var.who}",
    ],
    [
      "a NotPrincipal list",
      json({ ...base, NotPrincipal: ["*"] }),
      'has statement #1 whose NotPrincipal is ["*"], neither "*" nor an object',
    ],
    [
      "a Condition that is a string",
      json({ ...base, Condition: "true" }),
      "has statement #1 whose Condition is not an object",
    ],
    [
      "a Condition operator that is a list",
      json({ ...base, Condition: { Bool: [] } }),
      "has statement #1 whose Condition Bool is not an object",
    ],
    [
      "a later statement",
      json(base, { ...base, Sid: "Second", Effect: "Maybe" }),
      'has statement Second whose Effect is "Maybe", neither Allow nor Deny',
    ],
    ["an expression", '${file("p.json")}', 'is an expression the pack cannot read: ${file("p.json")}'],
    [
      "another data source's attribute",
      "${data.aws_iam_policy.ReadOnly.policy}",
      "is an expression the pack cannot read: ${data.aws_iam_policy.ReadOnly.policy}",
    ],
    [
      "a document reference with a suffix",
      "${data.aws_iam_policy_document.Doc.json}x",
      "is an expression the pack cannot read: ${data.aws_iam_policy_document.Doc.json}x",
    ],
    [
      "a document's id, not its json",
      "${data.aws_iam_policy_document.Doc.id}",
      "is an expression the pack cannot read: ${data.aws_iam_policy_document.Doc.id}",
    ],
    ["a document reference after text", "x${data.aws_iam_policy_document.Doc.json}", "is not valid JSON"],
    [
      "a Resource from a variable's attribute",
      json({ ...base, Resource: "${var.bucket.arn}" }),
      "has statement #1 whose Resource holds a computed value ${var.bucket.arn}",
    ],
    [
      "a Resource from a module output",
      json({ ...base, Resource: "${module.archive.arn}" }),
      "has statement #1 whose Resource holds a computed value ${module.archive.arn}",
    ],
    [
      "a Resource from a local's attribute",
      json({ ...base, Resource: "${local.bucket.arn}" }),
      "has statement #1 whose Resource holds a computed value ${local.bucket.arn}",
    ],
    [
      "a Resource indexing an attribute",
      json({ ...base, Resource: "${aws_s3_bucket.B.arn[0]}" }),
      "has statement #1 whose Resource holds a computed value ${aws_s3_bucket.B.arn[0]}",
    ],
    [
      "a Resource from a nested attribute",
      json({ ...base, Resource: "${aws_s3_bucket.B.tags.arn}" }),
      "has statement #1 whose Resource holds a computed value ${aws_s3_bucket.B.tags.arn}",
    ],
    [
      "a Resource whose expression ends in a reference",
      json({ ...base, Resource: '${var.open ? "*" : aws_s3_bucket.B.arn}' }),
      'has statement #1 whose Resource holds a computed value ${var.open ? "*" : aws_s3_bucket.B.arn}',
    ],
    [
      "a Principal whose expression ends in a reference",
      json({ ...base, Principal: { AWS: "${var.role.aws_iam_role.R.arn}" } }),
      "has statement #1 whose Principal.AWS holds a computed value ${var.role.aws_iam_role.R.arn}",
    ],
  ])("unreadable: %s", (_name, value, problem) => {
    expect(problemOf(value)).toBe(problem);
    expect(statements(value)).toEqual([]);
  });

  test("references to attributes are readable in Resource and Principal", () => {
    expect(
      statements(
        json({
          ...base,
          Principal: { AWS: "${aws_iam_role.Reader.arn}" },
          Resource: ["${aws_s3_bucket.Archive_Bucket_DB32D495.arn}/events/*", "${aws_kms_key.Key-1.arn}"],
        }),
      ).map((s) => [s.principal, s.resource]),
    ).toEqual([
      [
        { AWS: ["${aws_iam_role.Reader.arn}"] },
        ["${aws_s3_bucket.Archive_Bucket_DB32D495.arn}/events/*", "${aws_kms_key.Key-1.arn}"],
      ],
    ]);
  });

  test("a Sid that is not a string is not a label", () => {
    expect(statements(json({ ...base, Sid: 5 })).map((x) => x.label)).toEqual(["#1"]);
  });

  test("readDocument reads parsed documents the same way", () => {
    expect(readDocument({ Statement: [] })).toEqual({ statements: [] });
    expect(readDocument("x")).toEqual({ problem: "is not a JSON object" });
  });

  test("condition keys match in any case, under any operator", () => {
    const [s] = statements(
      json({
        ...base,
        Condition: { StringEquals: { "AWS:SourceAccount": "1" }, ArnLike: { "aws:sourceaccount": ["2"] } },
      }),
    );
    expect(conditionValues(s, "aws:SourceAccount")).toEqual(["1", "2"]);
    expect(conditionValues(s, "aws:SourceArn")).toEqual([]);
  });
});

describe("aws_iam_policy_document data sources", () => {
  test("statement blocks map to IAM JSON as the provider documents", () => {
    expect(
      dataSourceDocument({
        statement: [
          {
            sid: "A",
            actions: ["s3:GetObject"],
            resources: ["arn:aws:s3:::b/*"],
            principals: [
              { type: "AWS", identifiers: ["arn:aws:iam::1:root"] },
              { type: "Service", identifiers: ["logs.amazonaws.com"] },
              { type: "AWS", identifiers: ["arn:aws:iam::2:root"] },
            ],
            condition: [
              { test: "StringEquals", variable: "aws:SourceAccount", values: ["1"] },
              { test: "StringEquals", variable: "aws:SourceOrgID", values: ["o-1"] },
              { test: "Bool", variable: "aws:SecureTransport", values: ["true"] },
            ],
          },
          {
            effect: "Deny",
            actions: [],
            not_actions: ["s3:PutObject"],
            resources: [],
            not_resources: ["arn:aws:s3:::b"],
            not_principals: [{ type: "*", identifiers: ["*"] }],
          },
        ],
      }),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "A",
          Effect: "Allow",
          Principal: { AWS: ["arn:aws:iam::1:root", "arn:aws:iam::2:root"], Service: ["logs.amazonaws.com"] },
          NotPrincipal: undefined,
          Action: ["s3:GetObject"],
          NotAction: undefined,
          Resource: ["arn:aws:s3:::b/*"],
          NotResource: undefined,
          Condition: {
            StringEquals: { "aws:SourceAccount": ["1"], "aws:SourceOrgID": ["o-1"] },
            Bool: { "aws:SecureTransport": ["true"] },
          },
        },
        {
          Sid: undefined,
          Effect: "Deny",
          Principal: undefined,
          NotPrincipal: "*",
          Action: undefined,
          NotAction: ["s3:PutObject"],
          Resource: undefined,
          NotResource: ["arn:aws:s3:::b"],
          Condition: undefined,
        },
      ],
    });
  });

  test("a document without statements allows nothing", () => {
    expect(dataSourceDocument({})).toEqual({ Version: "2012-10-17", Statement: [] });
  });

  test.each([
    [{ source_policy_documents: ["{}"] }, "merges source_policy_documents, which the pack cannot read"],
    [{ override_policy_documents: ["{}"] }, "merges override_policy_documents, which the pack cannot read"],
    [{ dynamic: { statement: {} } }, "builds statements with a dynamic block, which the pack cannot read"],
    [
      { statement: [{ actions: ["sts:AssumeRole"] }, { dynamic: { principals: {} } }] },
      "builds statements with a dynamic block, which the pack cannot read",
    ],
    [{ statement: "${var.statements}" }, "has computed statements: ${var.statements}"],
  ])("unreadable: %j", (attributes, problem) => {
    expect(dataSourceDocument(attributes)).toBe(problem);
  });

  test("malformed blocks stay malformed, and are reported", () => {
    const view = (statement: unknown): StackView => ({
      resources: [],
      dataSources: [{ type: "aws_iam_policy_document", name: "D", path: "t/D", attributes: { statement } }],
    });
    const ref = "${data.aws_iam_policy_document.D.json}";
    expect(problemOf(ref, view(["x"]))).toBe("has statement #1 that is not an object");
    expect(problemOf(ref, view([{ actions: ["a:B"], principals: ["x"] }]))).toBe(
      'has statement #1 whose Principal is "x", neither "*" nor an object',
    );
    expect(problemOf(ref, view([{ actions: ["a:B"], condition: ["x"] }]))).toBe(
      "has statement #1 whose Condition is not an object",
    );
    expect(problemOf(ref, view([{ effect: "Permit", actions: ["a:B"] }]))).toBe(
      'has statement #1 whose Effect is "Permit", neither Allow nor Deny',
    );
    expect(problemOf(ref, view("${var.s}"))).toBe(
      "data.aws_iam_policy_document.D has computed statements: ${var.s}",
    );
  });

  test("a reference is read from the data source of the same type and name, json or minified_json", () => {
    const s = scope();
    doc(s, [{ actions: ["s3:GetObject"], resources: ["*"] }], "Reader");
    const stack = stackViewOf(s.stack);
    const other: StackView = {
      resources: [],
      dataSources: [{ type: "aws_iam_role", name: "Reader", path: "t/Reader", attributes: {} }],
    };
    expect(statements("${data.aws_iam_policy_document.Reader.json}", stack).map((x) => x.action)).toEqual([
      ["s3:GetObject"],
    ]);
    expect(
      statements("${data.aws_iam_policy_document.Reader.minified_json}", stack).map((x) => x.action),
    ).toEqual([["s3:GetObject"]]);
    expect(problemOf("${data.aws_iam_policy_document.Reader.json}", other)).toBe(
      "refers to data.aws_iam_policy_document.Reader, which is not in this stack",
    );
    expect(problemOf("${data.aws_iam_policy_document.Writer.json}", stack)).toBe(
      "refers to data.aws_iam_policy_document.Writer, which is not in this stack",
    );
  });
});

describe("the stack view", () => {
  test("Fn.jsonencode tokens reach the rules as JSON, with references as ${...}", () => {
    const s = scope();
    const target = new S3Bucket(s.stack, "B", { provider: s.provider });
    new IamRolePolicy(s.stack, "P", {
      provider: s.provider,
      role: "r",
      policy: Fn.jsonencode({
        Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: `${target.arn}/*` }],
      }),
    });
    new IamRolePolicy(s.stack, "Q", { provider: s.provider, role: "r", policy: Fn.lower("{}") });
    const view = stackViewOf(s.stack);
    expect(view.resources.map((r) => [r.type, r.name, r.path, r.attributes.policy])).toEqual([
      ["aws_s3_bucket", "B", "test/B", undefined],
      [
        "aws_iam_role_policy",
        "P",
        "test/P",
        '{"Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"${aws_s3_bucket.B.arn}/*"}]}',
      ],
      ["aws_iam_role_policy", "Q", "test/Q", '${lower("{}")}'],
    ]);
  });

  test("jsonencode inside blocks and lists is decoded too; a jsonencode joined with text is not", () => {
    const s = scope();
    new IamRole(s.stack, "R", {
      provider: s.provider,
      assumeRolePolicy: `${Fn.jsonencode({ Statement: [] })} `,
      inlinePolicy: [{ name: "a", policy: Fn.jsonencode({ Statement: [] }) }],
    });
    const [role] = stackViewOf(s.stack).resources;
    expect(role.attributes.inline_policy).toEqual([{ name: "a", policy: '{"Statement":[]}' }]);
    expect(role.attributes.assume_role_policy).toBe('${jsonencode({"Statement" = []})} ');
    expect(policiesOf(role).map((p) => [p.attribute, p.kind])).toEqual([
      ["assume_role_policy", "trust"],
      ["inline_policy[0].policy", "identity"],
    ]);
  });

  test("data sources are in the view, resolved", () => {
    const s = scope();
    const target = new S3Bucket(s.stack, "B", { provider: s.provider });
    new DataAwsIamPolicyDocument(s.stack, "D", {
      provider: s.provider,
      statement: [{ actions: ["s3:GetObject"], resources: [target.arn] }],
    });
    expect(
      stackViewOf(s.stack).dataSources.map((d) => [d.type, d.name, d.path, d.attributes.statement]),
    ).toEqual([
      [
        "aws_iam_policy_document",
        "D",
        "test/D",
        [{ actions: ["s3:GetObject"], resources: ["${aws_s3_bucket.B.arn}"] }],
      ],
    ]);
  });

  test("only a role's inline_policy blocks are policies", () => {
    const inline = [{ name: "a", policy: "{}" }];
    expect(
      policiesOf({ type: "aws_iam_user", name: "U", path: "t/U", attributes: { inline_policy: inline } }),
    ).toEqual([]);
    expect(
      policiesOf({
        type: "aws_iam_policy",
        name: "P",
        path: "t/P",
        attributes: { policy: "[]", inline_policy: inline },
      }),
    ).toEqual([{ attribute: "policy", kind: "identity", value: "[]" }]);
    expect(
      policiesOf({
        type: "aws_iam_role",
        name: "R",
        path: "t/R",
        attributes: { assume_role_policy: "[]", inline_policy: inline },
      }),
    ).toEqual([
      { attribute: "assume_role_policy", kind: "trust", value: "[]" },
      { attribute: "inline_policy[0].policy", kind: "identity", value: "{}" },
    ]);
  });

  test("resources without a policy attribute have no policies", () => {
    expect(policiesOf({ type: "aws_s3_bucket", name: "B", path: "t/B", attributes: {} })).toEqual([]);
    expect(
      policiesOf({ type: "aws_kinesis_stream", name: "S", path: "t/S", attributes: { policy: "{}" } }),
    ).toEqual([]);
    expect(
      policiesOf({
        type: "aws_iam_role",
        name: "R",
        path: "t/R",
        attributes: { inline_policy: [{ name: "empty" }, "x", null] },
      }),
    ).toEqual([]);
  });
});
