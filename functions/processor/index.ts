import { FirehoseEvent, FirehoseResponse, transform } from "./transform";

/** Firehose data-transformation entry point (Lambda handler `index.handler`). */
export async function handler(event: FirehoseEvent): Promise<FirehoseResponse> {
  return transform(event);
}
