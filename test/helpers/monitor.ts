import { Redis } from 'ioredis';

/**
 * Every command a real Redis ran while `fn` ran, each as its words: MONITOR on a second connection,
 * Lua's own commands included. An ECHO marker sent after `fn` says when MONITOR has delivered it all.
 */
export async function commandsRun(url: string, fn: () => Promise<unknown>): Promise<string[][]> {
  const monitor = await new Redis(url).monitor();
  const ask = new Redis(url);
  const seen: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[]) => seen.push(args.map(String)));
  try {
    await fn();
    const marker = `monitor-${Math.random()}`;
    await ask.echo(marker);
    const isMarker = (a: string[]) => a[0]?.toLowerCase() === 'echo' && a[1] === marker;
    const deadline = Date.now() + 5000;
    while (!seen.some(isMarker)) {
      if (Date.now() > deadline) throw new Error('MONITOR did not deliver the marker');
      await new Promise((r) => setTimeout(r, 5));
    }
    return seen.filter((a) => !isMarker(a));
  } finally {
    monitor.disconnect();
    ask.disconnect();
  }
}
