import type { Subprocess } from "bun";

export interface BrokerProcess {
  address: string;
  pid: number;
  proc: Subprocess;
  /** Resident set size of the broker process in bytes (Linux /proc). */
  rss(): Promise<number>;
  /** CPU time (user + system) the broker process has used so far, in ms. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

const cli = new URL("../../src/kafka/broker/cli.ts", import.meta.url).pathname;

/** Runs the standalone broker in its own process and waits for its "listening" line. */
export async function spawnBroker(args: string[] = []): Promise<BrokerProcess> {
  const proc = Bun.spawn([process.execPath, cli, "--port", "0", "--quiet", ...args], { stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  let text = "";
  const deadline = Date.now() + 15_000;
  while (!/listening on (\S+)/.test(text)) {
    if (Date.now() > deadline) throw new Error(`broker did not start: ${text}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`broker exited: ${text}`);
    text += new TextDecoder().decode(value);
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  void (async () => {
    for (;;) if ((await reader.read()).done) break;
  })();
  const address = /listening on (\S+)/.exec(text)![1]!;
  return {
    address,
    pid: proc.pid,
    proc,
    async rss() {
      const status = await Bun.file(`/proc/${proc.pid}/status`).text();
      return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
    },
    async cpuMs() {
      const stat = await Bun.file(`/proc/${proc.pid}/stat`).text();
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
    },
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}
