import { parseArgs } from "node:util";
import { parseUsers, readUsersFile } from "./auth/credentials.ts";
import { startBroker } from "./index.ts";
import { consoleLog } from "./log.ts";

/** `bun run broker [--host H] [--port N] [--data-dir D] [--partitions N] ...`: the broker as a process. */
const { values } = parseArgs({
  options: {
    host: { type: "string" },
    port: { type: "string" },
    "advertised-host": { type: "string" },
    "advertised-port": { type: "string" },
    "data-dir": { type: "string" },
    partitions: { type: "string" },
    "retention-bytes": { type: "string" },
    "retention-ms": { type: "string" },
    "segment-bytes": { type: "string" },
    "sasl-users-file": { type: "string" },
    "super-users": { type: "string" },
    "allow-everyone-if-no-acl-found": { type: "boolean" },
    quiet: { type: "boolean" },
    help: { type: "boolean" },
  },
});

if (values.help) {
  console.log(
    "usage: bun run broker [--host 127.0.0.1] [--port 9092] [--advertised-host H] [--advertised-port N] [--data-dir DIR]\n" +
      "                      [--partitions 1] [--retention-bytes N] [--retention-ms N] [--segment-bytes N] [--quiet]\n" +
      "                      [--sasl-users-file FILE] [--super-users User:a,User:b] [--allow-everyone-if-no-acl-found]\n" +
      "SASL users (name:password per line) come from --sasl-users-file or BROKER_SASL_USERS (name:password,name:password).",
  );
  process.exit(0);
}

const num = (s: string | undefined) => {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${s}`);
  return n;
};

/** SASL is on when users are given, in a file or in BROKER_SASL_USERS. */
function saslUsers(): Map<string, string> | undefined {
  const file = values["sasl-users-file"];
  const inline = process.env.BROKER_SASL_USERS;
  if (file && inline) throw new Error("give SASL users in --sasl-users-file or BROKER_SASL_USERS, not both");
  if (file) return readUsersFile(file);
  if (inline) return parseUsers(inline, "BROKER_SASL_USERS", true);
  return undefined;
}
const users = saslUsers();
if (!users && (values["super-users"] || values["allow-everyone-if-no-acl-found"])) throw new Error("--super-users and --allow-everyone-if-no-acl-found need SASL users");

const broker = await startBroker({
  host: values.host,
  port: num(values.port),
  advertisedHost: values["advertised-host"],
  advertisedPort: num(values["advertised-port"]),
  dataDir: values["data-dir"],
  defaultPartitions: num(values.partitions),
  retention: { bytes: num(values["retention-bytes"]), ms: num(values["retention-ms"]), segmentBytes: num(values["segment-bytes"]) },
  sasl: users && {
    users,
    superUsers: values["super-users"]?.split(",").map((u) => u.trim()).filter(Boolean),
    allowEveryoneIfNoAclFound: values["allow-everyone-if-no-acl-found"],
  },
  log: consoleLog(!values.quiet),
});
// Child-process tests and scripts wait for this line to learn the port.
console.log(`broker listening on ${broker.address}`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`broker stopping (${signal})`);
  await broker.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
