/**
 * A counting TCP proxy between a measured process and Redis, for `redis_round_trips_per_writer`.
 *
 * A round trip is a burst of bytes from client to server: a burst begins when the client sends after the
 * server last sent on that connection (or the client's first bytes on it). Pipelined commands, however
 * many, are one burst; each command the client waits for before sending the next is a burst of its own.
 * So the count is what a network between the two would make a tick wait for, whatever the commands are.
 * Bursts are summed over every connection the process opens (its set-up round trips included: they cancel
 * out when two runs are compared, see main.ts). With `keep`, each burst's bytes are kept too, in the order
 * the bursts began, so a test can find the bursts that name a key (`span`).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RoundTripProxy {
  /** redis://127.0.0.1:<port>/<db> for the measured process. */
  url: string;
  /** Client→server bursts since start or the last reset, over every connection. */
  readonly bursts: number;
  /** Connections accepted since start or the last reset. */
  readonly connections: number;
  /** With `keep`: each burst's bytes (latin1), in the order the bursts began; empty otherwise. */
  readonly sent: readonly string[];
  /** With `keep`: the bursts from the first to the last that contain `text`, both counted (0 when none does). */
  span(text: string): number;
  reset(): void;
  close(): Promise<void>;
}

/** Listens on a free port and forwards to `upstream` (a redis:// URL without TLS). */
export async function startRoundTripProxy(upstream: string, opts: { keep?: boolean } = {}): Promise<RoundTripProxy> {
  const target = new URL(upstream);
  const host = target.hostname;
  const port = Number(target.port || 6379);
  let bursts = 0;
  let connections = 0;
  const sent: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    connections++;
    const redis = connect(port, host);
    sockets.add(client).add(redis);
    client.setNoDelay(true);
    redis.setNoDelay(true);
    // Who sent last on this connection: a client write after the server's (or the first) starts a burst.
    let last: 'client' | 'server' | undefined;
    let current = -1;
    client.on('data', (chunk: Buffer) => {
      if (last !== 'client') {
        bursts++;
        if (opts.keep) current = sent.push('') - 1;
      }
      last = 'client';
      if (opts.keep) sent[current] += chunk.toString('latin1');
      redis.write(chunk);
    });
    redis.on('data', (chunk) => {
      last = 'server';
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      redis.destroy();
      sockets.delete(client);
      sockets.delete(redis);
    };
    client.on('close', end).on('error', end);
    redis.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const listen = (server.address() as AddressInfo).port;
  const auth = target.password ? `:${target.password}@` : '';
  return {
    url: `redis://${auth}127.0.0.1:${listen}${target.pathname || '/0'}`,
    get bursts() {
      return bursts;
    },
    get connections() {
      return connections;
    },
    sent,
    span(text) {
      const hits = sent.flatMap((b, i) => (b.includes(text) ? [i] : []));
      return hits.length ? hits[hits.length - 1]! - hits[0]! + 1 : 0;
    },
    reset() {
      bursts = 0;
      connections = 0;
      sent.length = 0;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
