import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { StackJson } from "./synth";
import { RunResult, terraform, TerraformEnv } from "./terraform";

/**
 * A local AWS API emulator (moto in server mode) and the rewrite that points a
 * COPY of a synthesized stack at it. Everything the emulator copy drops or
 * alters compared with a real deploy is in EMULATOR_GAPS, with the reason.
 */

export interface Moto {
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Why moto cannot run here, or undefined when it can. */
export function motoUnavailable(): string | undefined {
  const probe = spawnSync("moto_server", ["--help"], { stdio: "ignore" });
  return probe.status === 0 ? undefined : 'moto_server is not on PATH (pip install "moto[server]")';
}

/** Starts moto_server on a free loopback port and waits until it answers. */
export async function startMoto(timeoutMs = 30_000): Promise<Moto> {
  const port = await freeLoopbackPort();
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const moto: Moto = { endpoint, pid: child.pid!, stop: () => stopProcess(child) };
  try {
    await waitUntilAnswering(endpoint, child, timeoutMs);
  } catch (error) {
    await moto.stop();
    throw new Error(`${(error as Error).message}\nmoto_server stderr:\n${stderr}`, { cause: error });
  }
  return moto;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`moto_server exited with code ${child.exitCode} before answering`);
    try {
      // moto's own API: answers once the server is up, without touching any emulated service.
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs / 1000} s`);
}

/** Stops exactly the process we started, by its PID: SIGTERM, then SIGKILL if it lingers. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => process.kill(child.pid!, "SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    process.kill(child.pid!, "SIGTERM");
  });
}

/** The endpoint service of each resource type prefix we use; a type not listed fails the rewrite loudly. */
const SERVICE_OF_TYPE: ReadonlyArray<readonly [string, string]> = [
  ["aws_cloudwatch_log_", "logs"],
  ["aws_cloudwatch_metric_alarm", "cloudwatch"],
  ["aws_kinesis_firehose_", "firehose"],
  ["aws_kinesis_stream", "kinesis"],
  ["aws_iam_", "iam"],
  ["aws_kms_", "kms"],
  ["aws_lambda_", "lambda"],
  ["aws_glue_", "glue"],
  ["aws_athena_", "athena"],
  ["aws_s3_", "s3"],
  ["aws_sns_", "sns"],
  ["aws_sqs_", "sqs"],
];

export function serviceOf(type: string): string {
  const found = SERVICE_OF_TYPE.find(([prefix]) => type.startsWith(prefix));
  if (!found) throw new Error(`no emulator endpoint for ${type}: add its service to SERVICE_OF_TYPE`);
  return found[1];
}

/** The role the emulator copy assumes when the config names none: moto picks the account from the assumed role. */
export function emulatorRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/seclog-emulator`;
}

export interface EmulatorGap {
  /** What the emulator copy drops or alters, in reviewable words. */
  readonly what: string;
  readonly reason: string;
  /** The gap drops resources moto cannot create (the change matrix plans them against injected state). */
  readonly drops?: true;
  /**
   * Needed only where Terraform deletes: moto creates and reads these resources but cannot delete them.
   * A copy whose resources Terraform never deletes (`emulatorCopy`'s `neverDeletes`: the apply suite)
   * keeps them and applies them; every other copy (the change matrix's) drops them.
   */
  readonly onlyWhereDeleted?: true;
  /** Rewrites one stack of the given account; returns the addresses it dropped or altered. */
  rewrite(stack: StackJson, accountId: string): string[];
}

/**
 * Everything the emulator copy does differently from a real deploy, beyond
 * pointing the providers at moto. Each entry is a gap in moto (5.2) or in
 * running without real accounts, never in our stacks: a perpetual diff of our
 * own is fixed in the modules instead.
 */
export const EMULATOR_GAPS: readonly EmulatorGap[] = [
  {
    what: "drop allowed_account_ids from every provider",
    reason:
      'with skip_requesting_account_id the provider has no account id to compare and rejects every account ("AWS account ID not allowed: "); the assumed role below is what puts each stack in its account',
    rewrite: (stack) =>
      stack.provider.aws.map((provider) => {
        delete provider.allowed_account_ids;
        return `provider.aws.${provider.alias}`;
      }),
  },
  {
    what: "assume a role in the stack's own account where the config names no roleArn",
    reason:
      "moto files every resource under the account of the assumed role (an access key does not select one); without a role a stack would land in moto's default account 123456789012 and no ARN in its policies would match",
    rewrite: (stack, accountId) =>
      stack.provider.aws
        .filter((provider) => !provider.assume_role)
        .map((provider) => {
          provider.assume_role = [{ role_arn: emulatorRoleArn(accountId), session_name: "seclog-emulator" }];
          return `provider.aws.${provider.alias}`;
        }),
  },
  {
    what: "drop aws_cloudwatch_log_subscription_filter whose destination is a cross-account CloudWatch Logs destination",
    reason:
      "moto looks up a log group named like the destination (ResourceNotFoundException) and always reports distribution ByLogStream; the data hop test subscribes a log group straight to the stream instead",
    drops: true,
    rewrite: (stack) =>
      dropResources(stack, "aws_cloudwatch_log_subscription_filter", (body) =>
        String(body.destination_arn).includes(":destination:"),
      ),
  },
  {
    what: "drop aws_cloudwatch_log_account_policy (account-level subscription policy)",
    reason: "not implemented in moto: PutAccountPolicy answers HTTP 500",
    drops: true,
    rewrite: (stack) => dropResources(stack, "aws_cloudwatch_log_account_policy", () => true),
  },
  {
    what: "drop aws_athena_named_query (the saved hunts)",
    reason:
      "moto 5.2 creates and reads named queries but has no DeleteNamedQuery (HTTP 500), so a change that replaces or removes a hunt (a prefix change, events -> raw) could never be applied; the change matrix plans them against injected state. The apply suite deletes nothing (its destroy is refused at plan time by prevent_destroy): it applies them and reads them back",
    drops: true,
    onlyWhereDeleted: true,
    rewrite: (stack) => dropResources(stack, "aws_athena_named_query", () => true),
  },
  {
    what: "the delivery stream's drain before destroy sleeps 1 s",
    reason:
      "moto's Firehose buffers nothing (it never reads the Kinesis stream), so waiting out the buffering interval before a replaced stream is deleted (modules/delivery.ts) would only slow the change matrix by minutes",
    rewrite: (stack) =>
      Object.entries(stack.resource.aws_kinesis_firehose_delivery_stream ?? {}).map(([name, body]) => {
        for (const provisioner of body.provisioner ?? [])
          if (provisioner["local-exec"]?.when === "destroy") provisioner["local-exec"].command = "sleep 1";
        return `aws_kinesis_firehose_delivery_stream.${name}`;
      }),
  },
  {
    what: "ignore_changes = [rule] on aws_s3_bucket_replication_configuration",
    reason:
      'moto 5.2 stores the rules but answers GetBucketReplication with every rule\'s Filter as Prefix "" and without SourceSelectionCriteria, so the provider would plan the rules again on every run; the apply test reads the stored role, ids, priorities and destinations back. moto replicates nothing: objects written to the archive never reach the replica bucket',
    rewrite: (stack) => ignoreChanges(stack, "aws_s3_bucket_replication_configuration", "rule", () => true),
  },
  {
    what: "ignore_changes = [tags_all] on aws_kinesis_stream",
    reason:
      "moto's CreateStream ignores the Tags parameter, so the provider's default_tags read back empty and every plan would re-add them",
    rewrite: (stack) => ignoreChanges(stack, "aws_kinesis_stream", "tags_all", () => true),
  },
  {
    what: "ignore_changes = [redrive_policy] on aws_sqs_queue with a dead-letter queue",
    reason:
      "moto returns RedrivePolicy as Python's json.dumps writes it (a space after every separator) where SQS returns compact JSON, and the provider compares the strings",
    rewrite: (stack) =>
      ignoreChanges(stack, "aws_sqs_queue", "redrive_policy", (body) => body.redrive_policy !== undefined),
  },
];

function ignoreChanges(
  stack: StackJson,
  type: string,
  attribute: string,
  matches: (body: Record<string, any>) => boolean,
): string[] {
  return Object.entries(stack.resource[type] ?? {})
    .filter(([, body]) => matches(body))
    .map(([name, body]) => {
      body.lifecycle = {
        ...body.lifecycle,
        ignore_changes: [...(body.lifecycle?.ignore_changes ?? []), attribute],
      };
      return `${type}.${name}`;
    });
}

function dropResources(
  stack: StackJson,
  type: string,
  matches: (body: Record<string, any>) => boolean,
): string[] {
  const resources = stack.resource[type] ?? {};
  const dropped = Object.keys(resources).filter((name) => matches(resources[name]));
  for (const name of dropped) delete resources[name];
  if (stack.resource[type] && Object.keys(resources).length === 0) delete stack.resource[type];
  return dropped.map((name) => `${type}.${name}`);
}

export interface EmulatorStack {
  readonly name: string;
  readonly dir: string;
  readonly accountId: string;
  /**
   * "local": state in the copy (terraform.tfstate). "s3": the stack's own S3
   * backend block, unchanged, reaching moto through `-backend-config` transport
   * settings only; its state is read with `terraform state pull`.
   */
  readonly backend: "local" | "s3";
  /** Extra `terraform init` arguments. */
  readonly initArgs: readonly string[];
  /** The local state file ("local" backend). */
  readonly statePath: string;
  /** The rewritten Terraform JSON as applied. */
  readonly json: StackJson;
  /** Addresses each gap dropped or altered, by gap. */
  readonly gaps: ReadonlyArray<{ readonly what: string; readonly addresses: readonly string[] }>;
}

/**
 * Rewrites a COPY of a synthesized stack for the emulator: every provider
 * talks to moto for every service the stack uses, with fake credentials, no
 * account or metadata lookups and two retries (moto answers 500 for what it
 * lacks; the default retries stall for minutes). The stack's assume_role stays:
 * moto picks the account from it. Then the EMULATOR_GAPS. State is local, in
 * the copy. cdktf.out is never touched.
 */
export function emulatorCopy(
  stackDir: string,
  endpoint: string,
  options: {
    keepS3Backend?: boolean;
    /** Keep what moto cannot create (the gaps that drop resources): for offline plans only. */
    keepDropped?: boolean;
    /**
     * Terraform never deletes what this copy applies (the apply suite, whose destroy prevent_destroy
     * refuses at plan time): the gaps needed only where Terraform deletes (`onlyWhereDeleted`) are left out.
     */
    neverDeletes?: boolean;
    /** The local state file, when it must outlive the copy (the change matrix). Default: in the copy. */
    statePath?: string;
    /**
     * Write the copy into this directory, keeping its `.terraform/` and lock file: with the same
     * backend and provider, a later copy needs no `terraform init` (the change matrix). Default: a new one.
     */
    into?: string;
    /** A stack with a provider per account (the credentials stack): accountId lists them all. */
    multiAccount?: boolean;
  } = {},
): EmulatorStack {
  const name = basename(stackDir);
  const dir = options.into ?? mkdtempSync(join(tmpdir(), `seclog-emulator-${name}-`));
  if (options.into) {
    mkdirSync(dir, { recursive: true });
    for (const entry of readdirSync(dir))
      if (entry !== ".terraform" && entry !== ".terraform.lock.hcl")
        rmSync(join(dir, entry), { recursive: true });
  }
  cpSync(stackDir, dir, { recursive: true, filter: (source) => basename(source) !== ".terraform" });
  const json: StackJson = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8"));
  const accountId = accountOf(json, options.multiAccount === true);
  // Several accounts: no single account to assume a role in for a provider without one.
  if (options.multiAccount && json.provider.aws.some((p) => !p.assume_role))
    throw new Error(
      `${name}: with a provider per account, every account needs its roleArn in the test config`,
    );
  const gaps = EMULATOR_GAPS.filter(
    (gap) => !(options.keepDropped && gap.drops) && !(options.neverDeletes && gap.onlyWhereDeleted),
  ).map((gap) => ({
    what: gap.what,
    addresses: gap.rewrite(json, accountId),
  }));
  // Every service a stack of ours can hold, not only those this JSON uses: resources that only the
  // state still holds (a format switch deletes the processor) are read and deleted through them too.
  requireEndpoints(json);
  const endpoints = Object.fromEntries(
    [...new Set([...SERVICE_OF_TYPE.map(([, service]) => service), "sts"])].map((service) => [
      service,
      endpoint,
    ]),
  );
  for (const provider of json.provider.aws) {
    Object.assign(provider, {
      access_key: "AKIAEMULATOR00000000",
      secret_key: "emulator-secret",
      endpoints: [endpoints],
      s3_use_path_style: true,
      skip_credentials_validation: true,
      skip_metadata_api_check: true,
      // The account comes from moto's STS (the assumed role's account): the provider builds some ARNs
      // itself, e.g. the Athena workgroup's for its tags, and with the account skipped they have none.
      skip_requesting_account_id: false,
      max_retries: 2,
    });
  }
  const keepBackend = options.keepS3Backend === true;
  const statePath = options.statePath ?? join(dir, "terraform.tfstate");
  if (keepBackend && !json.terraform.backend?.s3) throw new Error(`${name} has no S3 backend to keep`);
  if (!keepBackend) {
    json.terraform.backend = { local: { path: statePath } };
    delete json.terraform.cloud;
  }
  writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(json, null, 1));
  return {
    name,
    dir,
    accountId,
    json,
    gaps,
    backend: keepBackend ? "s3" : "local",
    statePath,
    initArgs: keepBackend ? s3BackendTransport(endpoint) : [],
  };
}

/**
 * How the synthesized S3 backend block reaches moto, added at `terraform init`
 * as partial configuration: Terraform merges `-backend-config` over the block,
 * so bucket, key, region, encrypt, kms_key_id, use_lockfile and assume_role
 * stay exactly as synthesized. Only the transport changes: endpoints, path
 * style (moto serves buckets by path), fake credentials and no AWS account or
 * metadata lookups.
 */
function s3BackendTransport(endpoint: string): string[] {
  return [
    `endpoints={s3=${JSON.stringify(endpoint)},sts=${JSON.stringify(endpoint)},iam=${JSON.stringify(endpoint)}}`,
    "use_path_style=true",
    "access_key=AKIAEMULATOR00000000",
    "secret_key=emulator-secret",
    "skip_credentials_validation=true",
    "skip_requesting_account_id=true",
    "skip_metadata_api_check=true",
  ].map((setting) => `-backend-config=${setting}`);
}

function accountOf(json: StackJson, multiAccount: boolean): string {
  const ids = new Set(json.provider.aws.flatMap((p) => p.allowed_account_ids ?? []));
  if (multiAccount && ids.size > 1) return [...ids].sort().join(",");
  if (ids.size !== 1)
    throw new Error(
      `expected one allowed account id across the stack's providers, found ${[...ids].join(", ")}`,
    );
  return [...ids][0];
}

/** Fails loudly for a resource type whose service has no emulator endpoint (add it to SERVICE_OF_TYPE). */
function requireEndpoints(json: StackJson): void {
  for (const type of Object.keys(json.resource)) serviceOf(type);
}

/** One resource of the applied state: type, name and attributes. */
export interface StateResource {
  readonly type: string;
  readonly name: string;
  readonly attributes: Record<string, any>;
}

/** The managed resources of an emulator stack's local state, by address. */
export function stateOf(stack: EmulatorStack): Map<string, StateResource> {
  const state = JSON.parse(
    readFileSync(stack.backend === "s3" ? join(stack.dir, PULLED_STATE) : stack.statePath, "utf8"),
  );
  const resources = new Map<string, StateResource>();
  for (const r of state.resources.filter((r: any) => r.mode === "managed")) {
    resources.set(`${r.type}.${r.name}`, {
      type: r.type,
      name: r.name,
      attributes: r.instances[0].attributes,
    });
  }
  return resources;
}

/**
 * A synthesized value with every `${type.name.attribute}` reference replaced by
 * that attribute in the applied state: what Terraform sent to the API.
 */
export function resolveReferences(value: string, state: Map<string, StateResource>): string {
  return value.replace(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g, (whole, type, name, attribute) => {
    const resolved = state.get(`${type}.${name}`)?.attributes[attribute];
    if (typeof resolved !== "string") throw new Error(`cannot resolve ${whole} from the applied state`);
    return resolved;
  });
}

/** A snapshot of a remote-state stack's state, from `terraform state pull` (Terraform never reads it). */
const PULLED_STATE = "pulled.tfstate.json";

/** `terraform init` and `apply` of an emulator stack; throws with Terraform's output when either fails. */
export async function applyStack(stack: EmulatorStack, tf: TerraformEnv): Promise<void> {
  for (const args of [
    ["init", "-input=false", ...stack.initArgs],
    ["apply", "-auto-approve", "-input=false"],
  ]) {
    const result = await terraform(args, stack.dir, tf.env);
    if (result.status !== 0)
      throw new Error(
        `terraform ${args[0]} of ${stack.name} (account ${stack.accountId}) failed:\n${result.stderr || result.stdout}`,
      );
  }
  if (stack.backend === "s3") await pullState(stack, tf);
}

/** Reads a remote-state stack's state through its backend into PULLED_STATE. */
export async function pullState(stack: EmulatorStack, tf: TerraformEnv): Promise<void> {
  const pulled = await terraform(["state", "pull"], stack.dir, tf.env);
  if (pulled.status !== 0) throw new Error(`terraform state pull of ${stack.name} failed:\n${pulled.stderr}`);
  writeFileSync(join(stack.dir, PULLED_STATE), pulled.stdout);
}

/** `terraform plan -detailed-exitcode`: status 0 means no changes, 2 changes (the diff is in stdout). */
export function replanStack(stack: EmulatorStack, tf: TerraformEnv): Promise<RunResult> {
  return terraform(["plan", "-detailed-exitcode", "-input=false"], stack.dir, tf.env);
}

export function destroyStack(stack: EmulatorStack, tf: TerraformEnv): Promise<RunResult> {
  return terraform(["destroy", "-auto-approve", "-input=false"], stack.dir, tf.env);
}
