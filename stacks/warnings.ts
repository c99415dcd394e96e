import { SecLogConfig } from "../lib/config/model";
import { namingOf } from "../lib/naming";
import { DELIVERY_FAILING_ALARM } from "../modules/alarms";
import { EVENTS_PREFIX, RAW_PREFIX } from "../lib/pipeline";

/**
 * What a synthesized config may do on real AWS that no test here can show,
 * one line each, printed on stderr after a successful synth.
 *
 * Object Lock: S3 requires an integrity header for uploads into a bucket with
 * a default retention period ("The Content-MD5 or x-amz-sdk-checksum-algorithm
 * header is required for any request to upload an object with a retention
 * period configured using Amazon S3 Object Lock", Amazon S3 API Reference,
 * PutObject, https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html;
 * "If you configure a default retention period on a bucket, requests to upload
 * objects in such a bucket must include the Content-MD5 header", Amazon S3 User
 * Guide, "How S3 Object Lock works",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-overview.html).
 * The Amazon Data Firehose Developer Guide (Amazon S3 destination, data
 * delivery, troubleshooting) does not say whether Firehose sends one, so it
 * cannot be established: warn, and name what would show the failure. Failed
 * S3 deliveries are retried "until the retention period ends" of the source
 * stream ("Troubleshoot errors in Amazon Data Firehose",
 * https://docs.aws.amazon.com/firehose/latest/dev/troubleshooting.html).
 */
export function synthWarnings(config: SecLogConfig): string[] {
  if (!config.archive.objectLock) return [];
  const naming = namingOf(config);
  const alarm = `${naming.pipeline}-${DELIVERY_FAILING_ALARM}`;
  const shownBy = config.alarms
    ? `the alarm ${alarm} shows it`
    : `the alarm ${alarm} would show it (add an alarms block)`;
  const dataPrefix = config.delivery.format === "events" ? EVENTS_PREFIX : RAW_PREFIX;
  return [
    `warning: archive.objectLock: AWS does not document that Firehose sends the Content-MD5 or x-amz-checksum-* header S3 requires for uploads into a bucket with default retention; if it does not, every delivery fails (Firehose error log ${naming.firehoseLogGroupName}; errors/ is in the same bucket) and records are lost after stream.retentionHours; ${shownBy}; after the first deploy check that objects arrive under ${dataPrefix} (README: "Object Lock and Firehose")`,
  ];
}
