/**
 * The health check CloudWatch Logs sends when a destination is created: a
 * CONTROL_MESSAGE envelope, which the processor drops.
 */
export const CONTROL_MESSAGE = {
  messageType: "CONTROL_MESSAGE",
  owner: "CloudwatchLogs",
  logGroup: "",
  logStream: "",
  subscriptionFilters: [],
  logEvents: [
    {
      id: "",
      timestamp: 1732690000000,
      message: "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.",
    },
  ],
};
