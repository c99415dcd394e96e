import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { parseConfig } from "../lib/config/load";
import { buildApp } from "../stacks/app";
import { WorkspacesStack } from "../stacks/workspaces-stack";
import { namingOf } from "../lib/naming";
import { baseConfig, PAYMENTS_ACCOUNT, SECURITY_ACCOUNT, WEB_ACCOUNT } from "./support/fixtures";
import { stateFileSeenFrom } from "./support/files";
import { synthToDir } from "./support/synth-dir";
import { resourcesOf, StackJson, synthStacks } from "./support/synth";

/**
 * `state.cloud.workspaces.create`: the `workspaces` stack (stacks/workspaces-stack.ts,
 * modules/workspace.ts). The tfe provider binary is not on this machine, so
 * `terraform validate` cannot check this stack: it is proven by synth
 * assertions against the provider's argument names (the TypeScript bindings
 * of @cdktf/provider-tfe, generated from tfe 0.71.0's schema, type-check
 * them), with every expected value written from the config and the code.
 */

const VAULT_ACCOUNT = "777777777777";
const PIPELINE = "secops-security-logs";
const ACCOUNT_OF: Record<string, string> = {
  vault: VAULT_ACCOUNT,
  security: SECURITY_ACCOUNT,
  "payments-prod": PAYMENTS_ACCOUNT,
  "web-prod": WEB_ACCOUNT,
};

type Config = Record<string, any>;
type Stacks = Record<string, StackJson & Record<string, any>>;

/** baseConfig() on Terraform Cloud (organization acme, prefix seclog-), `cloud` fields merged in. */
function cloudConfig(cloud: Config = {}, replica = false): Config {
  const config = baseConfig();
  if (replica)
    config.archive = {
      replica: {
        accountId: VAULT_ACCOUNT,
        region: "us-west-2",
        objectLock: { mode: "GOVERNANCE", days: 30 },
      },
    };
  config.state = { backend: "cloud", cloud: { organization: "acme", workspacePrefix: "seclog-", ...cloud } };
  return config;
}

const created = (cloud: Config = {}, replica = false) =>
  cloudConfig({ ...cloud, workspaces: { create: true, ...(cloud.workspaces ?? {}) } }, replica);

function lazy(document: () => Config): () => Stacks {
  let stacks: Stacks | undefined;
  return () => (stacks ??= synthStacks(document()) as Stacks);
}

const plain = lazy(() => created({ workspaces: { tags: ["seclog", "security:logs"] } }));
const full = lazy(() =>
  created(
    {
      project: "Security",
      dynamicCredentials: true,
      workspaces: { terraformVersion: ">= 1.12.0", executionMode: "agent", agentPoolId: "apool-AbCd1234" },
    },
    true,
  ),
);
const audience = lazy(() => created({ dynamicCredentials: true, audience: "tfe.example.com" }));

/** Workspace name -> the reference to its id, read from the workspace's own logical id. */
function workspaceRefs(stacks: Stacks): Record<string, string> {
  return Object.fromEntries(
    resourcesOf(stacks.workspaces, "tfe_workspace").map(([id, body]) => [
      body.name,
      `\${tfe_workspace.${id}.id}`,
    ]),
  );
}

/** The stack a workspace id reference belongs to (names are `seclog-<stack>`). */
function stackOfRef(stacks: Stacks, ref: string): string {
  const found = Object.entries(workspaceRefs(stacks)).find(([, r]) => r === ref);
  if (!found) throw new Error(`no workspace with id ${ref}`);
  return found[0].replace(/^seclog-/, "");
}

/** Objects in a canonical order (by their sorted-key JSON), so toEqual compares sets of exact bodies. */
const canonical = (item: Record<string, any>) =>
  JSON.stringify(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1)));
const sortedJson = (items: Array<Record<string, any>>) =>
  [...items].sort((a, b) => (canonical(a) < canonical(b) ? -1 : 1));

describe("no workspaces stack unless state.cloud.workspaces.create", () => {
  test.each<[string, Config]>([
    ["local state", baseConfig()],
    ["cloud, no workspaces block", cloudConfig()],
    ["cloud, workspaces block without create", cloudConfig({ workspaces: { tags: ["seclog"] } })],
    ["cloud, create false", cloudConfig({ workspaces: { create: false } })],
    [
      "cloud, create false, dynamic credentials",
      cloudConfig({ workspaces: { create: false }, dynamicCredentials: true }),
    ],
  ])("%s", (_label, document) => {
    const stacks = synthStacks(document) as Stacks;
    const expected = ["security", "payments-prod", "web-prod"];
    if (document.state?.cloud?.dynamicCredentials) expected.push("credentials");
    expect(Object.keys(stacks).sort()).toEqual(expected.sort());
    for (const stack of Object.values(stacks))
      expect((stack.provider as Record<string, unknown>).tfe).toBeUndefined();
  });

  test("built directly without workspaces.create, or on another backend, the stack refuses", () => {
    const refused = "the workspaces stack exists only with state.cloud.workspaces.create";
    for (const document of [cloudConfig(), cloudConfig({ workspaces: { create: false } }), baseConfig()]) {
      const config = parseConfig(document);
      expect(() => new WorkspacesStack(Testing.app(), config, namingOf(config), [])).toThrow(refused);
    }
  });
});

describe("workspaces stack: provider, backend, required providers", () => {
  test("one tfe provider: the cloud block's hostname (default app.terraform.io) and organization; a custom hostname propagates", () => {
    expect(plain().workspaces.provider).toEqual({
      tfe: [{ hostname: "app.terraform.io", organization: "acme" }],
    });
    const custom = synthStacks(created({ hostname: "tfe.example.com" })) as Stacks;
    expect(custom.workspaces.provider).toEqual({
      tfe: [{ hostname: "tfe.example.com", organization: "acme" }],
    });
    expect(custom.security.terraform.cloud.hostname).toBe("tfe.example.com");
  });

  test("local backend at terraform.workspaces.tfstate in the project directory, relative to the stack directory", () => {
    const { terraform } = plain().workspaces;
    expect(terraform.backend).toEqual({ local: { path: "../../../terraform.workspaces.tfstate" } });
    expect(terraform.cloud).toBeUndefined();
    const out = join(process.cwd(), "cdktf.out");
    expect(stateFileSeenFrom(out, "workspaces", terraform.backend.local.path)).toBe(
      join(process.cwd(), "terraform.workspaces.tfstate"),
    );
  });

  test("required_providers pins tfe 0.71.0 from hashicorp/tfe, and nothing else: no aws provider, no aws resource", () => {
    for (const stacks of [plain(), full()]) {
      const stack = stacks.workspaces;
      expect(stack.terraform.required_providers).toEqual({
        tfe: { source: "hashicorp/tfe", version: "0.71.0" },
      });
      expect(Object.keys(stack.provider)).toEqual(["tfe"]);
      for (const type of [...Object.keys(stack.resource), ...Object.keys(stack.data ?? {})])
        expect(type).toMatch(/^tfe_/);
    }
  });
});

describe("workspaces: one per workload stack, CLI-driven, confirmed applies", () => {
  const body = (stack: string, fields: Config) => ({
    provider: "tfe",
    name: `seclog-${stack}`,
    organization: "acme",
    description: `seclog: the ${stack} stack (${PIPELINE}), account ${ACCOUNT_OF[stack]}`,
    auto_apply: false,
    auto_apply_run_trigger: false,
    queue_all_runs: false,
    ...fields,
  });

  test("defaults: terraform ~> 1.11.0, the configured tags, no project_id, no vcs_repo; names are the workload stacks'", () => {
    const stacks = plain();
    const workspaces = resourcesOf(stacks.workspaces, "tfe_workspace").map(([, b]) => b);
    const fields = { terraform_version: "~> 1.11.0", tag_names: ["seclog", "security:logs"] };
    expect(sortedJson(workspaces)).toEqual(
      sortedJson(["security", "payments-prod", "web-prod"].map((s) => body(s, fields))),
    );
    expect(stacks.workspaces.data).toBeUndefined();
    // Every other stack keeps its state in the workspace of the same name.
    const workloads = Object.keys(stacks).filter((s) => s !== "workspaces");
    expect(workloads.sort()).toEqual(["payments-prod", "security", "web-prod"]);
    expect(workspaces.map((w) => w.name).sort()).toEqual(
      workloads.map((s) => stacks[s].terraform.cloud.workspaces.name).sort(),
    );
    const refs = workspaceRefs(stacks);
    expect(stacks.workspaces.output).toEqual({
      workspace_ids: {
        description: "workspace id per stack",
        value: Object.fromEntries(workloads.map((s) => [s, refs[`seclog-${s}`]])),
      },
    });
  });

  test("with a replica, a project and a terraform version: the vault too, each in the looked-up project", () => {
    const stacks = full();
    const data = Object.entries(stacks.workspaces.data.tfe_project);
    expect(data.map(([, b]) => b)).toEqual([{ provider: "tfe", name: "Security", organization: "acme" }]);
    const fields = {
      terraform_version: ">= 1.12.0",
      tag_names: [],
      project_id: `\${data.tfe_project.${data[0][0]}.id}`,
    };
    const workspaces = resourcesOf(stacks.workspaces, "tfe_workspace").map(([, b]) => b);
    expect(sortedJson(workspaces)).toEqual(
      sortedJson(["vault", "security", "payments-prod", "web-prod"].map((s) => body(s, fields))),
    );
    const workloads = Object.keys(stacks).filter((s) => !["workspaces", "credentials"].includes(s));
    expect(workloads.sort()).toEqual(["payments-prod", "security", "vault", "web-prod"]);
    expect(workspaces.map((w) => w.name).sort()).toEqual(workloads.map((s) => `seclog-${s}`).sort());
    for (const s of workloads) expect(stacks[s].terraform.cloud.workspaces.project).toBe("Security");
  });
});

describe("tfe_workspace_settings: the execution mode, one per workspace", () => {
  test("default: remote, no agent pool", () => {
    const stacks = plain();
    const settings = resourcesOf(stacks.workspaces, "tfe_workspace_settings").map(([, b]) => b);
    expect(sortedJson(settings)).toEqual(
      sortedJson(
        Object.values(workspaceRefs(stacks)).map((ref) => ({
          provider: "tfe",
          workspace_id: ref,
          execution_mode: "remote",
        })),
      ),
    );
  });

  test("agent: the configured agent pool", () => {
    const stacks = full();
    const settings = resourcesOf(stacks.workspaces, "tfe_workspace_settings").map(([, b]) => b);
    expect(settings).toHaveLength(4);
    expect(sortedJson(settings)).toEqual(
      sortedJson(
        Object.values(workspaceRefs(stacks)).map((ref) => ({
          provider: "tfe",
          workspace_id: ref,
          execution_mode: "agent",
          agent_pool_id: "apool-AbCd1234",
        })),
      ),
    );
  });
});

describe("tfe_variable: dynamic credentials' environment, only with state.cloud.dynamicCredentials", () => {
  const variable = (stacks: Stacks, stack: string, key: string, value: string) => ({
    provider: "tfe",
    workspace_id: workspaceRefs(stacks)[`seclog-${stack}`],
    category: "env",
    key,
    value,
    sensitive: false,
    description: "set by seclog's workspaces stack",
  });
  const credentials = (stacks: Stacks, stack: string) => [
    variable(stacks, stack, "TFC_AWS_PROVIDER_AUTH", "true"),
    variable(
      stacks,
      stack,
      "TFC_AWS_PLAN_ROLE_ARN",
      `arn:aws:iam::${ACCOUNT_OF[stack]}:role/secops-tfc-${stack}-plan`,
    ),
    variable(
      stacks,
      stack,
      "TFC_AWS_APPLY_ROLE_ARN",
      `arn:aws:iam::${ACCOUNT_OF[stack]}:role/secops-tfc-${stack}-apply`,
    ),
  ];
  const variablesOf = (stacks: Stacks) => resourcesOf(stacks.workspaces, "tfe_variable").map(([, b]) => b);

  test("without dynamicCredentials: no variables (an audience alone changes nothing)", () => {
    expect(plain().workspaces.resource.tfe_variable).toBeUndefined();
    const stacks = synthStacks(created({ audience: "tfe.example.com" })) as Stacks;
    expect(stacks.workspaces.resource.tfe_variable).toBeUndefined();
  });

  test("default audience: provider auth and the stack's plan and apply roles in its own account, every workspace", () => {
    const stacks = full();
    const expected = ["vault", "security", "payments-prod", "web-prod"].flatMap((s) =>
      credentials(stacks, s),
    );
    expect(sortedJson(variablesOf(stacks))).toEqual(sortedJson(expected));
  });

  test("the default audience named explicitly: still no audience variable", () => {
    const stacks = synthStacks(
      created({ dynamicCredentials: true, audience: "aws.workload.identity" }),
    ) as Stacks;
    const expected = ["security", "payments-prod", "web-prod"].flatMap((s) => credentials(stacks, s));
    expect(sortedJson(variablesOf(stacks))).toEqual(sortedJson(expected));
  });

  test("another audience: TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE on every workspace as well", () => {
    const stacks = audience();
    const expected = ["security", "payments-prod", "web-prod"].flatMap((s) => [
      ...credentials(stacks, s),
      variable(stacks, s, "TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE", "tfe.example.com"),
    ]);
    expect(sortedJson(variablesOf(stacks))).toEqual(sortedJson(expected));
  });
});

describe("tfe_run_trigger: deploy order as run triggers", () => {
  const pairs = (stacks: Stacks) =>
    resourcesOf(stacks.workspaces, "tfe_run_trigger").map(([, b]) => {
      expect(Object.keys(b).sort()).toEqual(["provider", "sourceable_id", "workspace_id"]);
      expect(b.provider).toBe("tfe");
      return `${stackOfRef(stacks, b.sourceable_id)} -> ${stackOfRef(stacks, b.workspace_id)}`;
    });

  test("without a replica: security queues every account", () => {
    expect(pairs(plain()).sort()).toEqual(["security -> payments-prod", "security -> web-prod"]);
  });

  test("with a replica: the vault queues security as well", () => {
    expect(pairs(full()).sort()).toEqual([
      "security -> payments-prod",
      "security -> web-prod",
      "vault -> security",
    ]);
  });
});

describe("deploy order: every workload stack depends on workspaces", () => {
  function dependenciesOf(document: Config): Record<string, string[]> {
    const app = buildApp(parseConfig(document), Testing.app());
    return Object.fromEntries(
      app.node.children
        .filter((c): c is TerraformStack => c instanceof TerraformStack)
        .map((s) => [s.node.id, s.dependencies.map((d) => d.node.id).sort()]),
    );
  }

  test("without a replica or dynamic credentials", () => {
    expect(dependenciesOf(created())).toEqual({
      workspaces: [],
      security: ["workspaces"],
      "payments-prod": ["security", "workspaces"],
      "web-prod": ["security", "workspaces"],
    });
  });

  test("with a replica and dynamic credentials, as manifest.json records it", () => {
    const stackDirs = synthToDir(created({ dynamicCredentials: true }, true), "tfc-workspaces-order");
    const outdir = dirname(dirname(Object.values(stackDirs)[0]));
    const manifest: { stacks: Record<string, { name: string; dependencies: string[] }> } = JSON.parse(
      readFileSync(join(outdir, "manifest.json"), "utf8"),
    );
    expect(
      Object.fromEntries(Object.values(manifest.stacks).map((s) => [s.name, [...s.dependencies].sort()])),
    ).toEqual({
      workspaces: [],
      credentials: [],
      vault: ["credentials", "workspaces"],
      security: ["credentials", "vault", "workspaces"],
      "payments-prod": ["credentials", "security", "workspaces"],
      "web-prod": ["credentials", "security", "workspaces"],
    });
  });
});
