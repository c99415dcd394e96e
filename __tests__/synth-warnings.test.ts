import { parseConfig } from "../lib/config/load";
import { synthWarnings } from "../stacks/warnings";
import { baseConfig } from "./support/fixtures";

/**
 * The warnings a successful synth prints (stacks/warnings.ts), in process:
 * main.ts prints them, and the synth-output suite sees them through a child
 * process, which mutation testing cannot count.
 */
function lockedConfig(edit: (config: Record<string, any>) => void = () => {}) {
  const config = baseConfig();
  config.archive = { objectLock: { mode: "GOVERNANCE", days: 30 } };
  edit(config);
  return parseConfig(config);
}

/** The warning text, with what varies by config filled in. */
const objectLockWarning = (dataPrefix: string, shownBy: string) =>
  "warning: archive.objectLock: AWS does not document that Firehose sends the Content-MD5 or " +
  "x-amz-checksum-* header S3 requires for uploads into a bucket with default retention; if it does " +
  "not, every delivery fails (Firehose error log /aws/kinesisfirehose/secops-security-logs; errors/ " +
  "is in the same bucket) and records are lost after stream.retentionHours; " +
  `${shownBy}; after the first deploy check that objects arrive under ${dataPrefix} ` +
  '(README: "Object Lock and Firehose")';

describe("synth warnings", () => {
  test("no Object Lock: nothing to warn about", () => {
    expect(synthWarnings(parseConfig(baseConfig()))).toEqual([]);
  });

  test("Object Lock without alarms: one warning that says which alarm to add", () => {
    expect(synthWarnings(lockedConfig())).toEqual([
      objectLockWarning(
        "events/",
        "the alarm secops-security-logs-delivery-failing would show it (add an alarms block)",
      ),
    ]);
  });

  test("Object Lock with alarms: the warning names the alarm that shows a failing delivery", () => {
    const config = lockedConfig((c) => (c.alarms = { silenceHours: 12 }));
    expect(synthWarnings(config)).toEqual([
      objectLockWarning("events/", "the alarm secops-security-logs-delivery-failing shows it"),
    ]);
  });

  test("raw format: the objects to look for are under raw/", () => {
    const config = lockedConfig((c) => (c.delivery = { format: "raw" }));
    expect(synthWarnings(config)).toEqual([
      objectLockWarning(
        "raw/",
        "the alarm secops-security-logs-delivery-failing would show it (add an alarms block)",
      ),
    ]);
  });
});
