import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { transform } from "../../functions/processor/transform";
import { Naming } from "../../lib/naming";
import { deliveryHourOf, EVENTS_OBJECT_PREFIX } from "../../lib/search";
import { evaluatePrefix } from "./firehose-prefix";
import { PAYMENTS_ACCOUNT, SECURITY_ACCOUNT, WEB_ACCOUNT } from "./fixtures";

/**
 * An `events/` archive on local disk, written the way Firehose writes it:
 * CloudWatch Logs DATA_MESSAGE envelopes (JSON, gzip, base64) go through the
 * real processor (`transform`), and each Ok record's data (one gzip member of
 * NDJSON) is appended to the object of its buffer and prefix, the prefix being
 * the real EVENTS_OBJECT_PREFIX evaluated for the record's arrival time and
 * partition keys. Records of one buffer with one prefix make one object, a
 * multi-member gzip file, as in production.
 *
 * Everything a test expects is computed from the inputs below (FIXTURE_RECORDS,
 * FIXTURE_EVENTS): the account, log group, region, arrival and, for the
 * authentication failures, the program and source a person reading the line
 * would name, written by hand.
 */

/** Accounts: two of the config (support/fixtures) and one only in the organization. */
export const PAYMENTS = PAYMENTS_ACCOUNT;
export const WEB = WEB_ACCOUNT;
export const ORG_ONLY = "999999999999";
export const FIXTURE_ACCOUNTS = [PAYMENTS, WEB, ORG_ONLY] as const;

const naming = new Naming({ prefix: "secops", partition: "aws", securityAccountId: SECURITY_ACCOUNT });
/** The events-format delivery stream, whose name starts every object name. */
export const DELIVERY_STREAM = naming.deliveryStreamName("events");

/** The subscription filter names this app gives (the processor reads the region from them). */
const FILTERS = {
  "us-east-1": naming.subscriptionFilterName("us-east-1", 0),
  "eu-west-1": naming.subscriptionFilterName("eu-west-1", 0),
  "eu-west-1-2": naming.subscriptionFilterName("eu-west-1", 1),
} as const;
type FilterName = keyof typeof FILTERS;
const REGION_OF_FILTER: Readonly<Record<FilterName, string>> = {
  "us-east-1": "us-east-1",
  "eu-west-1": "eu-west-1",
  "eu-west-1-2": "eu-west-1",
};

/** The fixture's day; every time below is on it, UTC. */
export const FIXTURE_DAY = "2026-03-14";
export const at = (time: string, day: string = FIXTURE_DAY): number => Date.parse(`${day}T${time}Z`);

/** An sshd or sudo authentication failure, as a person reading the line names it. */
export interface AuthFailure {
  readonly program: "sshd" | "sudo";
  /** The remote address, or for a local sudo the user. */
  readonly source: string;
}

export interface FixtureLogEvent {
  /** `HH:mm:ss.SSS` on the record's day. */
  readonly time: string;
  readonly message: string;
  readonly auth?: AuthFailure;
}

/** One CloudWatch Logs subscription record: its envelope, when Firehose received it, and which buffer took it. */
export interface FixtureRecord {
  readonly recordId: string;
  readonly account: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly filter: FilterName;
  /** `yyyy-MM-dd` of the record's times; FIXTURE_DAY unless told. */
  readonly day?: string;
  /** `HH:mm:ss`: Firehose's approximate arrival timestamp. */
  readonly arrival: string;
  /** Records of one buffer (one flush) with one prefix are one object. */
  readonly buffer: number;
  readonly events: readonly FixtureLogEvent[];
}

const SSH_FAIL_ADMIN = (pid: number, port: number) =>
  `sshd[${pid}]: Failed password for invalid user admin from 203.0.113.7 port ${port} ssh2`;
const sshd = (source: string): AuthFailure => ({ program: "sshd", source });
const sudo = (source: string): AuthFailure => ({ program: "sudo", source });

const SECURE_STREAM = "i-0a1b2c3d4e5f60718/secure";
const LAMBDA = "/aws/lambda/pay.ments-api_v2";
const LAMBDA_STREAM = "2026/03/14/[$LATEST]0123456789abcdef0123456789abcdef";

/**
 * The records, in the order they reached Firehose. The query window of the
 * tests is 09:00:00.000 to 11:30:00.000: events at both ends, one just before
 * and one just after, a record delivered an hour after its events' hour
 * (r13, r14), and records delivered in the lag hours and after them.
 */
export const FIXTURE_RECORDS: readonly FixtureRecord[] = [
  {
    recordId: "r00",
    account: PAYMENTS,
    logGroup: "/var/log/secure",
    logStream: SECURE_STREAM,
    filter: "us-east-1",
    arrival: "09:00:40",
    buffer: 1,
    // A millisecond before the window: delivered in its first hour, never returned by time.
    events: [{ time: "08:59:59.999", message: SSH_FAIL_ADMIN(2201, 40100), auth: sshd("203.0.113.7") }],
  },
  {
    recordId: "r01",
    account: PAYMENTS,
    logGroup: "/var/log/secure",
    logStream: SECURE_STREAM,
    filter: "us-east-1",
    arrival: "09:06:10",
    buffer: 1,
    events: [
      { time: "09:00:00.000", message: SSH_FAIL_ADMIN(1234, 52144), auth: sshd("203.0.113.7") },
      { time: "09:00:02.500", message: SSH_FAIL_ADMIN(1234, 52144), auth: sshd("203.0.113.7") },
      {
        time: "09:03:10.000",
        message:
          "sshd[1234]: Accepted publickey for alice from 203.0.113.9 port 50022 ssh2: ED25519 SHA256:Jq2mW0i5mZkq0yNf3nHh7u8v1c2x3z4y5w6v7u8t9s0",
      },
      {
        time: "09:04:00.000",
        message:
          "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root",
        auth: sshd("203.0.113.7"),
      },
    ],
  },
  {
    // Same account, log group and buffer as r00 and r01, another stream: the same object.
    recordId: "r02",
    account: PAYMENTS,
    logGroup: "/var/log/secure",
    logStream: "i-0fedcba9876543210/secure",
    filter: "us-east-1",
    arrival: "09:06:11",
    buffer: 1,
    events: [
      {
        time: "09:05:00.000",
        message: "sshd[1]: Invalid user test from 198.51.100.2 port 22",
        auth: sshd("198.51.100.2"),
      },
      {
        time: "09:05:01.000",
        message: "sshd[1]: Accepted password for deploy from 198.51.100.2 port 22 ssh2",
      },
    ],
  },
  {
    recordId: "r03",
    account: PAYMENTS,
    logGroup: LAMBDA,
    logStream: LAMBDA_STREAM,
    filter: "eu-west-1-2",
    arrival: "09:12:00",
    buffer: 1,
    events: [
      {
        time: "09:10:00.000",
        message: "START RequestId: 5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b Version: $LATEST",
      },
      {
        time: "09:10:00.120",
        message: `{"level":"ERROR","msg":"card declined","customer":"O'Brien","note":"said \\"no\\" — déjà vu ✓"}`,
      },
      { time: "09:10:00.300", message: "END RequestId: 5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b" },
    ],
  },
  {
    recordId: "r04",
    account: WEB,
    logGroup: "/var/log/messages",
    logStream: "i-0333333333333333a/messages",
    filter: "us-east-1",
    arrival: "09:20:00",
    buffer: 2,
    events: [
      { time: "09:15:00.000", message: "systemd[1]: Started Session 42 of user alice." },
      // Mentions sudo, fails nothing.
      { time: "09:15:30.000", message: "CRON[991]: (root) CMD (sudo -n true)" },
      { time: "09:16:00.000", message: `app: user "Zoë" can't log in — “quoted” 🚀` },
    ],
  },
  {
    recordId: "r05",
    account: WEB,
    logGroup: "/var/log/secure",
    logStream: "i-0333333333333333a/secure",
    filter: "us-east-1",
    arrival: "09:40:00",
    buffer: 2,
    events: [
      {
        time: "09:35:00.000",
        message:
          "sudo: alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls",
        auth: sudo("alice"),
      },
      {
        time: "09:36:00.000",
        message: "sudo:     bob : TTY=pts/1 ; PWD=/home/bob ; USER=root ; COMMAND=/usr/bin/id",
      },
      {
        time: "09:37:00.000",
        message:
          "pam_unix(sudo:auth): authentication failure; logname=bob uid=1000 euid=0 tty=/dev/pts/1 ruser=bob rhost=  user=bob",
        auth: sudo("bob"),
      },
    ],
  },
  {
    recordId: "r06",
    account: ORG_ONLY,
    logGroup: "/var/log/secure",
    logStream: "i-0999999999999999f/secure",
    filter: "eu-west-1",
    arrival: "09:50:00",
    buffer: 2,
    events: [{ time: "09:45:00.000", message: SSH_FAIL_ADMIN(4242, 52200), auth: sshd("203.0.113.7") }],
  },
  {
    recordId: "r07",
    account: PAYMENTS,
    logGroup: "app#1",
    logStream: "web-1",
    filter: "us-east-1",
    arrival: "09:52:00",
    buffer: 2,
    events: [
      // The same millisecond as r06's event: the id orders them.
      { time: "09:45:00.000", message: "GET /healthz 200" },
      { time: "09:46:00.000", message: "payment FAILED for order 17: card expired" },
      // Neither sshd nor sudo: not an authentication failure of the hunt's.
      { time: "09:47:00.000", message: "webapp: Failed password for user carol" },
    ],
  },
  {
    recordId: "r08",
    account: WEB,
    logGroup: "a/b/c",
    logStream: "s",
    filter: "us-east-1",
    arrival: "10:05:00",
    buffer: 3,
    events: [
      {
        time: "10:01:00.000",
        message:
          'kernel: audit: type=1400 apparmor="DENIED" operation="open" profile="/usr/sbin/cups-browsed"',
      },
    ],
  },
  {
    recordId: "r09",
    account: WEB,
    logGroup: "/var/log/secure",
    logStream: "i-0333333333333333a/secure",
    filter: "us-east-1",
    arrival: "10:20:00",
    buffer: 3,
    events: [
      {
        time: "10:15:00.000",
        message: "sshd[77]: Failed password for root from 2001:db8::5 port 2222 ssh2",
        auth: sshd("2001:db8::5"),
      },
      {
        time: "10:15:05.000",
        message: "sshd[77]: Connection closed by authenticating user root 2001:db8::5 port 2222 [preauth]",
      },
    ],
  },
  {
    recordId: "r10",
    account: ORG_ONLY,
    logGroup: "app#1",
    logStream: "web-1",
    filter: "us-east-1",
    arrival: "10:30:00",
    buffer: 3,
    events: [
      { time: "10:25:00.000", message: "GET /login 401 user=O'Neil" },
      { time: "10:26:00.000", message: "POST /login 200" },
    ],
  },
  {
    recordId: "r11",
    account: PAYMENTS,
    logGroup: LAMBDA,
    logStream: LAMBDA_STREAM,
    filter: "eu-west-1-2",
    arrival: "10:45:00",
    buffer: 3,
    events: [
      {
        time: "10:40:00.000",
        message: "REPORT RequestId: 5f1e2d3c Duration: 12.34 ms Billed Duration: 13 ms",
      },
      { time: "10:41:00.000", message: "payment failed: insufficient funds" },
    ],
  },
  {
    recordId: "r12",
    account: PAYMENTS,
    logGroup: "/var/log/secure",
    logStream: SECURE_STREAM,
    filter: "us-east-1",
    arrival: "11:10:00",
    buffer: 4,
    events: [{ time: "11:05:00.000", message: SSH_FAIL_ADMIN(1234, 52150), auth: sshd("203.0.113.7") }],
  },
  {
    // Delivered in hour 12, an hour after its events' hour (11): only the lag finds it.
    recordId: "r13",
    account: PAYMENTS,
    logGroup: LAMBDA,
    logStream: LAMBDA_STREAM,
    filter: "eu-west-1-2",
    arrival: "12:05:00",
    buffer: 5,
    events: [
      { time: "11:20:00.000", message: "ERROR payment reconciliation failed for batch 7" },
      // The window's last millisecond: BETWEEN includes it.
      { time: "11:30:00.000", message: "WARN retrying batch 7" },
    ],
  },
  {
    recordId: "r14",
    account: ORG_ONLY,
    logGroup: "/var/log/secure",
    logStream: "i-0999999999999999f/secure",
    filter: "eu-west-1",
    arrival: "12:05:30",
    buffer: 5,
    events: [{ time: "11:25:00.000", message: SSH_FAIL_ADMIN(4243, 52210), auth: sshd("203.0.113.7") }],
  },
  {
    // A millisecond after the window: in its hours, never returned by time.
    recordId: "r15",
    account: PAYMENTS,
    logGroup: "app#1",
    logStream: "web-1",
    filter: "us-east-1",
    arrival: "11:33:00",
    buffer: 4,
    events: [{ time: "11:30:00.001", message: "GET /healthz 200" }],
  },
  {
    recordId: "r16",
    account: WEB,
    logGroup: "/var/log/secure",
    logStream: "i-0333333333333333a/secure",
    filter: "us-east-1",
    arrival: "11:35:00",
    buffer: 4,
    events: [
      {
        time: "11:31:00.000",
        message:
          "sudo: alice : 1 incorrect password attempt ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls",
        auth: sudo("alice"),
      },
    ],
  },
  {
    recordId: "r17",
    account: WEB,
    logGroup: "/var/log/messages",
    logStream: "i-0333333333333333a/messages",
    filter: "us-east-1",
    arrival: "12:10:00",
    buffer: 5,
    events: [
      { time: "12:05:00.000", message: "systemd[1]: Started Daily apt upgrade and clean activities." },
    ],
  },
  {
    // The last lag hour of the tests' window (13).
    recordId: "r18",
    account: ORG_ONLY,
    logGroup: "/var/log/secure",
    logStream: "i-0999999999999999f/secure",
    filter: "eu-west-1",
    arrival: "13:02:00",
    buffer: 6,
    events: [{ time: "12:58:00.000", message: SSH_FAIL_ADMIN(4244, 52300), auth: sshd("203.0.113.7") }],
  },
  {
    // Past the lag hours of the tests' window.
    recordId: "r19",
    account: PAYMENTS,
    logGroup: "/var/log/secure",
    logStream: SECURE_STREAM,
    filter: "us-east-1",
    arrival: "14:05:00",
    buffer: 7,
    events: [{ time: "14:01:00.000", message: SSH_FAIL_ADMIN(1235, 52400), auth: sshd("203.0.113.7") }],
  },
];

/** A log event as it must come out of the archive, with where it came from and when it was delivered. */
export interface FixtureEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly account: string;
  readonly region: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly id: string;
  readonly recordId: string;
  readonly arrival: Date;
  /** deliveryHourOf(arrival). */
  readonly deliveryHour: string;
  readonly auth?: AuthFailure;
}

/**
 * CloudWatch Logs event ids are 56 decimal digits; these are the timestamp and
 * a running number, so every id is distinct and ids of one millisecond differ.
 */
function eventId(timestamp: number, sequence: number): string {
  return `${timestamp}${String(sequence).padStart(43, "0")}`;
}

/** Every event of these records, in input order. */
export function eventsOf(records: readonly FixtureRecord[]): FixtureEvent[] {
  let sequence = 0;
  return records.flatMap((record) => {
    const arrival = new Date(at(record.arrival, record.day));
    return record.events.map((event): FixtureEvent => {
      const timestamp = at(event.time, record.day);
      sequence += 1;
      return {
        timestamp,
        message: event.message,
        account: record.account,
        region: REGION_OF_FILTER[record.filter],
        logGroup: record.logGroup,
        logStream: record.logStream,
        id: eventId(timestamp, sequence),
        recordId: record.recordId,
        arrival,
        deliveryHour: deliveryHourOf(arrival),
        ...(event.auth ? { auth: event.auth } : {}),
      };
    });
  });
}

/** Every event of FIXTURE_RECORDS, in input order. */
export const FIXTURE_EVENTS: readonly FixtureEvent[] = eventsOf(FIXTURE_RECORDS);

/** The envelope CloudWatch Logs sends for a record and its events, keys in CloudWatch Logs' order. */
export function envelopeOf(record: FixtureRecord, events: readonly FixtureEvent[]) {
  return {
    messageType: "DATA_MESSAGE",
    owner: record.account,
    logGroup: record.logGroup,
    logStream: record.logStream,
    subscriptionFilters: [FILTERS[record.filter]],
    logEvents: events
      .filter((event) => event.recordId === record.recordId)
      .map((event) => ({ id: event.id, timestamp: event.timestamp, message: event.message })),
  };
}

/** A Kinesis record as Firehose hands it to the processor: the gzip'd envelope, base64. */
export function firehoseRecordOf(
  record: FixtureRecord,
  events: readonly FixtureEvent[],
): { recordId: string; data: string } {
  return {
    recordId: record.recordId,
    data: gzipSync(Buffer.from(JSON.stringify(envelopeOf(record, events)), "utf8")).toString("base64"),
  };
}

/** One object Firehose wrote. */
export interface ArchiveObject {
  /** The S3 key: EVENTS_OBJECT_PREFIX evaluated, then the object name. */
  readonly key: string;
  /** Where it is on disk: `<root>/<key>`. */
  readonly path: string;
  /** Its records, in order; each is one gzip member of the object. */
  readonly recordIds: readonly string[];
  /** Its events, in the order of its lines. */
  readonly events: readonly FixtureEvent[];
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Firehose's object name: `<stream>-<version>-yyyy-MM-dd-HH-mm-ss-<random>`, here a deterministic UUID. */
function objectName(arrival: Date, seed: string): string {
  const stamp = [
    arrival.getUTCFullYear(),
    pad(arrival.getUTCMonth() + 1),
    pad(arrival.getUTCDate()),
    pad(arrival.getUTCHours()),
    pad(arrival.getUTCMinutes()),
    pad(arrival.getUTCSeconds()),
  ].join("-");
  const hex = createHash("sha256").update(seed).digest("hex");
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  return `${DELIVERY_STREAM}-1-${stamp}-${uuid}.ndjson.gz`;
}

/**
 * Writes the archive under `root` (root/events/...): each buffer is one
 * processor invocation; each Ok record goes to the object of its buffer and
 * prefix. Throws if the processor does not return every record Ok.
 */
export function buildArchive(
  root: string,
  records: readonly FixtureRecord[] = FIXTURE_RECORDS,
): ArchiveObject[] {
  const allEvents = eventsOf(records);
  const groups = new Map<string, { prefix: string; arrival: Date; members: Buffer[]; recordIds: string[] }>();
  const buffers = [...new Set(records.map((record) => record.buffer))];
  for (const buffer of buffers) {
    const batch = records.filter((record) => record.buffer === buffer);
    const response = transform({
      invocationId: `buffer-${buffer}`,
      deliveryStreamArn: `arn:aws:firehose:us-east-1:${SECURITY_ACCOUNT}:deliverystream/${DELIVERY_STREAM}`,
      region: "us-east-1",
      records: batch.map((record) => firehoseRecordOf(record, allEvents)),
    });
    for (const [i, result] of response.records.entries()) {
      const record = batch[i];
      if (result.recordId !== record.recordId || result.result !== "Ok")
        throw new Error(`processor returned ${JSON.stringify(result)} for ${record.recordId}`);
      const arrival = new Date(at(record.arrival, record.day));
      const prefix = evaluatePrefix(EVENTS_OBJECT_PREFIX, {
        arrival,
        partitionKeys: { ...result.metadata.partitionKeys },
      });
      const group = `${buffer}\n${prefix}`;
      const entry = groups.get(group) ?? { prefix, arrival, members: [], recordIds: [] };
      entry.members.push(Buffer.from(result.data, "base64"));
      entry.recordIds.push(record.recordId);
      groups.set(group, entry);
    }
  }
  return [...groups.entries()].map(([group, { prefix, arrival, members, recordIds }]) => {
    const key = `${prefix}${objectName(arrival, group)}`;
    const path = join(root, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.concat(members));
    const events = recordIds.flatMap((id) => allEvents.filter((event) => event.recordId === id));
    return { key, path, recordIds, events };
  });
}
