import type { Socket, TCPSocketListener } from "bun";
import type { BrokerState } from "./apis/api.ts";
import { Connection } from "./connection.ts";

export interface ServerConfig {
  host: string;
  port: number;
  advertisedHost?: string;
  advertisedPort?: number;
  maxFrameBytes: number;
}

const WILDCARD = new Set(["0.0.0.0", "::", ""]);

/** The TCP listener: one Connection per socket, each failing on its own. */
export class Server {
  private readonly listener: TCPSocketListener<Connection | undefined>;
  private readonly connections = new Set<Connection>();

  constructor(config: ServerConfig, broker: BrokerState) {
    this.listener = Bun.listen<Connection | undefined>({
      hostname: config.host,
      port: config.port,
      data: undefined,
      socket: {
        open: (socket: Socket<Connection | undefined>) => {
          socket.setNoDelay(true);
          const host = config.advertisedHost ?? (WILDCARD.has(config.host) ? socket.localAddress : config.host);
          const advertised = { host, port: config.advertisedPort ?? this.port };
          const conn = new Connection(socket, broker, advertised, config.maxFrameBytes, (c) => this.connections.delete(c));
          this.connections.add(conn);
          socket.data = conn;
        },
        data: (socket, data) => socket.data?.receive(data),
        drain: (socket) => socket.data?.drain(),
        close: (socket) => socket.data?.close(),
        error: (socket, error) => {
          broker.log.warn("socket error", { remote: socket.remoteAddress, error: error.message });
          socket.data?.close();
        },
      },
    });
  }

  get port(): number {
    return this.listener.port;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  close(): void {
    for (const c of [...this.connections]) c.close();
    this.listener.stop(true);
  }
}
