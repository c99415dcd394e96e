import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  PutSubscriptionFilterCommand,
  ResourceAlreadyExistsException,
} from "@aws-sdk/client-cloudwatch-logs";
import { AwsAccess, guarded } from "../../scripts/verify";
import { EmulatorAws } from "./emulator-aws";
import { StackJson } from "./synth";

/**
 * `npm run verify` against moto, and what moto lacks for it (shared/notes/moto-emulator.md):
 *
 * - cross-account subscription filters: moto resolves a `:destination:` ARN
 *   as a log group of the destination's name in the destination's account and
 *   region, so a stand-in log group of that name makes PutSubscriptionFilter
 *   accept the real destination ARN; the filters Terraform would have created
 *   (dropped from the emulator copies) are then put through the SDK as synthesized;
 * - account policies: moto answers HTTP 500 to every account-policy call, so
 *   DescribeAccountPolicies is answered with the synthesized policy, shaped as
 *   AWS documents the response (and its checks are unit-tested, verify.test.ts).
 */
export interface SynthesizedAccount {
  readonly accountId: string;
  /** The stack's Terraform JSON as synthesized (before the emulator copy dropped anything). */
  readonly json: StackJson;
  /** Provider alias -> region. */
  readonly regions: ReadonlyMap<string, string>;
}

/** A synthesized subscription filter, its log group's name resolved. */
export interface SynthesizedFilter {
  readonly accountId: string;
  readonly region: string;
  readonly filterName: string;
  readonly logGroupName: string;
  readonly filterPattern: string;
  readonly destinationArn: string;
  readonly roleArn?: string;
}

function regionOf(account: SynthesizedAccount, resource: { provider: string }): string {
  return account.regions.get(resource.provider.replace(/^aws\./, ""))!;
}

/** The log group a synthesized `${aws_cloudwatch_log_group.X.name}` names, or the literal name. */
function logGroupNameOf(json: StackJson, value: string): string {
  const reference = /^\$\{aws_cloudwatch_log_group\.([^.]+)\.name\}$/.exec(value);
  return reference ? json.resource.aws_cloudwatch_log_group[reference[1]].name : value;
}

export function synthesizedFilters(account: SynthesizedAccount): SynthesizedFilter[] {
  return Object.values<any>(account.json.resource.aws_cloudwatch_log_subscription_filter ?? {}).map((f) => ({
    accountId: account.accountId,
    region: regionOf(account, f),
    filterName: f.name,
    logGroupName: logGroupNameOf(account.json, f.log_group_name),
    filterPattern: f.filter_pattern,
    destinationArn: f.destination_arn,
    ...(f.role_arn ? { roleArn: f.role_arn } : {}),
  }));
}

/** The stand-in log groups that let moto accept filters to the security account's destinations. */
export async function createDestinationStandIns(
  aws: EmulatorAws,
  securityAccountId: string,
  destinationName: string,
  regions: readonly string[],
): Promise<void> {
  for (const region of regions) {
    const { logs } = await aws.clients(securityAccountId, region);
    try {
      await logs.send(new CreateLogGroupCommand({ logGroupName: destinationName }));
    } catch (error) {
      if (!(error instanceof ResourceAlreadyExistsException)) throw error;
    }
  }
}

export async function putFilter(
  logs: CloudWatchLogsClient,
  filter: SynthesizedFilter,
  destinationArn = filter.destinationArn,
) {
  await logs.send(
    new PutSubscriptionFilterCommand({
      logGroupName: filter.logGroupName,
      filterName: filter.filterName,
      filterPattern: filter.filterPattern,
      destinationArn,
      roleArn: filter.roleArn,
    }),
  );
}

/** The account policies of a synthesized stack, as DescribeAccountPolicies returns them, by region. */
function accountPoliciesOf(account: SynthesizedAccount): Map<string, object[]> {
  const byRegion = new Map<string, object[]>();
  for (const p of Object.values<any>(account.json.resource.aws_cloudwatch_log_account_policy ?? {})) {
    const region = regionOf(account, p);
    byRegion.set(region, [
      ...(byRegion.get(region) ?? []),
      {
        policyName: p.policy_name,
        policyDocument: p.policy_document,
        policyType: p.policy_type,
        scope: p.scope,
        ...(p.selection_criteria ? { selectionCriteria: p.selection_criteria } : {}),
        accountId: account.accountId,
        lastUpdatedTime: 1764500000000,
      },
    ]);
  }
  return byRegion;
}

/**
 * verify's way into the emulator: each account's clients (moto files calls
 * under the assumed role's account), read-only guarded like the real ones,
 * with DescribeAccountPolicies answered from the synthesized stacks.
 */
export function emulatorAccess(aws: EmulatorAws, accounts: readonly SynthesizedAccount[]): AwsAccess {
  const policies = new Map(accounts.map((a) => [a.accountId, accountPoliciesOf(a)]));
  return {
    async clients({ accountId, region }) {
      const clients = await aws.clients(accountId, region);
      const logs = guarded(clients.logs);
      logs.middlewareStack.add(
        (next: (args: any) => Promise<any>, context: { commandName?: string }) => async (args: any) => {
          if (context.commandName !== "DescribeAccountPoliciesCommand") return next(args);
          const name = args.input.policyName;
          const found = (policies.get(accountId)?.get(region) ?? []).filter(
            (p: any) => !name || p.policyName === name,
          );
          return { output: { accountPolicies: found, $metadata: { httpStatusCode: 200 } }, response: {} };
        },
        { step: "initialize", name: "motoAccountPolicies", priority: "low" },
      );
      return {
        logs,
        kinesis: guarded(clients.kinesis),
        firehose: guarded(clients.firehose),
        s3: guarded(clients.s3),
        kms: guarded(clients.kms),
        sts: guarded(clients.sts),
      };
    },
  };
}
