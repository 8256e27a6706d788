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
  /** Stops the server (SIGTERM: it writes its append-only file) and starts it again on the same port and data. */
  restart(downMs?: number): Promise<void>;
  client(): Redis;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a private redis-server on a free port with its own temp dir: never the machine's 6379.
 * The demo and the benchmark use it when REDIS_URL is not set; tests use it for real, no mock.
 */
export async function startRedis(opts: { password?: string; persistent?: boolean } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tfctl-redis-'));
  const auth = opts.password ? ['--requirepass', opts.password] : [];
  // Persistent: every write is in the append-only file before Redis answers, so a restart loses nothing.
  const persistence = opts.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const spawnServer = (): ChildProcess => {
    const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...persistence, '--daemonize', 'no', ...auth], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    p.on('error', (err) => (spawnError = err));
    return p;
  };
  let spawnError: Error | undefined;
  let proc = spawnServer();
  const clients: Redis[] = [];
  const url = `redis://${opts.password ? `:${encodeURIComponent(opts.password)}@` : ''}127.0.0.1:${port}/0`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {}); // refused connections are expected until the server is up
  const waitUp = async () => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        if (probe.status !== 'ready') await probe.connect();
        await probe.ping();
        return;
      } catch (err) {
        if (spawnError) throw new Error(`cannot start redis-server (${spawnError.message}): install it (apt-get install redis-server) or set REDIS_URL`);
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`redis-server did not start on ${port}: ${err}`);
        probe.disconnect();
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const stopServer = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r(null) : proc.once('exit', r)));
  };
  await waitUp();
  clients.push(probe);
  return {
    url,
    port,
    async restart(downMs = 0) {
      await stopServer();
      probe.disconnect();
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      proc = spawnServer();
      await waitUp();
    },
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
      await stopServer();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
