import { Redis } from 'ioredis';
import { slotOf } from '../../src/store/slots.js';

/**
 * Watches everything a real Redis runs (MONITOR) and finds what Redis Cluster would refuse or what would
 * break there: a script whose declared keys, or the keys its own commands touch, span two slots; a
 * MULTI … EXEC whose commands do; any multi-key command that does. Each command's keys are Redis's own
 * answer (COMMAND GETKEYS), not a list kept here. No mock: the farm talks to an ordinary redis-server and
 * this watches it from a second connection.
 */
export interface SlotWatch {
  /** What crossed slots since the watch began (or since the last call), each as the commands involved. */
  crossings(): Promise<string[]>;
  /** How many scripts, transactions and commands were looked at since the watch began. */
  seen(): { scripts: number; transactions: number; commands: number };
  stop(): Promise<void>;
}

type Seen = { source: string; args: string[] };

export async function watchSlots(url: string, opts: { allow?: (script: string[]) => boolean } = {}): Promise<SlotWatch> {
  const monitor = await new Redis(url).monitor();
  const ask = new Redis(url);
  let log: Seen[] = [];
  const counts = { scripts: 0, transactions: 0, commands: 0 };
  monitor.on('monitor', (_time: string, args: string[], source: string) => log.push({ source, args }));
  // MONITOR delivers what Redis ran a little after it ran: a marker command shows when all has come.
  const settle = async () => {
    const marker = `slot-watch-${Math.random()}`;
    await ask.echo(marker);
    const deadline = Date.now() + 5000;
    while (!log.some((e) => e.args[0]?.toLowerCase() === 'echo' && e.args[1] === marker)) {
      if (Date.now() > deadline) throw new Error('MONITOR did not deliver the marker');
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const keysOf = async (entries: Seen[]): Promise<string[][]> => {
    const pipe = ask.pipeline();
    for (const e of entries) pipe.call('COMMAND', 'GETKEYS', ...e.args);
    // A command without keys answers with an error: it has none.
    return ((await pipe.exec()) ?? []).map(([err, keys]) => (err ? [] : (keys as string[])));
  };
  const ours = (e: Seen) => !(e.args[0]?.toLowerCase() === 'echo' && String(e.args[1]).startsWith('slot-watch-')) && !/^command$/i.test(e.args[0] ?? '');
  return {
    async crossings() {
      await settle();
      const entries = log.filter(ours);
      log = [];
      const keys = await keysOf(entries);
      const found: string[] = [];
      const check = (group: number[], what: string) => {
        const slots = new Set(group.flatMap((i) => keys[i]!.map(slotOf)));
        if (slots.size > 1) found.push(`${what}: ${group.map((i) => `${entries[i]!.source === 'lua' ? '  lua ' : ''}${entries[i]!.args.slice(0, 8).join(' ').slice(0, 200)}`).join('\n')}`);
      };
      // Per client: a transaction is its commands from MULTI to EXEC (logged together when it runs).
      const open = new Map<string, number[]>();
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        const name = e.args[0]!.toLowerCase();
        if (e.source === 'lua') continue; // taken with its script below
        counts.commands++;
        if (/^(eval|evalsha|eval_ro|evalsha_ro|fcall|fcall_ro)$/.test(name)) {
          counts.scripts++;
          const group = [i];
          for (let j = i + 1; j < entries.length && entries[j]!.source === 'lua'; j++) group.push(j);
          if (!opts.allow?.(e.args)) check(group, 'script');
          continue;
        }
        if (name === 'multi') {
          open.set(e.source, []);
          continue;
        }
        const tx = open.get(e.source);
        if (name === 'exec' || name === 'discard') {
          if (tx) {
            counts.transactions++;
            check(tx, 'MULTI');
          }
          open.delete(e.source);
          continue;
        }
        if (tx) tx.push(i);
        else check([i], 'command');
      }
      return found;
    },
    seen: () => ({ ...counts }),
    async stop() {
      monitor.disconnect();
      ask.disconnect();
    },
  };
}
