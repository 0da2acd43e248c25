export type LogFields = Record<string, unknown>;

/** Where the broker reports what happens; the application passes its own, the default writes to the console. */
export interface BrokerLog {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const line = (level: string, msg: string, fields?: LogFields) => `[broker] ${level} ${msg}${fields ? ` ${JSON.stringify(fields)}` : ""}`;

/** Quiet by default: warnings and errors only; info lines only when asked for. */
export function consoleLog(verbose = false): BrokerLog {
  return {
    info: (msg, fields) => {
      if (verbose) console.log(line("info", msg, fields));
    },
    warn: (msg, fields) => console.warn(line("warn", msg, fields)),
    error: (msg, fields) => console.error(line("error", msg, fields)),
  };
}

export const silentLog: BrokerLog = { info() {}, warn() {}, error() {} };
