import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PlanJson } from "./plan";

export type Policy = { Version?: string; Statement: Array<Record<string, any>> };

/**
 * The security account's policies as Terraform planned them. A policy whose
 * value the plan knows is read from the plan; one that embeds an ARN known
 * only after apply (stream, bucket, KMS key) is read from the synthesized
 * stack with each reference replaced by the ARN AWS would give that resource
 * (KMS keys get a placeholder key id, the one value nobody can predict).
 */
export interface PipelinePolicies {
  readonly accountId: string;
  readonly homeRegion: string;
  readonly arns: {
    readonly bucket: string;
    readonly stream: string;
    readonly archiveKey: string;
    readonly streamKey: string;
    readonly destinationRole: string;
    readonly firehoseRole: string;
    readonly firehoseLogGroup: string;
    /** The processor Lambda, its role and log group (events format). */
    readonly processor?: string;
    readonly processorRole?: string;
    readonly processorLogGroup?: string;
    readonly alarmTopic?: string;
    readonly objectQueue?: string;
    readonly accessLogsBucket?: string;
    destination(region: string): string;
  };
  readonly destinationAccess: Record<string, Policy | undefined>;
  readonly destinationTrust: Policy;
  readonly destinationPermissions: Policy;
  readonly firehoseTrust: Policy;
  readonly firehosePermissions: Policy;
  readonly processorPermissions?: Policy;
  readonly bucketPolicy: Policy;
  readonly archiveKeyPolicy: Policy;
  /** Present when the config has alarms / SQS notifications / access logs. */
  readonly alarmTopicPolicy?: Policy;
  readonly objectQueuePolicy?: Policy;
  readonly accessLogsPolicy?: Policy;
  readonly streamKeyPolicy: Policy;
}

type Change = PlanJson["resource_changes"][number];

export function pipelinePolicies(plan: PlanJson, stackDir: string, accountId: string): PipelinePolicies {
  const synthesized = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8"));
  const regionOf = (address: string) => {
    const key = plan.configuration.root_module.resources.find(
      (r) => r.address === address,
    )?.provider_config_key;
    const region = key && plan.configuration.provider_config[key]?.expressions?.region?.constant_value;
    if (!region) throw new Error(`no region for ${address}`);
    return region as string;
  };
  const arnOf = (change: Change): string => {
    const after = change.change.after ?? {};
    const region = regionOf(change.address);
    switch (change.type) {
      case "aws_s3_bucket":
        return `arn:aws:s3:::${after.bucket}`;
      case "aws_kinesis_stream":
        return `arn:aws:kinesis:${region}:${accountId}:stream/${after.name}`;
      case "aws_kms_key":
        return `arn:aws:kms:${region}:${accountId}:key/planned-${change.name.toLowerCase().replace(/_/g, "-")}`;
      case "aws_cloudwatch_log_group":
        return `arn:aws:logs:${region}:${accountId}:log-group:${after.name}`;
      case "aws_iam_role":
        return `arn:aws:iam::${accountId}:role/${after.name}`;
      case "aws_lambda_function":
        return `arn:aws:lambda:${region}:${accountId}:function:${after.function_name}`;
      case "aws_sns_topic":
        return `arn:aws:sns:${region}:${accountId}:${after.name}`;
      case "aws_sqs_queue":
        return `arn:aws:sqs:${region}:${accountId}:${after.name}`;
      case "aws_cloudwatch_log_destination":
        return `arn:aws:logs:${region}:${accountId}:destination:${after.name}`;
      default:
        throw new Error(`no ARN rule for ${change.type}`);
    }
  };
  const byAddress = new Map(plan.resource_changes.map((c) => [c.address, c]));
  const resolveReference = (reference: string): string => {
    const [type, name, attribute] = reference.split(".");
    const change = byAddress.get(`${type}.${name}`);
    if (!change) throw new Error(`unresolvable reference ${reference}`);
    if (attribute === "arn") return arnOf(change);
    if (type === "aws_iam_role" && (attribute === "id" || attribute === "name"))
      return change.change.after!.name;
    throw new Error(`unresolvable reference ${reference}`);
  };
  const policyOf = (change: Change, attribute: string): Policy => {
    if (
      change.change.after &&
      !change.change.after_unknown?.[attribute] &&
      typeof change.change.after[attribute] === "string"
    ) {
      return JSON.parse(change.change.after[attribute]);
    }
    const template: string = synthesized.resource[change.type][change.name][attribute];
    return JSON.parse(
      template.replace(/\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+\.[a-z_]+)\}/g, (_m, ref) => resolveReference(ref)),
    );
  };
  const only = (type: string, predicate: (c: Change) => boolean = () => true): Change => {
    const found = plan.resource_changes.filter((c) => c.type === type && predicate(c));
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0];
  };
  const roleNamed = (suffix: string) =>
    only("aws_iam_role", (c) => String(c.change.after?.name).endsWith(suffix));
  const policyForRole = (role: Change) =>
    only(
      "aws_iam_role_policy",
      (c) => synthesized.resource.aws_iam_role_policy[c.name].role === `\${${role.address}.id}`,
    );
  const key = (prefix: string) => only("aws_kms_key", (c) => c.name.startsWith(prefix));
  const destinationRole = roleNamed("-logs-destination");
  const processorRole = plan.resource_changes.find(
    (c) => c.type === "aws_iam_role" && String(c.change.after?.name).endsWith("-logs-processor"),
  );
  const processorLogGroup = plan.resource_changes.find(
    (c) => c.type === "aws_cloudwatch_log_group" && String(c.change.after?.name).startsWith("/aws/lambda/"),
  );
  const firehoseRole = roleNamed("-logs-firehose");
  const homeRegion = regionOf(only("aws_kinesis_stream").address);

  const destinations = plan.resource_changes.filter((c) => c.type === "aws_cloudwatch_log_destination");
  const optional = (type: string, predicate: (c: Change) => boolean = () => true) =>
    plan.resource_changes.find((c) => c.type === type && predicate(c));
  const topic = optional("aws_sns_topic");
  const queue = optional("aws_sqs_queue", (c) => !String(c.change.after?.name).endsWith("-dlq"));
  const accessLogsBucket = optional("aws_s3_bucket", (c) => c.name.startsWith("AccessLogs_"));
  const topicPolicy = optional("aws_sns_topic_policy");
  const queuePolicy = optional("aws_sqs_queue_policy");
  const accessLogsPolicy = optional("aws_s3_bucket_policy", (c) => c.name.startsWith("AccessLogs_"));
  const accessPolicies = plan.resource_changes.filter(
    (c) => c.type === "aws_cloudwatch_log_destination_policy",
  );
  return {
    accountId,
    homeRegion,
    arns: {
      bucket: arnOf(only("aws_s3_bucket", (c) => c.name.startsWith("Archive_"))),
      alarmTopic: topic && arnOf(topic),
      objectQueue: queue && arnOf(queue),
      accessLogsBucket: accessLogsBucket && arnOf(accessLogsBucket),
      stream: arnOf(only("aws_kinesis_stream")),
      archiveKey: arnOf(key("ArchiveKey")),
      streamKey: arnOf(key("StreamKey")),
      destinationRole: arnOf(destinationRole),
      firehoseRole: arnOf(firehoseRole),
      firehoseLogGroup: arnOf(
        only("aws_cloudwatch_log_group", (c) =>
          String(c.change.after?.name).startsWith("/aws/kinesisfirehose/"),
        ),
      ),
      processor: plan.resource_changes.some((c) => c.type === "aws_lambda_function")
        ? arnOf(only("aws_lambda_function"))
        : undefined,
      processorRole: processorRole && arnOf(processorRole),
      processorLogGroup: processorLogGroup && arnOf(processorLogGroup),
      destination: (region) => {
        const destination = destinations.find((d) => regionOf(d.address) === region);
        if (!destination) throw new Error(`no destination in ${region}`);
        return arnOf(destination);
      },
    },
    destinationAccess: Object.fromEntries(
      accessPolicies.map((p) => [regionOf(p.address), policyOf(p, "access_policy")]),
    ),
    destinationTrust: policyOf(destinationRole, "assume_role_policy"),
    destinationPermissions: policyOf(policyForRole(destinationRole), "policy"),
    firehoseTrust: policyOf(firehoseRole, "assume_role_policy"),
    firehosePermissions: policyOf(policyForRole(firehoseRole), "policy"),
    processorPermissions: processorRole && policyOf(policyForRole(processorRole), "policy"),
    bucketPolicy: policyOf(
      only("aws_s3_bucket_policy", (c) => c.name.startsWith("Archive_")),
      "policy",
    ),
    alarmTopicPolicy: topicPolicy && policyOf(topicPolicy, "policy"),
    objectQueuePolicy: queuePolicy && policyOf(queuePolicy, "policy"),
    accessLogsPolicy: accessLogsPolicy && policyOf(accessLogsPolicy, "policy"),
    archiveKeyPolicy: policyOf(key("ArchiveKey"), "policy"),
    streamKeyPolicy: policyOf(key("StreamKey"), "policy"),
  };
}

/**
 * The `state` stack's policies (bootstrapped S3 state), read from its
 * synthesized JSON: every name in them is literal except the state key's ARN,
 * which gets a placeholder key id (and the bucket's ARN, derived from its name).
 */
export interface StatePolicies {
  /** The security account, which owns the bucket, the key and the roles. */
  readonly accountId: string;
  readonly region: string;
  readonly keyPrefix: string;
  readonly arns: {
    readonly bucket: string;
    readonly key: string;
    role(stack: string): string;
    /** `<bucket>/<keyPrefix>/<stack>.tfstate` and its `.tflock`. */
    state(stack: string): string;
    lock(stack: string): string;
  };
  readonly bucketPolicy: Policy;
  readonly keyPolicy: Policy;
  /** Stack name -> the trust and the inline policy of its `<prefix>-tfstate-<stack>` role. */
  readonly roleTrust: Record<string, Policy>;
  readonly rolePermissions: Record<string, Policy>;
}

type StateStackJson = {
  provider: { aws: Array<Record<string, any>> };
  resource: Record<string, Record<string, any>>;
};

export function statePolicies(
  stack: StateStackJson,
  accountId: string,
  keyPrefix: string,
  rolePrefix: string,
): StatePolicies {
  const region: string = stack.provider.aws[0].region;
  const only = (type: string) => {
    const entries = Object.entries(stack.resource[type] ?? {});
    if (entries.length !== 1) throw new Error(`expected one ${type}, found ${entries.length}`);
    return entries[0];
  };
  const [bucketId, bucketBody] = only("aws_s3_bucket");
  const [keyId, keyBody] = only("aws_kms_key");
  const bucket = `arn:aws:s3:::${bucketBody.bucket}`;
  const key = `arn:aws:kms:${region}:${accountId}:key/planned-${keyId.toLowerCase().replace(/_/g, "-")}`;
  const known: Record<string, string> = {
    [`aws_s3_bucket.${bucketId}.arn`]: bucket,
    [`aws_kms_key.${keyId}.arn`]: key,
  };
  const parse = (template: string): Policy =>
    JSON.parse(
      template.replace(/\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+\.[a-z_]+)\}/g, (_m, ref: string) => {
        if (!(ref in known)) throw new Error(`unresolvable reference ${ref}`);
        return known[ref];
      }),
    );
  const roles = Object.entries(stack.resource.aws_iam_role ?? {}).filter(([, r]) =>
    String(r.name).startsWith(rolePrefix),
  );
  const stackOf = (role: Record<string, any>) => String(role.name).slice(rolePrefix.length);
  const policyFor = (roleId: string) => {
    const found = Object.values(stack.resource.aws_iam_role_policy ?? {}).filter(
      (p) => p.role === `\${aws_iam_role.${roleId}.id}`,
    );
    if (found.length !== 1)
      throw new Error(`expected one inline policy for ${roleId}, found ${found.length}`);
    return parse(found[0].policy);
  };
  return {
    accountId,
    region,
    keyPrefix,
    arns: {
      bucket,
      key,
      role: (name) => `arn:aws:iam::${accountId}:role/${rolePrefix}${name}`,
      state: (name) => `${bucket}/${keyPrefix}/${name}.tfstate`,
      lock: (name) => `${bucket}/${keyPrefix}/${name}.tfstate.tflock`,
    },
    bucketPolicy: parse(only("aws_s3_bucket_policy")[1].policy),
    keyPolicy: parse(keyBody.policy),
    roleTrust: Object.fromEntries(roles.map(([, role]) => [stackOf(role), parse(role.assume_role_policy)])),
    rolePermissions: Object.fromEntries(roles.map(([id, role]) => [stackOf(role), policyFor(id)])),
  };
}

/** The bucket policy `npm run state-policy` prints for an existing (not bootstrapped) state bucket. */
export interface ExistingBucketPolicies {
  /** The account that owns the bucket. */
  readonly accountId: string;
  readonly arns: {
    readonly bucket: string;
    state(stack: string): string;
    lock(stack: string): string;
  };
  readonly keyPrefix: string;
  readonly bucketPolicy: Policy;
}

/**
 * An application stack's organization-mode sender role, read from its
 * synthesized JSON: the role's name is literal, so its ARN is derived; the
 * trust and inline policy hold no references.
 */
export interface SenderPolicies {
  /** The application account, which owns the role and its log groups. */
  readonly accountId: string;
  readonly arns: { readonly role: string };
  readonly trust: Policy;
  readonly permissions: Policy;
}

export function senderPolicies(stack: StateStackJson, accountId: string): SenderPolicies {
  const roles = Object.entries(stack.resource.aws_iam_role ?? {}).filter(([id]) =>
    id.startsWith("SenderRole_"),
  );
  if (roles.length !== 1) throw new Error(`expected one sender role, found ${roles.length}`);
  const [roleId, role] = roles[0];
  const policies = Object.values(stack.resource.aws_iam_role_policy ?? {}).filter(
    (p) => p.role === `\${aws_iam_role.${roleId}.id}`,
  );
  if (policies.length !== 1)
    throw new Error(`expected one inline policy for ${roleId}, found ${policies.length}`);
  const parse = (text: string): Policy => {
    if (text.includes("${")) throw new Error(`unresolved reference in ${text}`);
    return JSON.parse(text);
  };
  return {
    accountId,
    arns: { role: `arn:aws:iam::${accountId}:role/${role.name}` },
    trust: parse(role.assume_role_policy),
    permissions: parse(policies[0].policy),
  };
}

/**
 * The notifications key's policy (alarm topic and object queue), read from a
 * synthesized security stack: it names the archive bucket by reference, which
 * becomes the bucket's ARN (its name is literal), and the key gets a
 * placeholder key id, as in `statePolicies`. The plan cannot say more: a key
 * policy that embeds the bucket ARN is unknown until apply.
 */
export interface NotificationsKeyPolicies {
  /** The security account, which owns the key, the topic, the queue and the bucket. */
  readonly accountId: string;
  /** The home region, where the key, the topic and the alarms are. */
  readonly region: string;
  readonly arns: { readonly key: string; readonly bucket: string };
  readonly keyPolicy: Policy;
}

export function notificationsKeyPolicies(stack: StateStackJson, accountId: string): NotificationsKeyPolicies {
  const keys = Object.entries(stack.resource.aws_kms_key ?? {}).filter(([id]) =>
    id.startsWith("NotificationsKey_"),
  );
  if (keys.length !== 1) throw new Error(`expected one notifications key, found ${keys.length}`);
  const [keyId, key] = keys[0];
  const provider = stack.provider.aws.find((p) => `aws.${p.alias}` === key.provider);
  if (!provider) throw new Error(`no provider ${key.provider} for ${keyId}`);
  const region: string = provider.region;
  const partition = partitionOfRegion(region);
  const buckets = Object.entries(stack.resource.aws_s3_bucket ?? {});
  const bucketArnOf = (id: string) => {
    const bucket = buckets.find(([bucketId]) => bucketId === id)?.[1];
    if (!bucket) throw new Error(`unresolvable bucket ${id}`);
    return `arn:${partition}:s3:::${bucket.bucket}`;
  };
  const archive = buckets.filter(([id]) => id.startsWith("Archive_"));
  if (archive.length !== 1) throw new Error(`expected one archive bucket, found ${archive.length}`);
  const template: string = key.policy;
  const keyPolicy: Policy = JSON.parse(
    template.replace(
      /\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g,
      (_m, type: string, id: string, attribute: string) => {
        if (type === "aws_s3_bucket" && attribute === "arn") return bucketArnOf(id);
        throw new Error(`unresolvable reference ${type}.${id}.${attribute} in the notifications key policy`);
      },
    ),
  );
  return {
    accountId,
    region,
    arns: {
      key: `arn:${partition}:kms:${region}:${accountId}:key/planned-${keyId.toLowerCase().replace(/_/g, "-")}`,
      bucket: bucketArnOf(archive[0][0]),
    },
    keyPolicy,
  };
}

// Imported here, with the function that needs it: this file is appended to by several changes at once.
import { partitionOf as partitionOfRegion } from "../../lib/config/regions";
