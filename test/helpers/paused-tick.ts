import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PAUSE_TICK = fileURLToPath(new URL('./pause-tick.mjs', import.meta.url));

/**
 * Runs a tick as its own process (pause-tick.mjs) that stops when `bot` reaches hook point `point`; there
 * `atPause` runs (a node frozen, a master killed…), then the tick goes on. Resolves with its last stdout
 * line (the report), whether it paused, its exit code and its stderr.
 */
export function pausedTick(env: Record<string, string>, point: string, bot: string, atPause: () => Promise<void>): Promise<{ paused: boolean; code: number; report: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PAUSE_TICK, point, bot], { env: { ...process.env, TFCTL_DEBUG: '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let paused = false;
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!paused && out.includes(`paused ${point} ${bot}\n`)) {
        paused = true;
        atPause().then(() => child.stdin.write('go\n'), reject);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ paused, code: code ?? -1, report: out.trim().split('\n').pop() ?? '', stderr }));
  });
}
