import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/dev/redis-server.js';

export interface PrivateInflux {
  /** Base URL, e.g. http://127.0.0.1:PORT (append /database for tfctl). */
  url: string;
  /** Runs an InfluxQL statement against a database and returns the raw JSON reply. */
  query(q: string, db?: string): Promise<InfluxReply>;
  stop(): Promise<void>;
}

export interface InfluxReply {
  results: Array<{ statement_id: number; error?: string; series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }> }>;
  error?: string;
}

export const INFLUXD = ['/usr/bin/influxd', '/usr/sbin/influxd'].find((p) => existsSync(p));

/**
 * Starts a private influxd (InfluxDB 1.x) on free ports with its own temp config and data dirs, so a
 * test never touches the machine's InfluxDB. Everything but the HTTP API is switched off.
 */
export async function startInflux(): Promise<PrivateInflux> {
  if (!INFLUXD) throw new Error('influxd not found: install InfluxDB 1.x (apt-get install influxdb)');
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'tfctl-influx-'));
  const config = join(dir, 'influxdb.conf');
  writeFileSync(
    config,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${dir}/meta"`,
      '[data]',
      `  dir = "${dir}/data"`,
      `  wal-dir = "${dir}/wal"`,
      '  query-log-enabled = false',
      '[http]',
      '  enabled = true',
      `  bind-address = "127.0.0.1:${httpPort}"`,
      '  log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[continuous_queries]',
      '  enabled = false',
      '[logging]',
      '  level = "warn"',
      '',
    ].join('\n'),
  );
  const proc: ChildProcess = spawn(INFLUXD, ['run', '-config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/ping`);
      if (res.status === 204) break;
    } catch {
      // not listening yet
    }
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`influxd did not start on ${httpPort}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async query(q, db) {
      const params = new URLSearchParams({ q });
      if (db) params.set('db', db);
      const res = await fetch(`${url}/query?${params}`, { method: 'POST' });
      return (await res.json()) as InfluxReply;
    },
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => (proc.kill('SIGKILL'), r(null)), 5000);
          proc.once('exit', () => (clearTimeout(t), r(null)));
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
