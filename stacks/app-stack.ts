import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { AppAccount, SecLogConfig } from "../lib/config/model";
import { Naming } from "../lib/naming";
import { RegionSubscriptions, SenderRole } from "../modules/subscription";
import { accountProviders, workloadRoleArn } from "./providers";
import { attachBackend } from "./backend";

/**
 * One application account: in each of its regions, the configured log groups
 * and their subscription filters (and optionally an account-level policy) aimed
 * at the same-region destination of the security account. The destination ARN
 * is derived from the config, so this stack never reads another account's state.
 */
export class AppStack extends TerraformStack {
  constructor(scope: Construct, config: SecLogConfig, naming: Naming, account: AppAccount) {
    super(scope, account.name);
    attachBackend(this, account.name, config.state, {
      applicationRoleArn: naming.stateRoleArn(account.name),
    });
    const providers = accountProviders(this, {
      accountId: account.accountId,
      regions: account.regions,
      roleArn: workloadRoleArn(config, account.roleArn),
      tags: config.tags,
      sessionName: `${config.prefix}-seclog`,
    });
    const senderRole = config.organizationId
      ? new SenderRole(this, "SenderRole", {
          // IAM is global: the first region's provider creates the role once.
          provider: providers.get(account.regions[0])!,
          partition: config.partition,
          roleName: naming.senderRoleName,
          subscribedLogGroupArns: naming.senderLogGroupArns(
            account.accountId,
            account.regions,
            account.logGroups.map((g) => g.name),
            account.allLogGroups !== undefined,
          ),
          regionLogGroupArns: naming.senderLogGroupArns(account.accountId, account.regions, [], true),
        })
      : undefined;
    for (const region of account.regions) {
      new RegionSubscriptions(this, `Subscriptions_${region}`, {
        provider: providers.get(region)!,
        destinationArn: naming.destinationArn(region),
        logGroups: account.logGroups.map((group) => ({
          ...group,
          filterName: naming.subscriptionFilterName(region, group.filterSlot),
        })),
        allLogGroups: account.allLogGroups
          ? { policyName: naming.accountPolicyName(region), exclude: account.allLogGroups.exclude }
          : undefined,
        senderRole: senderRole && { arn: senderRole.arn, policy: senderRole.policy },
      });
    }
  }
}
