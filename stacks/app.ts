import { App } from "cdktf";
import { SecLogConfig } from "../lib/config/model";
import { namingOf } from "../lib/config/rules";
import { applySecurityRules } from "../lib/rules/pack";
import { SecurityStack } from "./security-stack";
import { AppStack } from "./app-stack";
import { StateStack } from "./state-stack";

/**
 * Every stack of a validated config: the state bucket when bootstrapped, the
 * security stack, then one per application account, each guarded by the
 * security rule pack.
 */
export function buildApp(config: SecLogConfig, app: App = new App()): App {
  const naming = namingOf(config);
  const stacks = [
    ...stateStack(app, config),
    new SecurityStack(app, config, naming),
    ...config.accounts.map((account) => new AppStack(app, config, naming, account)),
  ];
  stacks.forEach(applySecurityRules);
  return app;
}

function stateStack(app: App, config: SecLogConfig): StateStack[] {
  const state = config.state;
  if (state.backend !== "s3" || !state.bootstrap) return [];
  return [new StateStack(app, config, { bucket: state.bucket, region: state.region, bootstrap: state.bootstrap })];
}
