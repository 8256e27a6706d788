import { describe, expect, it } from 'vitest';
import { checkBotHash } from '../../src/bots/check.js';

describe('checkBotHash (the kinds\' schemas applied to a stored bot, for import)', () => {
  it('accepts what create writes', async () => {
    expect(await checkBotHash('r1', { role: 'reader', every_s: '3600', paused: '0', created_at: '1', next_due_at: '1' })).toEqual([]);
    expect(await checkBotHash('w1', { role: 'writer', reader: 'r1', template: '{noun:gent} нет', every_s: '90', per_tick: '2', grab: '3', paused: '1', token: 't', secret: 's' })).toEqual([]);
  });

  it('names what is wrong: role, a missing required setting, values their types refuse', async () => {
    expect(await checkBotHash('x', { every_s: '60' })).toEqual(['bot "x" has no role']);
    expect(await checkBotHash('x', { role: 'poster' })).toEqual(['bot "x" has an unknown role "poster"']);
    const problems = await checkBotHash('w1', { role: 'writer', template: '{noun:gentt}', every_s: '0', per_tick: '99', grab: '3' });
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/invalid every/);
    expect(problems[1]).toBe('writer "w1" has no source');
    expect(problems[2]).toMatch(/gentt/);
    expect(problems[3]).toMatch(/invalid per-tick "99"/);
  });
});
