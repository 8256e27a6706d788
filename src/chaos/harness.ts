/**
 * The fault harness: real `tfctl tick` processes against a real Redis and the X API sandbox, with the
 * fault proxy between them, for N seeded rounds. Each round the author tweets, one fault is applied
 * (an X fault through the proxy, a kill -9 of the tick at a random moment or at a failpoint, Redis
 * paused or restarted mid-tick), and the tick runs. The farm is then settled with clean ticks and the
 * invariants are checked against the sandbox's own record of what each account posted.
 *
 * The world is rebuilt every few rounds (an epoch: new accounts, a new farm prefix), so every round
 * has fresh nouns to post and a text can only repeat because the farm repeated it.
 */
import { spawn } from 'node:child_process';
import type { RedisClient } from '../store/client.js';
import { startRedis, type PrivateRedis } from '../dev/redis-server.js';
import { SandboxAdmin, type SandboxAccount } from '../sandbox/admin-client.js';
import { startSandbox, type Sandbox } from '../sandbox/server.js';
import { loadMorph } from '../text/morph.js';
import { extractNouns } from '../text/nouns.js';
import { parseTemplate, renderTemplate } from '../text/template.js';
import { fitsTweet } from '../text/weight.js';
import { FaultProxy, type FaultKind } from './proxy.js';

export const FAULTS = [
  'none',
  'post-5xx-after-create',
  'post-truncated',
  'post-empty-body',
  'post-reset-after-create',
  'post-reset-before',
  'get-5xx',
  'get-reset',
  'rate-429',
  'delay',
  'kill-random',
  'kill-failpoint',
  'redis-pause',
  'redis-restart',
] as const;
export type Fault = (typeof FAULTS)[number];

/** Where a tick may be told to kill itself (TFCTL_FAILPOINT=name[:nth]). */
export const FAILPOINTS = ['before-post', 'after-post', 'after-record', 'before-ack', 'before-finish'] as const;

export interface FaultCounts {
  rounds: number;
  lost: number;
  posted_twice: number;
  resent_posts: number;
  crashed_ticks: number;
}

export interface ChaosSummary extends FaultCounts {
  seed: number;
  /** POSTs the proxy forwarded, and the tweets the author wrote */
  posts_forwarded: number;
  tweets: number;
  /** texts on an account that no tweet should have given */
  unexpected: number;
  /** tweets still unprocessed or intents still open after the settling ticks */
  unsettled: number;
  /** lock keys found without a TTL or alive past it */
  locks_past_ttl: number;
  /** intents older than one tick after settling */
  stale_intents: number;
  by_fault: Record<string, FaultCounts>;
  /** one line per broken invariant, for the reader of the summary */
  violations: string[];
}

export interface ChaosOptions {
  rounds: number;
  seed?: number;
  /** the tfctl executable (bin/tfctl, which runs dist/) */
  bin: string;
  /** progress lines (stderr in `npm run chaos`) */
  log?: (line: string) => void;
}

const WRITERS = [
  { name: 'w_gent', template: 'Жизнь без {noun:gent,plur} не та.' },
  { name: 'w_loct', template: 'Всю ночь думал о {noun:loct}.' },
  { name: 'w_nomn', template: '%s – это когда тебя любят.' },
];
/** Short for the harness: a killed tick's locks lapse quickly, and the in-flight window stays short. */
const LOCK_TTL_MS = 3000;
const X_TIMEOUT_MS = 2000;
/** Clean ticks at most after an epoch's rounds: per-tick 3 at a time, more than an epoch's tweets. */
const SETTLE_TICKS = 30;
const TWEETS_PER_ROUND = 2;
const MAX_ROUNDS_PER_EPOCH = 25;

// Concrete everyday nouns; the harness keeps those every template turns into exactly one text.
const NOUNS = (
  'кошка книга собака лампа чашка ложка вилка тарелка стол стул окно дверь крыша стена машина дорога река озеро гора ' +
  'поле цветок дерево трава птица рыба лошадь корова коза овца мышь белка лиса волк медведь заяц яблоко груша слива ' +
  'вишня малина клубника морковь капуста свёкла огурец помидор хлеб сыр масло молоко сметана каша суп пирог торт ' +
  'конфета печенье шоколад чайник кастрюля сковорода холодильник плита диван кресло кровать подушка одеяло ковёр ' +
  'полка зеркало картина телефон компьютер планшет гитара скрипка барабан песня музыка театр музей библиотека школа ' +
  'больница аптека магазин рынок вокзал самолёт поезд автобус трамвай велосипед лодка корабль зонт шапка шарф куртка ' +
  'ботинок носок перчатка сумка рюкзак ключ письмо газета журнал тетрадь ручка карандаш бабочка жираф слон тигр ' +
  'лягушка черепаха улитка пчела муравей арбуз дыня лимон апельсин банан виноград орех гриб ромашка роза тюльпан'
).split(' ');

/** A small seeded PRNG (mulberry32): the same seed gives the same rounds. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const zero = (): FaultCounts => ({ rounds: 0, lost: 0, posted_twice: 0, resent_posts: 0, crashed_ticks: 0 });

interface TickRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Nouns that each writer's template turns into exactly one text, with those texts. */
async function usableNouns(): Promise<Array<{ noun: string; texts: string[] }>> {
  await loadMorph();
  const templates = WRITERS.map((w) => parseTemplate(w.template));
  const out: Array<{ noun: string; texts: string[] }> = [];
  for (const noun of NOUNS) {
    const found = extractNouns(tweetOf(noun));
    if (found.length !== 1) continue;
    const texts = templates.map((t) => renderTemplate(t, found[0]!));
    if (texts.every((t): t is string => !!t && fitsTweet(t))) out.push({ noun, texts });
  }
  return out;
}

const tweetOf = (noun: string) => `Вот это ${noun}!`;
const BARREN = ['Ну и ну!', 'Вот это да!', 'Ого.'];

export async function runChaos(opts: ChaosOptions): Promise<ChaosSummary> {
  const seed = opts.seed ?? 1;
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const between = (lo: number, hi: number) => Math.floor(lo + rnd() * (hi - lo));
  const log = opts.log ?? (() => {});

  const nouns = await usableNouns();
  const perEpoch = Math.min(MAX_ROUNDS_PER_EPOCH, Math.floor(nouns.length / TWEETS_PER_ROUND));
  const redis: PrivateRedis = await startRedis({ persistent: true });
  const sandbox: Sandbox = await startSandbox({ seed: false, tier: 'pro' });
  const proxy = await FaultProxy.start(sandbox.url);
  const admin = new SandboxAdmin(sandbox.url);
  const app = await admin.app();
  const probe: RedisClient = redis.client();

  const summary: ChaosSummary = {
    ...zero(), seed, posts_forwarded: 0, tweets: 0, unexpected: 0, unsettled: 0, locks_past_ttl: 0, stale_intents: 0, by_fault: {}, violations: [],
  };
  const count = (fault: string, key: keyof FaultCounts, n = 1) => {
    const c = (summary.by_fault[fault] ??= zero());
    c[key] += n;
    summary[key] += n;
  };
  const violation = (line: string) => {
    if (summary.violations.length < 50) summary.violations.push(line);
  };

  /** Runs one `tfctl tick --force --json`; `during` applies a fault while it runs. */
  const tick = async (prefix: string, extraEnv: Record<string, string> = {}, during?: (child: ReturnType<typeof spawn>) => Promise<void>): Promise<TickRun> => {
    const child = spawn(process.execPath, [opts.bin, 'tick', '--force', '--json'], {
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        TFCTL_PREFIX: prefix,
        TFCTL_X_API: proxy.url,
        TFCTL_CONSUMER_KEY: app.consumer_key,
        TFCTL_CONSUMER_SECRET: app.consumer_secret,
        TFCTL_LOCK_TTL_MS: String(LOCK_TTL_MS),
        TFCTL_X_TIMEOUT_MS: String(X_TIMEOUT_MS),
        TFCTL_DEBUG: '',
        TFCTL_INFLUX_URL: '',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const done = new Promise<TickRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
    const applied = during ? during(child).catch((err: Error) => log(`fault error: ${err.message}`)) : Promise.resolve();
    const [run] = await Promise.all([done, applied]);
    return run;
  };

  /** A tick that was not killed on purpose ended as designed: exit 0 or 1, a report or a one-line error. */
  const crashed = (run: TickRun, killedOnPurpose: boolean): string | null => {
    if (run.signal === 'SIGKILL' && killedOnPurpose) return null;
    // Node prints a line of the (minified) bundle with an uncaught error: keep the short lines only.
    const said = run.stderr.split('\n').filter((l) => l.trim() && l.length < 300).slice(0, 3).join(' | ');
    if (run.code !== 0 && run.code !== 1) return `exit ${run.code ?? run.signal}: ${said}`;
    if (/^\s+at |TypeError|ReferenceError|Unhandled|uncaught/im.test(run.stderr)) return `stack on stderr: ${said}`;
    const last = run.stdout.trim().split('\n').pop() ?? '';
    try {
      JSON.parse(run.stdout);
      return null;
    } catch {
      // No report: acceptable only as one clean error line (e.g. Redis unreachable at the start).
      const lines = run.stderr.trim().split('\n').filter(Boolean);
      if (run.code === 1 && lines.length === 1 && lines[0]!.startsWith('tfctl: ')) return null;
      return `no report: stdout ${JSON.stringify(last.slice(0, 120))}, stderr ${JSON.stringify(run.stderr.slice(0, 200))}`;
    }
  };

  const checkLocks = async (prefix: string) => {
    const keys = await probe.keys(`${prefix}:lock:*`);
    for (const k of keys) {
      const ttl = await probe.pttl(k);
      if (ttl === -1 || ttl > LOCK_TTL_MS) {
        summary.locks_past_ttl++;
        violation(`lock ${k} has TTL ${ttl} ms`);
      }
    }
  };

  let round = 0;
  try {
    for (let epoch = 0; round < opts.rounds; epoch++) {
      const prefix = `chaos${epoch}`;
      const name = (role: string) => `e${epoch}_${role}`;
      const accounts = new Map<string, SandboxAccount>();
      for (const role of ['owner', 'author', ...WRITERS.map((w) => w.name)]) accounts.set(role, await admin.account(name(role)));
      await admin.follow(name('owner'), name('author'));
      const who = new Map([...accounts].map(([role, a]) => [a.token, role]));
      const setupEnv = { REDIS_URL: redis.url, TFCTL_PREFIX: prefix };
      const cli = async (args: string[]) => {
        const r = await runCli(opts.bin, args, setupEnv);
        if (r.code !== 0) throw new Error(`tfctl ${args[0]} failed: ${r.stderr}`);
      };
      const acc = (role: string) => ['--token', accounts.get(role)!.token, '--secret', accounts.get(role)!.secret];
      await cli(['create', 'reader', 'reader', ...acc('owner')]);
      for (const w of WRITERS) await cli(['create', w.name, 'writer', '--reader', 'reader', '--template', w.template, '--grab', '3', '--per-tick', '3', ...acc(w.name)]);

      // tweet id → [round's fault, the text each writer must post from it (null: none)]
      const expected = new Map<string, { fault: Fault; texts: Array<string | null> }>();
      const pool = [...nouns];
      const postsFrom = proxy.posts.length;
      for (let r = 0; r < perEpoch && round < opts.rounds; r++, round++) {
        // Every fault type comes up in turn; what exactly happens, and when, is drawn from the seed.
        const fault = FAULTS[round % FAULTS.length]!;
        count(fault, 'rounds');
        proxy.tag = fault;
        for (let i = 0; i < TWEETS_PER_ROUND; i++) {
          const barren = rnd() < 0.15;
          const n = barren ? undefined : pool.splice(Math.floor(rnd() * pool.length), 1)[0];
          const t = await admin.tweet(name('author'), n ? tweetOf(n.noun) : pick(BARREN));
          expected.set(t.id, { fault, texts: n ? n.texts : WRITERS.map(() => null) });
        }
        const extraEnv: Record<string, string> = {};
        let killed = false;
        let during: ((child: ReturnType<typeof spawn>) => Promise<void>) | undefined;
        switch (fault) {
          case 'none':
            break;
          case 'kill-random':
            during = async (child) => {
              await sleep(between(80, 1200));
              killed = child.kill('SIGKILL');
            };
            break;
          case 'kill-failpoint':
            extraEnv.TFCTL_FAILPOINT = `${pick(FAILPOINTS)}:${between(1, 4)}`;
            killed = true;
            break;
          case 'redis-pause':
            during = async () => {
              await sleep(between(0, 600));
              await probe.call('CLIENT', 'PAUSE', String(between(300, 2000)), 'ALL');
            };
            break;
          case 'redis-restart':
            during = async () => {
              await sleep(between(50, 700));
              await redis.restart(between(50, 1200));
            };
            break;
          case 'delay':
            for (let i = 0; i < 3; i++) proxy.arm({ kind: 'delay', nth: between(1, 8), delayMs: between(100, X_TIMEOUT_MS - 300) });
            break;
          default:
            proxy.arm({ kind: fault as FaultKind, nth: between(1, fault.startsWith('get') ? 3 : 5) });
        }
        const run = await tick(prefix, extraEnv, during);
        proxy.disarm();
        const why = crashed(run, killed);
        if (why) {
          count(fault, 'crashed_ticks');
          violation(`round ${round} (${fault}): crashed tick: ${why}`);
        }
        if (run.signal === 'SIGKILL') await sleep(LOCK_TTL_MS + 200); // the dead tick's locks lapse by themselves
        await checkLocks(prefix);
        log(`round ${round} ${fault}: exit ${run.code ?? run.signal} ${summaryLine(run.stdout)}`);
      }

      // Settle: no faults, ticks until nothing is unprocessed or open. A writer that was rate-limited or
      // failing for many rounds has a backlog of up to a whole epoch's tweets, per-tick at a time: the ticks
      // go on while any is left (up to SETTLE_TICKS), each past the in-flight window while an intent is open.
      proxy.tag = 'settle';
      let settled = false;
      for (let i = 0; i < SETTLE_TICKS && !settled; i++) {
        const open = await Promise.all(WRITERS.map((w) => probe.hlen(`${prefix}:{${w.name}}:intents`)));
        await sleep(i === 0 || open.some((n) => n > 0) ? 2 * X_TIMEOUT_MS + 500 : 100);
        const run = await tick(prefix);
        const why = crashed(run, false);
        if (why) {
          count('settle', 'crashed_ticks');
          violation(`settle tick: ${why}`);
        }
        settled = await isSettled(probe, prefix, WRITERS.map((w) => w.name), [...expected.keys()]);
      }
      await checkLocks(prefix);

      // Invariants, from the sandbox's record of each account.
      for (const [wi, w] of WRITERS.entries()) {
        const onX = (await admin.tweets(name(w.name))).map((t) => t.text);
        const counts = new Map<string, number>();
        for (const t of onX) counts.set(t, (counts.get(t) ?? 0) + 1);
        const wanted = new Map<string, Fault>();
        for (const e of expected.values()) if (e.texts[wi]) wanted.set(e.texts[wi]!, e.fault);
        for (const [text, n] of counts) {
          const f = wanted.get(text);
          if (!f) {
            summary.unexpected++;
            violation(`${name(w.name)} posted a text no tweet gives: ${text}`);
          } else if (n > 1) {
            count(f, 'posted_twice', n - 1);
            violation(`${name(w.name)} posted "${text}" ${n} times`);
          }
        }
        const intents = await probe.hlen(`${prefix}:{${w.name}}:intents`);
        if (intents > 0) {
          summary.stale_intents += intents;
          violation(`${name(w.name)}: ${intents} intent(s) still open after settling`);
        }
        if (!settled) continue; // what is still pending is not lost; it is counted as unsettled below
        for (const [text, f] of wanted) {
          if (!counts.has(text)) {
            count(f, 'lost');
            violation(`${name(w.name)} never posted "${text}" (round fault ${f})`);
          }
        }
      }
      if (!settled) {
        summary.unsettled++;
        violation(`epoch ${epoch}: the farm did not settle (tweets unprocessed or intents open)`);
      }

      // Re-sent POSTs: a POST forwarded to X for a text X had already created on that account.
      const created = new Set<string>();
      for (const p of proxy.posts.slice(postsFrom)) {
        if (p.upstream === 0) continue;
        summary.posts_forwarded++;
        const key = `${who.get(p.token) ?? p.token}\n${p.text}`;
        if (created.has(key)) {
          count(p.tag, 'resent_posts');
          violation(`POST re-sent for "${p.text}" by ${who.get(p.token)} (round fault ${p.tag})`);
        }
        if (p.upstream === 201 || p.upstream === 200) created.add(key);
      }
      summary.tweets += expected.size;
    }
  } finally {
    probe.disconnect();
    await proxy.close();
    await sandbox.close();
    await redis.stop();
  }
  return summary;
}

function summaryLine(stdout: string): string {
  try {
    const r = JSON.parse(stdout) as { bots: Array<{ name: string; status: string; detail: string }> };
    return r.bots.filter((b) => b.status !== 'idle').map((b) => `${b.name}=${b.status}(${b.detail.slice(0, 60)})`).join(' ');
  } catch {
    return '';
  }
}

/** True when every writer has processed every tweet (nothing pending or behind) and no intent is open. */
async function isSettled(redis: RedisClient, prefix: string, writers: string[], tweetIds: string[]): Promise<boolean> {
  const stream = `${prefix}:{reader}:timeline`;
  const sinceId = await redis.hget(`${prefix}:bot:{reader}`, 'since_id');
  const newest = tweetIds.reduce((a, b) => (BigInt(a) > BigInt(b) ? a : b), '0');
  if (!sinceId || BigInt(sinceId) < BigInt(newest)) return false;
  let groups: unknown[][];
  try {
    groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  } catch {
    return false;
  }
  for (const w of writers) {
    const g = groups.find((x) => x[x.indexOf('name') + 1] === w);
    if (!g) return false;
    const lag = g[g.indexOf('lag') + 1];
    const pending = g[g.indexOf('pending') + 1];
    if (lag !== 0 || pending !== 0) return false;
    if ((await redis.hlen(`${prefix}:{${w}}:intents`)) > 0) return false;
  }
  return true;
}

function runCli(bin: string, args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}
