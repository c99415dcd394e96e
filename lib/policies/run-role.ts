/**
 * The roles Terraform Cloud runs assume in each account
 * (`state.cloud.dynamicCredentials`), as data.
 *
 * Trust: the account's IAM OIDC provider for the Terraform Cloud hostname,
 * with the token's audience and its exact subject, one workspace and one run
 * phase: "<hostname>:aud" and "<hostname>:sub" are the condition keys AWS
 * makes from the token (HCP Terraform docs, "Dynamic Credentials with the AWS
 * Provider", trust policy; IAM User Guide, "Available keys for AWS web
 * identity federation", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif).
 *
 * Permissions, derived from the stack itself: the resource types it
 * synthesizes, each mapped to the IAM actions the AWS provider calls for it
 * (lib/iam/provider-actions.ts): a plan (refresh) calls only the types'
 * `read` actions, an apply also their `write` actions. A type without an
 * entry fails the synth: nothing is granted by guess. Resources:
 * - S3 buckets and IAM roles by their exact names, read from the stack (the
 *   run roles themselves are not among them: a run cannot widen its own role);
 * - KMS: the account's keys (a key's id is random: not known before it
 *   exists) and the stack's aliases by name;
 * - every other service: the stack's account;
 * - `*` only for the actions AWS does not scope to a resource
 *   (UNSCOPED_ACTIONS);
 * every regional statement held to the stack's regions (inRegions), and one
 * Deny: no role chaining (NO_ROLE_CHAINING).
 */
import { PolicyDocument, policyDocument, PolicyStatement } from "../iam/policy";
import { Partition } from "../config/regions";
import { PROVIDER_ACTIONS } from "../iam/provider-actions";
import { RunPhase } from "../tfc";

/** What a synthesized stack holds, as far as its run role is concerned. */
export interface StackInventory {
  readonly name: string;
  readonly partition: Partition;
  readonly accountId: string;
  readonly regions: readonly string[];
  readonly resources: ReadonlyArray<{ readonly type: string; readonly body: Record<string, unknown> }>;
}

/**
 * Actions whose Service Authorization Reference entry lists no resource type:
 * IAM evaluates them against `*` only (Service Authorization Reference, "Actions
 * defined by AWS Key Management Service" and the same table of each service,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
 */
export const UNSCOPED_ACTIONS: ReadonlySet<string> = new Set([
  "kinesis:DisableEnhancedMonitoring",
  "kinesis:EnableEnhancedMonitoring",
  "kinesis:UpdateShardCount",
  "kinesis:UpdateStreamMode",
  "kms:CreateKey",
  "kms:ListAliases",
  "kms:ListKeys",
  "logs:DeleteAccountPolicy",
  "logs:DescribeAccountPolicies",
  "logs:DescribeDestinations",
  "logs:DescribeLogGroups",
  "logs:PutAccountPolicy",
]);

/** Services whose ARNs carry no region, or that answer in one region for all: no region condition. */
const GLOBAL_SERVICES: ReadonlySet<string> = new Set(["iam", "s3"]);

/**
 * The only Deny: no run assumes another role. In one account a role whose
 * trust names the apply role lets it in without any grant of its own, and the
 * apply role may rewrite the trust of the stack's roles (it manages them):
 * without this it could name itself there, assume that role and act beyond
 * the stack. The stacks' providers assume nothing under dynamic credentials.
 */
export const NO_ROLE_CHAINING: PolicyStatement = {
  Sid: "NoRoleChaining",
  Effect: "Deny",
  Action: ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"],
  Resource: "*",
};

/** The statement of UNSCOPED_ACTIONS, the only Allow on `*`. */
export const UNSCOPED_SID = "NoResourceLevelPermissions";

/** The identity and phase a run role trusts. */
export interface RunTrustProps {
  readonly partition: Partition;
  readonly accountId: string;
  /** The Terraform Cloud hostname, e.g. app.terraform.io. */
  readonly hostname: string;
  readonly audience: string;
  /** `organization:<org>:project:<project>:workspace:<name>:run_phase:<phase>` (lib/tfc.ts runSubject). */
  readonly subject: string;
}

export function oidcProviderArn(partition: Partition, accountId: string, hostname: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${hostname}`;
}

/** Only tokens for one workspace and phase, with the configured audience, through this account's provider. */
export function runRoleTrust(props: RunTrustProps): PolicyDocument {
  return policyDocument({
    Sid: "TerraformCloudRun",
    Effect: "Allow",
    Principal: { Federated: oidcProviderArn(props.partition, props.accountId, props.hostname) },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: {
        [`${props.hostname}:aud`]: props.audience,
        [`${props.hostname}:sub`]: props.subject,
      },
    },
  });
}

/** The IAM actions a stack's runs need in one phase, sorted; throws on a type without an entry. */
export function runActions(stack: StackInventory, phase: RunPhase): string[] {
  const actions = new Set<string>();
  for (const type of new Set(stack.resources.map((r) => r.type))) {
    const known = PROVIDER_ACTIONS[type];
    if (!known)
      throw new Error(
        `stack ${stack.name}: no IAM actions are recorded for ${type} (lib/iam/provider-actions.ts); add them before a run role can manage it`,
      );
    known.read.forEach((a) => actions.add(a));
    if (phase === "apply") known.write.forEach((a) => actions.add(a));
  }
  return [...actions].sort();
}

/** The run role's permissions: one statement per service, scoped; `*` only for UNSCOPED_ACTIONS. */
export function runRolePermissions(stack: StackInventory, phase: RunPhase): PolicyDocument {
  const byService = new Map<string, string[]>();
  const unscoped: string[] = [];
  for (const action of runActions(stack, phase)) {
    if (UNSCOPED_ACTIONS.has(action)) unscoped.push(action);
    else {
      const service = action.split(":")[0];
      byService.set(service, [...(byService.get(service) ?? []), action]);
    }
  }
  // A service without resources of its own here has nothing to grant on: iam:PassRole, which the
  // subscription filter lists, in a stack that creates no role (the filter then passes none).
  const statements: PolicyStatement[] = [...byService]
    .map(([service, actions]) => ({ service, actions, resources: resourcesOf(stack, service) }))
    .filter(({ resources }) => resources.length > 0)
    .map(({ service, actions, resources }) => ({
      Sid: sidOf(service),
      Effect: "Allow",
      Action: actions,
      Resource: resources,
      ...(!GLOBAL_SERVICES.has(service) && inRegions(stack)),
    }));
  if (unscoped.length)
    statements.push({
      Sid: UNSCOPED_SID,
      Effect: "Allow",
      Action: unscoped,
      Resource: "*",
      ...inRegions(stack),
    });
  return policyDocument(...statements, NO_ROLE_CHAINING);
}

/**
 * Regional services are granted in every region of the account's ARNs, and
 * held to the stack's regions by `aws:RequestedRegion` (IAM User Guide, "AWS
 * global condition context keys"): one condition instead of one ARN per
 * region and service keeps the security stack's apply policy inside IAM's
 * inline quota at any number of regions.
 */
function inRegions(stack: StackInventory): Pick<PolicyStatement, "Condition"> {
  return { Condition: { StringEquals: { "aws:RequestedRegion": [...stack.regions].sort() } } };
}

/** The ARNs a service's actions are granted on, for one stack. */
export function resourcesOf(stack: StackInventory, service: string): string[] {
  const { partition, accountId } = stack;
  const keys = `arn:${partition}:kms:*:${accountId}:key/*`;
  switch (service) {
    // Buckets only, never their objects: the object actions the provider lists (force_destroy's
    // emptying) match no resource here, so no run can delete archived evidence.
    case "s3":
      return namesOf(stack, "aws_s3_bucket", "bucket").map((b) => `arn:${partition}:s3:::${b}`);
    case "iam":
      return namesOf(stack, "aws_iam_role", "name").map(
        (n) => `arn:${partition}:iam::${accountId}:role/${n}`,
      );
    case "kms":
      return [
        keys,
        ...namesOf(stack, "aws_kms_alias", "name").map((n) => `arn:${partition}:kms:*:${accountId}:${n}`),
      ];
    // StartStreamEncryption is authorized on the stream's key as well as on the stream.
    case "kinesis":
      return [`arn:${partition}:kinesis:*:${accountId}:*`, keys];
    default:
      return [`arn:${partition}:${service}:*:${accountId}:*`];
  }
}

/** Literal names of a type's resources in the stack, sorted; a name that is a reference cannot be scoped. */
function namesOf(stack: StackInventory, type: string, attribute: string): string[] {
  const names = stack.resources
    .filter((r) => r.type === type)
    .map((r) => r.body[attribute])
    .map((name) => {
      if (typeof name !== "string" || name.includes("${"))
        throw new Error(
          `stack ${stack.name}: a ${type} without a literal ${attribute} cannot be granted by name`,
        );
      return name;
    });
  return [...new Set(names)].sort();
}

/** "s3" -> "S3", "cloudwatch" -> "Cloudwatch": a statement id of letters only. */
function sidOf(service: string): string {
  return service.length <= 3 ? service.toUpperCase() : service[0].toUpperCase() + service.slice(1);
}

/** A synthesized stack (cdk.tf.json) read as its run role needs it. */
export function inventoryOf(
  name: string,
  json: {
    provider?: { aws?: ReadonlyArray<Record<string, unknown>> };
    resource?: Record<string, Record<string, Record<string, unknown>>>;
  },
  partition: Partition,
): StackInventory {
  const providers = json.provider?.aws ?? [];
  const accounts = new Set(providers.flatMap((p) => (p.allowed_account_ids as string[] | undefined) ?? []));
  if (accounts.size !== 1)
    throw new Error(`stack ${name}: expected providers for one account, found ${accounts.size}`);
  return {
    name,
    partition,
    accountId: [...accounts][0],
    regions: [...new Set(providers.map((p) => String(p.region)))].sort(),
    resources: Object.entries(json.resource ?? {}).flatMap(([type, byId]) =>
      Object.values(byId).map((body) => ({ type, body })),
    ),
  };
}
