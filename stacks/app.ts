import { App, TerraformStack } from "cdktf";
import { SecLogConfig } from "../lib/config/model";
import { Naming, namingOf } from "../lib/naming";
import { inventoryOf } from "../lib/policies/run-role";
import { applySecurityRules } from "../lib/rules/pack";
import { SECURITY_STACK_NAME, SecurityStack } from "./security-stack";
import { AppStack } from "./app-stack";
import { StateStack } from "./state-stack";
import { VAULT_STACK_NAME, VaultStack } from "./vault-stack";
import { WorkspacesStack } from "./workspaces-stack";
import { CredentialsStack } from "./credentials-stack";
import { LOCAL_STATE_CONTEXT, LocalStateLayout } from "./backend";

export interface BuildOptions {
  /**
   * Where the stacks end up and where local state lives, for local backends'
   * relative paths (see localStatePath). main.ts passes the final outdir.
   * @default `npx cdktf synth`'s: cdktf.out in the working directory
   */
  readonly localState?: LocalStateLayout;
}

/**
 * Every stack of a validated config: the state bucket when bootstrapped, the
 * security stack, then one per application account, each guarded by the
 * security rule pack.
 *
 * The deploy order is declared, not documented: cdktf records each stack's
 * dependencies in manifest.json, and `cdktf deploy '*'` starts a stack only
 * after the stacks it depends on are deployed (`cdktf destroy '*'` runs the
 * reverse). No value crosses stacks (every cross-account ARN is derived from
 * the config), so these are ordering edges only:
 * - every stack stores its state in the bucket `state` creates (and app
 *   stacks reach it through roles `state` creates);
 * - an application stack's subscription filters fail unless its region's
 *   destination in `security` exists and admits it;
 * - the security stack's replication configuration fails unless the vault's
 *   replica bucket exists, versioned (`archive.replica`).
 */
export function buildApp(config: SecLogConfig, app: App = new App(), options: BuildOptions = {}): App {
  // Read by every local backend (stacks/backend.ts); set before any stack exists.
  if (options.localState) app.node.setContext(LOCAL_STATE_CONTEXT, options.localState);
  const naming = namingOf(config);
  const state = stateStack(app, config);
  const replica = config.archive.replica;
  const vault = replica ? new VaultStack(app, config, naming, replica) : undefined;
  const security = new SecurityStack(app, config, naming);
  const accounts = config.accounts.map((account) => new AppStack(app, config, naming, account));
  const workloads: TerraformStack[] = [...(vault ? [vault] : []), security, ...accounts];
  if (state) for (const stack of workloads) stack.addDependency(state);
  if (vault) security.addDependency(vault);
  for (const stack of accounts) stack.addDependency(security);
  const credentials = credentialsStack(app, config, naming, [
    ...(vault && replica ? [{ stack: vault, operatorRoleArn: replica.roleArn, region: replica.region }] : []),
    { stack: security, operatorRoleArn: config.security.roleArn, region: config.security.region },
    ...accounts.map((stack, i) => ({
      stack,
      operatorRoleArn: config.accounts[i].roleArn,
      region: config.accounts[i].regions[0],
    })),
  ]);
  const workspaces = workspacesStack(app, config, naming);
  const cloudStacks = [...(credentials ? [credentials] : []), ...(workspaces ? [workspaces] : [])];
  for (const first of cloudStacks) for (const stack of workloads) stack.addDependency(first);
  const stacks = [...(state ? [state] : []), ...cloudStacks, ...workloads];
  stacks.forEach(applySecurityRules);
  return app;
}

/** `state.cloud.workspaces.create`: a workspace per stack, run triggers in deploy order. */
function workspacesStack(app: App, config: SecLogConfig, naming: Naming): WorkspacesStack | undefined {
  if (config.state.backend !== "cloud" || !config.state.workspaces) return undefined;
  const replica = config.archive.replica;
  return new WorkspacesStack(app, config, naming, [
    ...(replica ? [{ stack: VAULT_STACK_NAME, accountId: replica.accountId, after: [] }] : []),
    {
      stack: SECURITY_STACK_NAME,
      accountId: config.security.accountId,
      after: replica ? [VAULT_STACK_NAME] : [],
    },
    ...config.accounts.map((a) => ({ stack: a.name, accountId: a.accountId, after: [SECURITY_STACK_NAME] })),
  ]);
}

/**
 * `state.cloud.dynamicCredentials`: the run roles of every workspace stack,
 * each derived from the resources that stack synthesizes (lib/policies/run-role.ts).
 */
function credentialsStack(
  app: App,
  config: SecLogConfig,
  naming: Naming,
  workloads: ReadonlyArray<{ stack: TerraformStack; operatorRoleArn?: string; region: string }>,
): CredentialsStack | undefined {
  if (config.state.backend !== "cloud" || !config.state.dynamicCredentials) return undefined;
  return new CredentialsStack(
    app,
    config,
    naming,
    workloads.map(({ stack, operatorRoleArn, region }) => ({
      inventory: inventoryOf(stack.node.id, stack.toTerraform(), config.partition),
      operatorRoleArn,
      region,
    })),
  );
}

function stateStack(app: App, config: SecLogConfig): StateStack | undefined {
  const state = config.state;
  if (state.backend !== "s3" || !state.bootstrap) return undefined;
  return new StateStack(app, config, {
    bucket: state.bucket,
    region: state.region,
    bootstrap: state.bootstrap,
  });
}
