import type { Subprocess } from "bun";

const CLI = new URL("../../../../src/kafka/broker/cli.ts", import.meta.url).pathname;

export interface BrokerChild {
  address: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
}

/** Starts `bun cli.ts` with the given arguments and waits for its "listening on" line. */
export async function spawnBrokerProcess(args: string[]): Promise<BrokerChild> {
  const proc = Bun.spawn([process.execPath, CLI, "--port", "0", "--quiet", ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const reader = proc.stdout.getReader();
  let text = "";
  while (!/listening on \S+/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`broker exited before listening: ${text}${await new Response(proc.stderr).text()}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  void proc.stdout.pipeTo(new WritableStream());
  return { address: /listening on (\S+)/.exec(text)![1]!, proc };
}
