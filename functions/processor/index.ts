import { FirehoseEvent, FirehoseResponse, transformCounting } from "./transform";
import { eventsMetricLines } from "./metrics";

/**
 * Firehose data-transformation entry point (Lambda handler `index.handler`).
 * Per-account event counts go out as CloudWatch Embedded Metric Format lines in
 * the function's own log: metrics without any API call (and so without any
 * permission beyond writing its log group).
 */
export async function handler(event: FirehoseEvent): Promise<FirehoseResponse> {
  const { response, eventsByAccount, failures } = transformCounting(event);
  const namespace = process.env.METRIC_NAMESPACE;
  if (namespace)
    for (const line of eventsMetricLines(namespace, eventsByAccount, Date.now())) console.log(line);
  // Why records failed, as counts only (never their content): read it next to errors/processing-failed/.
  if (failures.size > 0) console.log(JSON.stringify({ processingFailed: Object.fromEntries(failures) }));
  return response;
}
