import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { freePort } from './redis-server.js';

/** One redis-server of a private cluster. */
export interface ClusterNode {
  port: number;
  /** Its cluster bus port, chosen free like the data port (port + 10000 may be past 65535). */
  busPort: number;
  /** Its node id (CLUSTER MYID). */
  id: string;
  /** Whether it is running (false once killed or stopped). */
  alive: boolean;
}

export interface PrivateCluster {
  /** A seed node's URL, as REDIS_URL takes it (with TFCTL_REDIS_CLUSTER=1). */
  url: string;
  /** Every node as a seed (redis://host:port,host:port…): a client started after a node died still connects. */
  seedsUrl: string;
  nodes: ClusterNode[];
  /** How long starting took, in ms (servers up, slots assigned, every node agreeing). */
  startupMs: number;
  /** The node serving a slot now, as every live node sees it. */
  masterOf(slot: number): Promise<ClusterNode>;
  /** The live masters, as the seed sees them. */
  masters(): Promise<ClusterNode[]>;
  /**
   * Kills a master (SIGKILL: no goodbye, like a crashed host) by its port, or the master of a slot, and
   * waits until one of its replicas serves its slots and the cluster is ok again. Returns the killed node.
   */
  killMaster(which: { port: number } | { slot: number }, opts?: { wait?: boolean }): Promise<ClusterNode>;
  /** Waits until every slot is served by a live master that every live node agrees on. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** The live replicas of a master. */
  replicasOf(masterPort: number): Promise<ClusterNode[]>;
  /** Stops a node's process (SIGSTOP) without a goodbye: it answers nothing, its sockets stay open. */
  freeze(port: number): void;
  /** Lets a frozen node go on (SIGCONT). */
  thaw(port: number): void;
  /** Any command to one node (CLIENT KILL TYPE master, INFO replication…). */
  ask(port: number, ...args: (string | number)[]): Promise<unknown>;
  /** A graceful manual failover: the replica of a master takes over its slots (CLUSTER FAILOVER). */
  failover(masterPort: number): Promise<ClusterNode>;
  /** A Cluster client of the test's own; stop() disconnects it. */
  client(): Cluster;
  /** Removes every key on every master. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  password?: string;
  /** cluster-node-timeout: how long a silent master has before its replica takes over (ms). */
  nodeTimeoutMs?: number;
}

const HOST = '127.0.0.1';

/**
 * Starts a private Redis Cluster on free ports, each node in its own temp dir (never the machine's
 * 6379): `masters` masters with `replicasPerMaster` replicas each, every write in the append-only file
 * before it is answered. The tests, the demo and the benchmark use it; nothing is mocked.
 */
export async function startCluster(opts: ClusterOptions = {}): Promise<PrivateCluster> {
  const started = Date.now();
  const masters = opts.masters ?? 3;
  const replicas = opts.replicasPerMaster ?? 1;
  const nodeTimeout = opts.nodeTimeoutMs ?? 1000;
  if (masters < 3) throw new Error('redis-cli --cluster create needs at least 3 masters');
  const count = masters * (1 + replicas);
  const ports: number[] = [];
  // One after another: freePort answers what the kernel picks, which cannot repeat while we hold none
  // open, but two calls in flight could be handed the same port.
  while (ports.length < count * 2) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  const dir = mkdtempSync(join(tmpdir(), 'tfctl-cluster-'));
  const auth = opts.password ? ['--requirepass', opts.password, '--masterauth', opts.password] : [];
  const procs = new Map<number, ChildProcess>();
  const nodes: ClusterNode[] = [];
  let spawnError: Error | undefined;
  for (let i = 0; i < count; i++) {
    const port = ports[2 * i]!;
    const busPort = ports[2 * i + 1]!;
    const args = [
      '--port', String(port),
      '--cluster-port', String(busPort),
      '--bind', HOST,
      '--dir', dir,
      '--dbfilename', `dump-${port}.rdb`,
      '--appenddirname', `aof-${port}`,
      '--cluster-enabled', 'yes',
      '--cluster-config-file', `nodes-${port}.conf`,
      '--cluster-node-timeout', String(nodeTimeout),
      '--save', '',
      // A replica's first sync starts at once, not after the default 5 s wait for other replicas.
      '--repl-diskless-sync-delay', '0',
      '--appendonly', 'yes',
      '--appendfsync', 'always',
      '--daemonize', 'no',
      ...auth,
    ];
    const p = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    p.on('error', (err) => (spawnError = err));
    procs.set(port, p);
    nodes.push({ port, busPort, id: '', alive: true });
  }
  const clients: Array<Redis | Cluster> = [];
  const direct = new Map<number, Redis>();
  const nodeClient = (port: number): Redis => {
    let c = direct.get(port);
    if (!c) {
      c = new Redis({ host: HOST, port, password: opts.password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: true });
      c.on('error', () => {}); // refused until the server is up, and after a node is killed
      direct.set(port, c);
    }
    return c;
  };
  const ask = async (port: number, ...args: (string | number)[]): Promise<unknown> => {
    const c = nodeClient(port);
    if (c.status === 'end' || c.status === 'close') {
      c.disconnect();
      direct.delete(port);
      return ask(port, ...args);
    }
    if (c.status === 'wait') await c.connect();
    return c.call(String(args[0]), ...args.slice(1));
  };
  const stopAll = async () => {
    for (const c of clients) c.disconnect();
    for (const c of direct.values()) c.disconnect();
    await Promise.all(
      [...procs.values()].map(async (p) => {
        if (p.exitCode !== null || p.signalCode !== null) return;
        p.kill('SIGKILL');
        await new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once('exit', r)));
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // Every server answering.
    await Promise.all(
      nodes.map(async (n) => {
        const deadline = Date.now() + 10_000;
        for (;;) {
          try {
            n.id = String(await ask(n.port, 'CLUSTER', 'MYID'));
            return;
          } catch (err) {
            if (spawnError) throw new Error(`cannot start redis-server (${spawnError.message}): install it (apt-get install redis-server)`);
            const p = procs.get(n.port)!;
            if (Date.now() > deadline || p.exitCode !== null) throw new Error(`redis-server did not start on ${n.port}: ${err}`);
            direct.get(n.port)?.disconnect();
            direct.delete(n.port);
            await sleep(20);
          }
        }
      }),
    );
    if (process.env.TFCTL_CLUSTER_TRACE) console.error(`servers up ${Date.now() - started} ms`);
    // redis-cli assigns the slots, introduces the nodes and makes the replicas (the first `masters` nodes
    // are the masters). It waits for the nodes to agree on the configuration, polling once a second.
    await new Promise<void>((resolve, reject) => {
      const args = ['--cluster', 'create', ...nodes.map((n) => `${HOST}:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'];
      if (opts.password) args.push('-a', opts.password, '--no-auth-warning');
      execFile('redis-cli', args, { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`redis-cli --cluster create failed: ${err.message}\n${stdout}${stderr}`)) : resolve()));
    });
  } catch (err) {
    await stopAll();
    throw err;
  }

  const byId = (id: string) => nodes.find((n) => n.id === id);
  const byPort = (port: number) => nodes.find((n) => n.port === port);

  /** CLUSTER SLOTS as one node sees it: [from, to, master port, replica ports…]. */
  const slotsOf = async (port: number): Promise<Array<{ from: number; to: number; master: number; replicas: number[] }>> => {
    const reply = (await ask(port, 'CLUSTER', 'SLOTS')) as Array<[number, number, ...Array<[string, number, string]>]>;
    return reply.map(([from, to, m, ...r]) => ({ from, to, master: m![1], replicas: r.map((x) => x[1]) }));
  };

  const waitHealthy = async (timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      try {
        const live = nodes.filter((n) => n.alive);
        const views = await Promise.all(
          live.map(async (n) => {
            const info = String(await ask(n.port, 'CLUSTER', 'INFO'));
            if (!/cluster_state:ok/.test(info)) throw new Error(`node ${n.port}: ${/cluster_state:\w+/.exec(info)?.[0]}`);
            const slots = await slotsOf(n.port);
            const covered = slots.reduce((s, r) => s + r.to - r.from + 1, 0);
            if (covered !== 16384) throw new Error(`node ${n.port} sees ${covered} slots served`);
            if (slots.some((r) => !byPort(r.master)?.alive)) throw new Error(`node ${n.port} still sees a dead master`);
            return JSON.stringify(slots.map((r) => [r.from, r.to, r.master]).sort((a, b) => a[0]! - b[0]!));
          }),
        );
        if (views.some((v) => v !== views[0])) throw new Error('nodes disagree on who serves which slot');
        // Replicas in sync, so that a master killed next has a replica able to take over with its data.
        for (const n of live) {
          const info = String(await ask(n.port, 'INFO', 'replication'));
          if (/role:slave/.test(info) && !/master_link_status:up/.test(info)) throw new Error(`replica ${n.port} not in sync`);
        }
        return;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
        if (Date.now() > deadline) throw new Error(`the cluster did not become healthy in ${timeoutMs} ms: ${last}`);
        await sleep(50);
      }
    }
  };

  if (process.env.TFCTL_CLUSTER_TRACE) console.error(`created ${Date.now() - started} ms`);
  try {
    await waitHealthy();
  } catch (err) {
    await stopAll();
    throw err;
  }

  const masterOf = async (slot: number): Promise<ClusterNode> => {
    const seed = nodes.find((n) => n.alive)!;
    const range = (await slotsOf(seed.port)).find((r) => r.from <= slot && slot <= r.to);
    const node = range && byPort(range.master);
    if (!node) throw new Error(`no node serves slot ${slot}`);
    return node;
  };

  const replicasOf = async (master: ClusterNode): Promise<ClusterNode[]> => {
    const lines = String(await ask(master.port, 'CLUSTER', 'REPLICAS', master.id)).split('\n').filter(Boolean);
    return lines.map((l) => byId(l.split(' ')[0]!)).filter((n): n is ClusterNode => !!n && n.alive);
  };

  const login = `redis://${opts.password ? `:${encodeURIComponent(opts.password)}@` : ''}`;
  const url = `${login}${HOST}:${nodes[0]!.port}`;
  return {
    url,
    seedsUrl: `${login}${nodes.map((n) => `${HOST}:${n.port}`).join(',')}`,
    nodes,
    startupMs: Date.now() - started,
    masterOf,
    async masters() {
      const seed = nodes.find((n) => n.alive)!;
      const ports = new Set((await slotsOf(seed.port)).map((r) => r.master));
      return nodes.filter((n) => ports.has(n.port));
    },
    async killMaster(which, o = {}) {
      const node = 'slot' in which ? await masterOf(which.slot) : byPort(which.port);
      if (!node || !node.alive) throw new Error(`no live node ${JSON.stringify(which)}`);
      const p = procs.get(node.port)!;
      p.kill('SIGKILL');
      await new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once('exit', r)));
      node.alive = false;
      direct.get(node.port)?.disconnect();
      direct.delete(node.port);
      if (o.wait !== false) await waitHealthy();
      return node;
    },
    waitHealthy,
    async replicasOf(masterPort) {
      const master = byPort(masterPort);
      if (!master) throw new Error(`no node on ${masterPort}`);
      return replicasOf(master);
    },
    freeze(port) {
      procs.get(port)?.kill('SIGSTOP');
    },
    thaw(port) {
      procs.get(port)?.kill('SIGCONT');
    },
    ask,
    async failover(masterPort) {
      const master = byPort(masterPort);
      if (!master) throw new Error(`no node on ${masterPort}`);
      const [replica] = await replicasOf(master);
      if (!replica) throw new Error(`master ${masterPort} has no live replica`);
      await ask(replica.port, 'CLUSTER', 'FAILOVER');
      const deadline = Date.now() + 20_000;
      while (!/role:master/.test(String(await ask(replica.port, 'INFO', 'replication')))) {
        if (Date.now() > deadline) throw new Error(`replica ${replica.port} did not take over from ${masterPort}`);
        await sleep(50);
      }
      await waitHealthy();
      return replica;
    },
    client() {
      const c = new Cluster([{ host: HOST, port: nodes.find((n) => n.alive)!.port }], { redisOptions: { password: opts.password } });
      c.on('error', () => {}); // a killed node's connection errors are expected
      clients.push(c);
      return c;
    },
    async flush() {
      const seed = nodes.find((n) => n.alive)!;
      const ports = new Set((await slotsOf(seed.port)).map((r) => r.master));
      await Promise.all([...ports].map((p) => ask(p, 'FLUSHALL')));
    },
    stop: stopAll,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
