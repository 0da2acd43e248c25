import type { Subprocess } from "bun";

export interface Finished {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/** Runs a command to completion (killing it after `timeoutMs`), optionally feeding stdin. */
export async function run(cmd: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<Finished> {
  const proc = Bun.spawn(cmd, { stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin), stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const exitCode = await proc.exited;
  clearTimeout(timer);
  return { stdout, stderr, exitCode };
}

/** A long-running child whose output is collected as it arrives. */
export interface Running {
  proc: Subprocess;
  out(): string;
  err(): string;
}

export function start(cmd: string[]): Running {
  const proc = Bun.spawn(cmd, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let out = "";
  let err = "";
  void (async () => {
    for await (const c of proc.stdout as ReadableStream<Uint8Array>) out += new TextDecoder().decode(c);
  })();
  void (async () => {
    for await (const c of proc.stderr as ReadableStream<Uint8Array>) err += new TextDecoder().decode(c);
  })();
  return { proc, out: () => out, err: () => err };
}
