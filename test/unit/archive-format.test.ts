import { describe, expect, it } from 'vitest';
import { hashTag, parseManifest, parseRecord, restoreCommands, type KeyRecord } from '../../src/archive/format.js';
import { compareStreamIds } from '../../src/store/stream-id.js';
import { UsageError } from '../../src/errors.js';

const line = (o: unknown) => JSON.stringify(o);

describe('archive records', () => {
  it('accepts every type tfctl writes', () => {
    for (const rec of [
      { key: 'tf:x', type: 'string', value: 'v', ttl_ms: 5 },
      { key: 'tf:bot:{a}', type: 'hash', value: { role: 'reader' } },
      { key: 'tf:bots', type: 'set', value: ['a'] },
      { key: 'tf:z', type: 'zset', value: [['m', '1.5'], ['n', '-inf']] },
      { key: 'tf:{a}:posts', type: 'list', value: ['{}'] },
      { key: 'tf:{a}:timeline', type: 'stream', value: { entries: [['1-0', ['id', '1']]], last_id: '1-0', groups: [] } },
    ]) expect(parseRecord(line(rec), 'l')).toEqual(rec);
  });

  it.each([
    ['{', /not valid JSON/],
    [line([1]), /not a JSON object/],
    [line({ key: 'tf:x', type: 'blob', value: 'v' }), /unknown type "blob"/],
    [line({ key: 'tf:x', type: 'string', value: 1 }), /must be a string/],
    [line({ key: 'tf:x', type: 'string', value: 'v', ttl_ms: -1 }), /ttl_ms/],
    [line({ key: 'tf:x', type: 'string', value: 'v', extra: 1 }), /unknown field "extra"/],
    [line({ key: 'tf:x', type: 'hash', value: { a: 1 } }), /object of strings/],
    [line({ key: 'tf:x', type: 'zset', value: [['m', 'abc']] }), /\[member, score\]/],
    [line({ key: 'tf:s', type: 'stream', value: { entries: [['2-0', ['a', 'b']], ['1-0', ['a', 'b']]], last_id: '2-0', groups: [] } }), /must increase/],
    [line({ key: 'tf:s', type: 'stream', value: { entries: [['2-0', ['a']]], last_id: '2-0', groups: [] } }), /\[id, \[field, value/],
    [line({ key: 'tf:s', type: 'stream', value: { entries: [['2-0', ['a', 'b']]], last_id: '1-0', groups: [] } }), /older than its newest entry/],
    [line({ key: 'tf:s', type: 'stream', value: { entries: [], last_id: '1-0', groups: [{ name: 'g', last_delivered_id: '5-0', consumers: [], pending: [] }] } }), /no newer than the stream's last_id/],
    [line({ key: 'tf:s', type: 'stream', value: { entries: [], last_id: '1-0', groups: [{ name: 'g', last_delivered_id: '1-0', consumers: [], pending: [] }, { name: 'g', last_delivered_id: '1-0', consumers: [], pending: [] }] } }), /appears twice/],
  ])('refuses %s', (text, message) => {
    expect(() => parseRecord(text, 'keys.jsonl line 3')).toThrow(UsageError);
    expect(() => parseRecord(text, 'keys.jsonl line 3')).toThrow(message);
  });
});

describe('manifest', () => {
  const m = { format: 'tfctl-farm', format_version: 1, prefix: 'tf', secrets: true, counts: { keys: 0 }, files: { 'keys.jsonl': { sha256: 'a'.repeat(64), bytes: 0 } } };
  it('accepts version 1 and refuses others, and foreign formats', () => {
    expect(parseManifest(JSON.stringify(m)).prefix).toBe('tf');
    expect(() => parseManifest(JSON.stringify({ ...m, format_version: 2 }))).toThrow(/unsupported archive format_version 2/);
    expect(() => parseManifest(JSON.stringify({ ...m, format_version: '1' }))).toThrow(/unsupported archive format_version "1"/);
    expect(() => parseManifest(JSON.stringify({ ...m, format: 'x' }))).toThrow(/not a tfctl farm archive/);
    expect(() => parseManifest(JSON.stringify({ ...m, prefix: 'a*' }))).toThrow(/prefix/);
    expect(() => parseManifest(JSON.stringify({ ...m, files: {} }))).toThrow(/keys.jsonl is not listed/);
  });
});

describe('restore commands', () => {
  it('puts stream entries back under their ids, then groups, consumers, pending entries and counters', () => {
    const rec: KeyRecord = {
      key: 'tf:{r}:timeline', type: 'stream', ttl_ms: 1000,
      value: {
        entries: [['1-0', ['a', '1']], ['3-0', ['a', '3']]], last_id: '4-0', entries_added: 4, max_deleted_id: '2-0',
        groups: [{ name: 'w', last_delivered_id: '3-0', entries_read: 3, consumers: ['w'], pending: [{ id: '2-0', consumer: 'w', deliveries: 2 }, { id: '3-0', consumer: 'w', deliveries: 1 }] }],
      },
    };
    expect(restoreCommands(rec, 'new:{r}:timeline', 7)).toEqual([
      ['XADD', 'new:{r}:timeline', '1-0', 'a', '1'],
      ['XADD', 'new:{r}:timeline', '2-0', 'tfctl-import', 'placeholder'], // pending, but trimmed from the stream
      ['XADD', 'new:{r}:timeline', '3-0', 'a', '3'],
      ['XGROUP', 'CREATE', 'new:{r}:timeline', 'w', '3-0', 'ENTRIESREAD', 3],
      ['XGROUP', 'CREATECONSUMER', 'new:{r}:timeline', 'w', 'w'],
      ['XCLAIM', 'new:{r}:timeline', 'w', 'w', 0, '2-0', 'RETRYCOUNT', 2, 'FORCE', 'JUSTID'],
      ['XCLAIM', 'new:{r}:timeline', 'w', 'w', 0, '3-0', 'RETRYCOUNT', 1, 'FORCE', 'JUSTID'],
      ['XDEL', 'new:{r}:timeline', '2-0'],
      ['XSETID', 'new:{r}:timeline', '4-0', 'ENTRIESADDED', 4, 'MAXDELETEDID', '2-0'],
      ['PEXPIRE', 'new:{r}:timeline', 1000],
    ]);
    // Redis 6 knows neither ENTRIESREAD nor ENTRIESADDED.
    const six = restoreCommands(rec, 'k', 6).map((c) => c.join(' '));
    expect(six.join('\n')).not.toMatch(/ENTRIES/);
  });

  it('makes an empty stream through a scaffold group', () => {
    const cmds = restoreCommands({ key: 'k', type: 'stream', value: { entries: [], last_id: '0-0', groups: [] } }, 'k', 7);
    expect(cmds[0]).toEqual(['XGROUP', 'CREATE', 'k', 'tfctl-import-scaffold', '0', 'MKSTREAM']);
    expect(cmds[1]).toEqual(['XGROUP', 'DESTROY', 'k', 'tfctl-import-scaffold']);
  });
});

describe('helpers', () => {
  it('finds the hash tag and orders stream ids numerically', () => {
    expect(hashTag('tf:bot:{w1}')).toBe('w1');
    expect(hashTag('tf:{r}:timeline')).toBe('r');
    expect(hashTag('tf:bots')).toBeUndefined();
    expect(hashTag('tf:{}:x')).toBeUndefined();
    expect(compareStreamIds('10-0', '9-0')).toBe(1);
    expect(compareStreamIds('1700000000000-2', '1700000000000-10')).toBe(-1);
    expect(compareStreamIds('5-5', '5-5')).toBe(0);
  });
});
