import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of Redis that sees round trips: on each connection, a burst is what the client
 * sends before Redis answers anything of it. Commands sent together (auto-pipelined) are one burst; a
 * command that waits for an answer starts the next. Each burst keeps the bytes sent, so a test can find
 * the bursts that name a key.
 */
export class RoundTripProxy {
  readonly bursts: string[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(target: { host: string; port: number }): Promise<RoundTripProxy> {
    let proxy!: RoundTripProxy;
    const server = createServer((client) => {
      const upstream = connect(target.port, target.host);
      proxy.sockets.add(client).add(upstream);
      // A new burst begins with the first bytes after an answer (or the first bytes of all).
      let answered = true;
      let current = -1;
      client.on('data', (d) => {
        if (answered) {
          current = proxy.bursts.push('') - 1;
          answered = false;
        }
        proxy.bursts[current] += d.toString('latin1');
        upstream.write(d);
      });
      upstream.on('data', (d) => {
        answered = true;
        client.write(d);
      });
      const close = () => (client.destroy(), upstream.destroy());
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    proxy = new RoundTripProxy(server, `redis://127.0.0.1:${port}`);
    return proxy;
  }

  /** Bursts from the first to the last that contain `text`, both counted (0 when none does). */
  span(text: string): number {
    const hits = this.bursts.flatMap((b, i) => (b.includes(text) ? [i] : []));
    return hits.length ? hits[hits.length - 1]! - hits[0]! + 1 : 0;
  }

  reset(): void {
    this.bursts.length = 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
