import { parseArgs } from "node:util";
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
    quiet: { type: "boolean" },
    help: { type: "boolean" },
  },
});

if (values.help) {
  console.log("usage: bun run broker [--host 127.0.0.1] [--port 9092] [--advertised-host H] [--advertised-port N] [--data-dir DIR]\n" + "                      [--partitions 1] [--retention-bytes N] [--retention-ms N] [--segment-bytes N] [--quiet]");
  process.exit(0);
}

const num = (s: string | undefined) => {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${s}`);
  return n;
};

const broker = await startBroker({
  host: values.host,
  port: num(values.port),
  advertisedHost: values["advertised-host"],
  advertisedPort: num(values["advertised-port"]),
  dataDir: values["data-dir"],
  defaultPartitions: num(values.partitions),
  retention: { bytes: num(values["retention-bytes"]), ms: num(values["retention-ms"]), segmentBytes: num(values["segment-bytes"]) },
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
