import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP receiver for webhook tests: records every JSON body it acknowledged; can be stopped and restarted on its port. */
export interface Receiver {
  url: string;
  /** bodies it answered 2xx to, in arrival order */
  got: Array<Record<string, unknown>>;
  /** event ids from the X-Tfctl-Event-Id header, in arrival order */
  ids: string[];
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  let server: Server | undefined;
  let port = 0;
  const r: Receiver = {
    url: '',
    got: [],
    ids: [],
    async start() {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          r.got.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
          r.ids.push(String(req.headers['x-tfctl-event-id'] ?? ''));
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, '127.0.0.1', () => resolve());
      });
      port = (server.address() as AddressInfo).port;
      r.url = `http://127.0.0.1:${port}/hook`;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await r.start();
  return r;
}
