import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, tfctl } from '../helpers/cli.js';

/** Starts `tfctl sandbox …`, resolves with its stdout lines so far once the first one arrives. */
function startCli(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'sandbox', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const first = new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (l) => {
      lines.push(l);
      if (lines.length === 1) resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, first, exited };
}

describe('tfctl sandbox', () => {
  it('prints the listening line first, serves, and exits 0 on SIGTERM, saving --state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfctl-sb-'));
    const stateFile = join(dir, 'state.json');
    try {
      const run = startCli(['--port', '0', '--tier', 'free', '--state', stateFile]);
      const line = await run.first;
      const m = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
      expect(m).not.toBeNull();
      const url = m![1]!;
      const app = (await (await fetch(`${url}/sandbox/app`)).json()) as { consumer_key: string };
      expect(app.consumer_key).toHaveLength(25);
      const acc = (await (await fetch(`${url}/sandbox/accounts`, { method: 'POST', body: '{"username":"e2e_bot"}' })).json()) as { token: string };
      expect(acc.token).toMatch(/^\d+-/);
      expect((await fetch(`${url}/2/users/me`)).status).toBe(401);
      await new Promise((r) => setTimeout(r, 50));
      expect(run.lines.join('\n')).toContain(`TFCTL_CONSUMER_KEY=${app.consumer_key}`);
      expect(run.lines.join('\n')).toContain('owner');
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { accounts: Array<{ username: string }>; tweets: unknown[] };
      expect(saved.accounts.map((a) => a.username)).toContain('e2e_bot');
      expect(saved.tweets.length).toBeGreaterThanOrEqual(300);

      // a restart from the state file keeps the account and its tokens
      const again = startCli(['--port', '0', '--state', stateFile, '--no-seed']);
      const url2 = /(http:\/\/\S+)$/.exec(await again.first)![1]!;
      const same = (await (await fetch(`${url2}/sandbox/accounts`, { method: 'POST', body: '{"username":"e2e_bot"}' })).json()) as { token: string };
      expect(same.token).toBe(acc.token);
      again.child.kill('SIGINT');
      expect(await again.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad --tier or --port is a usage error (exit 2)', async () => {
    const tier = await tfctl(['sandbox', '--tier', 'gold']);
    expect(tier.code).toBe(2);
    expect(tier.stderr).toMatch(/invalid --tier: gold/);
    expect(tier.stdout).toBe('');
    const port = await tfctl(['sandbox', '--port', '70000']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/invalid --port/);
  });
});
