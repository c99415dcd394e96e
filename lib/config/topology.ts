import { RawConfig } from "./schema";

/** Where the accounts of a config ship from: read by the config rules and by the model (load.ts). */

/** The regions an account ships from: its own list, else the security account's home region. */
export function regionsOf(config: RawConfig, account: RawConfig["accounts"][number]): string[] {
  return account.regions ?? [config.security.region];
}

/** Region -> app account ids shipping from it, for every region with a destination. */
export function sendersByRegion(config: RawConfig): Map<string, string[]> {
  const map = new Map<string, string[]>([[config.security.region, []]]);
  for (const account of config.accounts) {
    for (const region of regionsOf(config, account))
      map.set(region, [...(map.get(region) ?? []), account.accountId]);
  }
  return map;
}
