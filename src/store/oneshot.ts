import { connect as netConnect, isIP, type Socket } from 'node:net';
import { redisDatabase } from '../config.js';
import { UsageError } from '../errors.js';
import { connectError } from './connect.js';

/**
 * A Redis connection for a command that reads once and exits (`tfctl list`): it sends the few commands
 * it is given over one socket and reads their replies (RESP2). Loading ioredis costs a cold start more
 * than everything else `list` does (its command table builds some 900 methods on load, ~100 ms of CPU on
 * this kind of host), and a listing needs none of what it brings — reconnects, offline queue,
 * pipelining, cluster. Everything that writes, and everything long-lived, uses ioredis (connect.ts).
 * Same URLs, same checks, same error lines as connectRedis.
 */
export interface OneShotRedis {
  /** Runs a command; Redis's error replies reject with their text, as ioredis's do. */
  call(...args: (string | number)[]): Promise<unknown>;
  /**
   * Runs many commands, written at once (one write, one round trip), and resolves with their replies in
   * order; an error reply is an Error in its place, not a rejection.
   */
  callMany(commands: Array<Array<string | number>>): Promise<unknown[]>;
  /** callMany of one EVALSHA per key list, all with the same script and ARGV, encoded with less work. */
  evalshaMany(sha: string, keyLists: string[][], args: string[]): Promise<unknown[]>;
  close(): void;
}

type Reply = string | number | null | Error | Reply[];

/** Where the URL points and how to log in, as ioredis reads it (a socket path takes ?db= and ?password=). */
function target(url: string): { path?: string; host?: string; port?: number; tls: boolean; username?: string; password?: string } {
  if (url.startsWith('/')) {
    const q = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
    return { path: url.split('?')[0]!, tls: false, username: q.get('username') ?? undefined, password: q.get('password') ?? undefined };
  }
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(u.port || 6379),
    tls: u.protocol === 'rediss:',
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
  };
}

/**
 * Opens the connection and logs in (AUTH, SELECT) without waiting: the first command goes out in the
 * same write, so a listing costs one round trip, which counts on a loaded host where every wait is a
 * wake-up to queue for. A refused login rejects every command with connectRedis's message; a command sent
 * after a failed SELECT never yields its reply.
 */
export async function connectOneShot(url: string, where: string, timeoutMs = 3000): Promise<OneShotRedis> {
  const db = redisDatabase(url);
  if (typeof db === 'string') throw new UsageError(db);
  const t = target(url);
  let socket: Socket;
  if (t.tls) {
    const { connect } = await import('node:tls');
    socket = connect({ host: t.host, port: t.port, servername: isIP(t.host!) ? undefined : t.host });
  } else {
    socket = t.path ? netConnect({ path: t.path }) : netConnect({ host: t.host!, port: t.port! });
  }
  const conn = new Connection(socket);
  const timer = setTimeout(() => socket.destroy(new Error('connect ETIMEDOUT')), timeoutMs);
  // Written at once (the socket holds them until it connects); the replies come back in order.
  const login = t.password ? [conn.call(...(t.username ? ['AUTH', t.username, t.password] : ['AUTH', t.password]))] : [];
  const ready = Promise.all([...login, conn.call('SELECT', db)]).then(
    () => clearTimeout(timer),
    (err: unknown) => {
      clearTimeout(timer);
      conn.close();
      throw connectError(where, db, err instanceof Error ? err.message : String(err));
    },
  );
  ready.catch(() => {}); // reported through the commands that wait for it
  return {
    call: (...args) => {
      const reply = conn.call(...args);
      reply.catch(() => {}); // a failed login is the error to report, not what it did to this command
      return ready.then(() => reply);
    },
    callMany: (commands) => {
      const replies = conn.callMany(commands);
      replies.catch(() => {});
      return ready.then(() => replies);
    },
    evalshaMany: (sha, keyLists, args) => {
      const replies = conn.evalshaMany(sha, keyLists, args);
      replies.catch(() => {});
      return ready.then(() => replies);
    },
    close: () => conn.close(),
  };
}

/** A command waiting for its reply; a batch of callMany's takes `left` replies into `into`. */
type Waiting = { resolve: (r: unknown) => void; reject: (e: Error) => void; into?: unknown[]; left?: number };

class Connection implements OneShotRedis {
  private readonly waiting: Waiting[] = [];
  private buf: Buffer = Buffer.alloc(0);
  /** Chunks of a long reply not joined yet, and how many bytes it needs before parsing is worth a try. */
  private chunks: Buffer[] = [];
  private held = 0;
  private need = 0;
  private failure: Error | undefined;

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('Connection is closed.')));
  }

  call(...args: (string | number)[]): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    this.socket.write(encode([args]));
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  callMany(commands: Array<Array<string | number>>): Promise<unknown[]> {
    return this.batch(commands.length, () => encode(commands));
  }

  evalshaMany(sha: string, keyLists: string[][], args: string[]): Promise<unknown[]> {
    // What every call shares is encoded once; per call only its keys (a listing's thousand bots cost a
    // cold process some 5 ms less than encoding each command whole).
    return this.batch(keyLists.length, () => {
      const n = keyLists[0]?.length ?? 0;
      const head = encodeHead(['EVALSHA', sha, n], 3 + n + args.length);
      const tail = encodeArgs(args);
      let out = '';
      for (const list of keyLists) {
        if (list.length !== n) throw new Error('evalshaMany: every call takes as many keys');
        out += head + encodeArgs(list) + tail;
      }
      return out;
    });
  }

  private batch(count: number, encoded: () => string): Promise<unknown[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (count === 0) return Promise.resolve([]);
    this.socket.write(encoded());
    return new Promise((resolve, reject) => this.waiting.push({ resolve: resolve as (r: unknown) => void, reject, into: [], left: count }));
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }

  private receive(chunk: Buffer): void {
    // A long reply comes in many chunks: join them once it is all there, not at every chunk.
    this.chunks.push(chunk);
    this.held += chunk.length;
    if (this.held < this.need) return;
    this.buf = this.chunks.length === 1 && !this.buf.length ? chunk : Buffer.concat([this.buf, ...this.chunks]);
    this.chunks = [];
    this.held = this.buf.length;
    // Replies are read in place, from an offset; the buffer is cut once, where the last whole one ends.
    let at = 0;
    for (;;) {
      let parsed: ReturnType<typeof parse>;
      try {
        parsed = at < this.buf.length ? parse(this.buf, at) : { need: at + 1 };
      } catch (err) {
        this.fail(err as Error);
        return this.close();
      }
      if ('need' in parsed) {
        this.buf = at < this.buf.length ? this.buf.subarray(at) : Buffer.alloc(0);
        this.held = this.buf.length;
        this.need = parsed.need - at; // a reply is still on its way
        return;
      }
      at = parsed.end;
      this.need = 0;
      const w = this.waiting[0];
      if (!w) return this.fail(new Error('Redis sent a reply nobody asked for'));
      if (w.into) {
        w.into.push(parsed.value);
        if (--w.left! > 0) continue;
        this.waiting.shift();
        w.resolve(w.into);
        continue;
      }
      this.waiting.shift();
      if (parsed.value instanceof Error) w.reject(parsed.value);
      else w.resolve(parsed.value);
    }
  }
}

/** Commands in RESP, as one string to write (a string grown in place: V8 joins it once, when written). */
function encode(commands: Array<Array<string | number>>): string {
  let out = '';
  for (const args of commands) out += encodeHead(args, args.length);
  return out;
}

/** A command's first `args`, of `total` in all, in RESP. */
function encodeHead(args: Array<string | number>, total: number): string {
  return `*${total}\r\n${encodeArgs(args)}`;
}

/** Arguments in RESP, one bulk string each. */
function encodeArgs(args: Array<string | number>): string {
  let out = '';
  for (const a of args) {
    const s = typeof a === 'string' ? a : String(a);
    out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  }
  return out;
}

/** One RESP2 reply starting at `at`, or how many bytes the buffer must hold before it can be read. */
function parse(buf: Buffer, at: number): { value: Reply; end: number } | { need: number } {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return { need: buf.length + 1 };
  const line = buf.toString('utf8', at + 1, eol);
  switch (buf[at]) {
    case 0x2b: // +
      return { value: line, end: eol + 2 };
    case 0x2d: // -
      return { value: new Error(line), end: eol + 2 };
    case 0x3a: // :
      return { value: Number(line), end: eol + 2 };
    case 0x24: {
      // $
      const len = Number(line);
      if (len < 0) return { value: null, end: eol + 2 };
      if (buf.length < eol + 2 + len + 2) return { need: eol + 2 + len + 2 };
      return { value: buf.toString('utf8', eol + 2, eol + 2 + len), end: eol + 2 + len + 2 };
    }
    case 0x2a: {
      // *
      const n = Number(line);
      if (n < 0) return { value: null, end: eol + 2 };
      const items: Reply[] = [];
      let end = eol + 2;
      for (let i = 0; i < n; i++) {
        const item = parse(buf, end);
        if ('need' in item) return item;
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      throw new Error(`Redis sent a reply tfctl cannot read (type byte ${buf[at]})`);
  }
}
