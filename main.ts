import { ConfigError, configPath, loadConfigFile } from "./lib/config/load";
import { buildApp } from "./stacks/app";

/**
 * cdktf's entry point: load and validate the config, then synthesize. A config
 * mistake is the user's to fix: print the problems without a stack trace and
 * exit before anything is written, so the last good cdktf.out stays as it was.
 */
function main(): void {
  try {
    buildApp(loadConfigFile(configPath())).synth();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}

main();
