import { App } from "cdktf";
import { SecLogConfig } from "../lib/config/model";
import { namingOf } from "../lib/config/rules";
import { SecurityStack } from "./security-stack";
import { AppStack } from "./app-stack";

/** Every stack of a validated config: the security stack, then one per application account. */
export function buildApp(config: SecLogConfig, app: App = new App()): App {
  const naming = namingOf(config);
  new SecurityStack(app, config, naming);
  for (const account of config.accounts) new AppStack(app, config, naming, account);
  return app;
}
