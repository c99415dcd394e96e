/** The metric the per-account silence alarms watch: log events delivered, by source account. */
export const EVENTS_METRIC = "Events";
export const ACCOUNT_DIMENSION = "Account";

/** One CloudWatch Embedded Metric Format line per account. */
export function eventsMetricLines(
  namespace: string,
  eventsByAccount: ReadonlyMap<string, number>,
  timestamp: number,
): string[] {
  return [...eventsByAccount].map(([account, events]) =>
    JSON.stringify({
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [
          {
            Namespace: namespace,
            Dimensions: [[ACCOUNT_DIMENSION]],
            Metrics: [{ Name: EVENTS_METRIC, Unit: "Count" }],
          },
        ],
      },
      [ACCOUNT_DIMENSION]: account,
      [EVENTS_METRIC]: events,
    }),
  );
}
