import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { add } from '../../src/cli/commands/drafts.js';
import { runCli } from '../helpers/inproc.js';
import { bufferIo } from '../helpers/io.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';

let redis: PrivateRedis;
let config: Config;

beforeAll(async () => {
  redis = await startRedis();
  config = { ...loadConfig({}), redisUrl: redis.url, prefix: 'drafts' };
});
afterAll(async () => redis?.stop());

const cli = (args: string[]) => runCli(args, config);
const texts = async (name: string, all = false) =>
  (JSON.parse((await cli(['drafts', 'list', name, '--json', ...(all ? ['--all'] : [])])).stdout) as Array<{ id: string; text: string; position: number | null }>).map((d) => `${d.id}:${d.text}`);

describe('tfctl drafts', () => {
  it('adds from stdin, moves, removes and exports, and refuses bots without drafts', async () => {
    expect((await cli(['create', 'q', 'scheduler', '--every', '8h'])).code).toBe(0);
    const io = bufferIo();
    await add({ name: 'q', sources: ['-'], stdin: async () => 'один\nдва\n# comment\nтри, "в кавычках"\n' }, io, config);
    expect(io.stdout).toBe('added 3 draft(s) to q\n');
    expect(await texts('q')).toEqual(['1:один', '2:два', '3:три, "в кавычках"']);

    expect((await cli(['drafts', 'move', 'q', '3', '--to', '1'])).stdout).toBe("draft 3 is now number 1 in q's queue\n");
    expect(await texts('q')).toEqual(['3:три, "в кавычках"', '1:один', '2:два']);
    expect((await cli(['drafts', 'move', 'q', '1', '--to', '99'])).stdout).toMatch(/number 3/);
    expect((await cli(['drafts', 'move', 'q', '42', '--to', '1'])).code).toBe(2);
    expect((await cli(['drafts', 'move', 'q', '1', '--to', 'x'])).code).toBe(2);

    const rm = await cli(['drafts', 'rm', 'q', '2', '9']);
    expect(rm.code).toBe(0);
    expect(rm.stderr).toBe('no draft 9 in q\n');
    expect(await texts('q')).toEqual(['3:три, "в кавычках"', '1:один']);
    // A removed draft may be added again: it is no duplicate any more.
    const again = bufferIo();
    await add({ name: 'q', sources: ['-'], stdin: async () => 'два\nодин\n' }, again, config);
    expect(again.stderr).toBe('-:2: duplicate of draft 1 (skipped)\n');
    expect(await texts('q')).toEqual(['3:три, "в кавычках"', '1:один', '4:два']);

    expect((await cli(['drafts', 'export', 'q'])).stdout).toBe('три, "в кавычках"\n---\nодин\n---\nдва\n');
    const csv = (await cli(['drafts', 'export', 'q', '--csv'])).stdout.split('\n');
    expect(csv[0]).toBe('id,status,position,uses,added_at,last_posted_at,text');
    expect(csv[1]).toMatch(/^3,queued,1,0,\d{4}-\d\d-\d\dT[^,]+,,"три, ""в кавычках"""$/);

    const show = await cli(['show', 'q']);
    expect(show.stdout).toContain('queue: 3 draft(s)');
    expect(show.stdout).toContain('posted today: 0');
    expect(show.stdout).toContain('  1. [3] три, "в кавычках"');
    const row = (JSON.parse((await cli(['list', '--json'])).stdout) as Array<Record<string, unknown>>).find((b) => b.name === 'q')!;
    expect(row).toMatchObject({ queue_length: 3, posted_today: 0 });
    expect(Date.parse(row.next_post_at as string)).toBeGreaterThan(0);
    expect((await cli(['list'])).stdout).toMatch(/3 drafts queued, next post \d{4}-/);
    expect((await cli(['set', 'q', 'hashtags=#пятница'])).code).toBe(0);
    expect((await cli(['preview', 'q'])).stdout).toBe('[3] три, "в кавычках" #пятница\n');

    expect((await cli(['create', 'r', 'reader'])).code).toBe(0);
    const wrong = await cli(['drafts', 'list', 'r']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/r is a reader, which has no drafts/);
    expect((await cli(['drafts', 'add', 'q', '/nonexistent/file.txt'])).code).toBe(1);
    // destroy removes the queue with the bot
    expect((await cli(['destroy', 'q', '--yes'])).code).toBe(0);
    const left = await redis.client().keys('drafts:{q}:*');
    expect(left).toEqual([]);
  });
});
