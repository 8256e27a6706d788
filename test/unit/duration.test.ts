import { describe, expect, it } from 'vitest';
import { formatDuration, parseBool, parseCount, parseDuration } from '../../src/bots/values.js';
import { botName, redact } from '../../src/bots/bot.js';
import { requireKind } from '../../src/bots/index.js';
import { UsageError } from '../../src/errors.js';

describe('durations', () => {
  it.each([
    ['90s', 90], ['30m', 1800], ['2h', 7200], ['1d', 86400], ['1h30m', 5400], ['15', 900], [' 45S ', 45],
  ])('parses %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', 'm', '10x', '1.5h', '-5m', '0s', 'h1', '30m10', '400d'])('rejects %j with a usage error', (text) => {
    expect(() => parseDuration(text, 'every')).toThrow(UsageError);
  });

  it('formats back the way operators write', () => {
    expect(formatDuration(3600)).toBe('1h');
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(90)).toBe('1m30s');
    expect(parseDuration(formatDuration(93784))).toBe(93784);
    expect(formatDuration(86400)).toBe('1d');
    expect(formatDuration(90061)).toBe('1d1h1m1s');
    expect(formatDuration(7200.4)).toBe('2h');
    expect(formatDuration(0.4)).toBe('0s');
    expect(formatDuration(-5)).toBe('0s');
  });
});

describe('counts and flags', () => {
  it('accepts whole numbers in range only', () => {
    expect(parseCount('3', 'grab', 1, 10)).toBe(3);
    for (const bad of ['0', '11', '2.5', 'x', '-1', '']) expect(() => parseCount(bad, 'grab', 1, 10)).toThrow(/grab/);
  });
  it('reads booleans', () => {
    expect(parseBool('yes', 'paused')).toBe(true);
    expect(parseBool('OFF', 'paused')).toBe(false);
    expect(() => parseBool('maybe', 'paused')).toThrow(UsageError);
  });
});

describe('bot names and roles', () => {
  it('strips a leading @ and keeps the rest', () => {
    expect(botName('@Moscow_bot1')).toBe('Moscow_bot1');
    expect(botName('w1')).toBe('w1');
  });
  it.each(['', '@', 'has space', 'кот', 'a'.repeat(33), 'a-b', '@@x'])('rejects %j', (name) => {
    expect(() => botName(name)).toThrow(/invalid bot name/);
  });
  it('knows the roles', () => {
    expect(requireKind('writer').name).toBe('writer');
    expect(() => requireKind('poster')).toThrow(/unknown role "poster"/);
  });
  it('redacts secrets to set/missing', () => {
    expect(redact({ name: 'x', token: 'T0KEN', secret: undefined })).toEqual({ name: 'x', token: 'set', secret: 'missing' });
  });
});
