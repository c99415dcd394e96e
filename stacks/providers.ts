import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";

export interface AccountProvidersProps {
  readonly accountId: string;
  readonly regions: readonly string[];
  readonly roleArn?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly sessionName: string;
}

/**
 * One aliased AWS provider per region of one account. Every resource names its
 * provider explicitly: with only aliased providers Terraform would otherwise
 * add an empty default one. `allowed_account_ids` makes a plan against the
 * wrong account's credentials fail before it changes anything.
 */
export function accountProviders(scope: Construct, props: AccountProvidersProps): Map<string, AwsProvider> {
  const providers = new Map<string, AwsProvider>();
  for (const region of props.regions) {
    providers.set(
      region,
      new AwsProvider(scope, `aws_${region.replace(/-/g, "_")}`, {
        alias: region.replace(/-/g, "_"),
        region,
        allowedAccountIds: [props.accountId],
        assumeRole: props.roleArn ? [{ roleArn: props.roleArn, sessionName: props.sessionName }] : undefined,
        defaultTags: Object.keys(props.tags).length ? [{ tags: { ...props.tags } }] : undefined,
      }),
    );
  }
  return providers;
}
