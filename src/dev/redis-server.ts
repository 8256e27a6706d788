import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface PrivateRedis {
  url: string;
  port: number;
  client(): Redis;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a private redis-server on a free port with its own temp dir: never the machine's 6379.
 * The demo and the benchmark use it when REDIS_URL is not set; tests use it for real, no mock.
 */
export async function startRedis(opts: { password?: string } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tfctl-redis-'));
  const auth = opts.password ? ['--requirepass', opts.password] : [];
  const proc: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...auth],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let spawnError: Error | undefined;
  proc.on('error', (err) => (spawnError = err));
  const clients: Redis[] = [];
  const url = `redis://${opts.password ? `:${encodeURIComponent(opts.password)}@` : ''}127.0.0.1:${port}/0`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {}); // refused connections are expected until the server is up
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch (err) {
      if (spawnError) throw new Error(`cannot start redis-server (${spawnError.message}): install it (apt-get install redis-server) or set REDIS_URL`);
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`redis-server did not start on ${port}: ${err}`);
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  clients.push(probe);
  return {
    url,
    port,
    client() {
      const c = new Redis(url);
      c.on('error', () => {}); // after stop() a client may still try to reconnect; that is expected
      clients.push(c);
      return c;
    },
    async flush() {
      await probe.flushall();
    },
    async stop() {
      for (const c of clients) c.disconnect();
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
