import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The logger loads pino only when a line at its level is written: a quiet tick (cron's, at `warn`, where all
 * went well) never loads it. Run in a child process of the compiled code, so the module cache is its own.
 */
const LOG = new URL('../../dist/log.js', import.meta.url).href;

async function run(level: string, lines: string): Promise<{ loaded: boolean; stderr: string }> {
  const code = `const { openLog } = await import(${JSON.stringify(LOG)});
const { createRequire } = await import('node:module');
const log = await openLog();
${lines}
const cache = createRequire(import.meta.url).cache;
console.log(JSON.stringify({ loaded: Object.keys(cache).some((k) => k.includes('/node_modules/pino/')), info: log.isLevelEnabled('info'), warn: log.isLevelEnabled('warn') }));`;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], { env: { ...process.env, TFCTL_LOG_LEVEL: level } });
  const out = JSON.parse(stdout) as { loaded: boolean; info: boolean; warn: boolean };
  expect(out.warn).toBe(level !== 'error');
  expect(out.info).toBe(level === 'info' || level === 'debug');
  return { loaded: out.loaded, stderr };
}

describe('the logger', () => {
  it('loads pino for the first line written at its level, and not for lines below it', async () => {
    const quiet = await run('warn', `log.info({ bot: 'w' }, 'w: ok'); log.debug({}, 'detail');`);
    expect(quiet).toEqual({ loaded: false, stderr: '' });
    const loud = await run('warn', `log.info({ bot: 'w' }, 'w: ok'); log.warn({ bot: 'w', token: 'secret-token' }, 'w: rate_limited');`);
    expect(loud.loaded).toBe(true);
    const line = JSON.parse(loud.stderr) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'warn', bot: 'w', token: '***', msg: 'w: rate_limited' });
    expect(typeof line.time).toBe('string');
    expect((await run('error', `log.warn({}, 'not written');`)).stderr).toBe('');
  });
});
