import { App } from "cdktf";
import { ConfigError, configPath, loadConfigFile } from "./lib/config/load";
import { SecLogConfig } from "./lib/config/model";
import { namingOf } from "./lib/config/rules";
import { SecurityStack } from "./stacks/security-stack";
import { AppStack } from "./stacks/app-stack";

/** Builds every stack of a validated config into an app. */
export function buildApp(config: SecLogConfig, app: App = new App()): App {
  const naming = namingOf(config);
  new SecurityStack(app, config, naming);
  for (const account of config.accounts) new AppStack(app, config, naming, account);
  return app;
}

function main(): void {
  let config: SecLogConfig;
  try {
    config = loadConfigFile(configPath());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // A config mistake is the user's to fix: the message, no stack trace, and
    // nothing written, so the last good cdktf.out stays as it was.
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  buildApp(config).synth();
}

if (require.main === module) main();
