import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tfctl } from '../helpers/cli.js';
import { startCluster, type PrivateCluster } from '../helpers/cluster.js';

/**
 * TFCTL_REDIS_CLUSTER=1 through the CLI, as an operator meets it: a password-protected six-node cluster,
 * one seed node in REDIS_URL, and every wrong setting one line and the documented exit code.
 */
let cluster: PrivateCluster;
let port: number;
const env = (url: string) => ({ REDIS_URL: url, TFCTL_REDIS_CLUSTER: '1', TFCTL_PREFIX: 'conn' });

beforeAll(async () => {
  cluster = await startCluster({ masters: 3, replicasPerMaster: 1, password: 's3cret' });
  port = cluster.nodes[0]!.port;
});
afterAll(async () => cluster?.stop());

describe('a farm on a Redis Cluster: connecting', () => {
  it('uses the cluster from one seed node and says so', async () => {
    // Any node will do as the seed, a replica included.
    const replica = cluster.nodes[cluster.nodes.length - 1]!.port;
    for (const seed of [port, replica]) {
      const list = await tfctl(['list'], env(`redis://:s3cret@127.0.0.1:${seed}`));
      expect(list.stderr).toBe('');
      expect(list.code).toBe(0);
      expect(list.stdout).toContain(`farm conn on cluster 127.0.0.1:${seed}`);
    }
    // Several seeds: the first that answers will do, and the password is never shown.
    const seeds = `redis://:s3cret@127.0.0.1:1,127.0.0.1:${port}`;
    const many = await tfctl(['list'], env(seeds));
    expect(many.stderr).toBe('');
    expect(many.stdout).toContain(`farm conn on cluster 127.0.0.1:1,127.0.0.1:${port}`);
    const down = await tfctl(['config'], env(`redis://:s3cret@127.0.0.1:1,127.0.0.1:2`));
    expect(down.code).not.toBe(0);
    expect(down.stdout).toContain('cannot reach Redis at redis://:***@127.0.0.1:1,127.0.0.1:2');
    expect(down.stdout).toContain('redis://:***@127.0.0.1:1,127.0.0.1:2 (cluster)');
    expect(down.stdout + down.stderr).not.toContain('s3cret');
    const config = await tfctl(['config', '--json'], env(`redis://:s3cret@127.0.0.1:${port}`));
    const report = JSON.parse(config.stdout) as { redis: { ok: boolean; cluster: boolean; url: string; bots: number } };
    expect(report.redis).toMatchObject({ ok: true, cluster: true, url: `redis://:***@127.0.0.1:${port}`, bots: 0 });
  });

  it('refuses a database other than 0 and a socket path, before connecting (exit 2)', async () => {
    const db = await tfctl(['list'], env(`redis://:s3cret@127.0.0.1:${port}/2`));
    expect(db.code).toBe(2);
    expect(db.stderr).toBe('tfctl: REDIS_URL selects database 2, but a Redis Cluster has only database 0 (TFCTL_REDIS_CLUSTER=1): drop /2 from the URL\n');
    const second = await tfctl(['list'], env(`redis://:s3cret@127.0.0.1:${port},127.0.0.1:${port + 1}/1`));
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('REDIS_URL selects database 1, but a Redis Cluster has only database 0');
    const sock = await tfctl(['tick'], env('/tmp/redis.sock'));
    expect(sock.code).toBe(2);
    expect(sock.stderr).toMatch(/^tfctl: REDIS_URL "\/tmp\/redis.sock" is a socket path, but TFCTL_REDIS_CLUSTER=1 needs one node's redis:\/\/host:port\n$/);
    // Without the setting the node itself refuses the database; both the one-shot listing and ioredis say what to do.
    for (const cmd of ['list', 'tick']) {
      const single = await tfctl([cmd], { ...env(`redis://:s3cret@127.0.0.1:${port}/2`), TFCTL_REDIS_CLUSTER: '' });
      expect(single.code).toBe(2);
      expect(single.stderr).toBe(`tfctl: Redis at redis://:***@127.0.0.1:${port}/2 is a cluster node, which has only database 0: set TFCTL_REDIS_CLUSTER=1 and drop /2 from REDIS_URL\n`);
    }
  });

  it('a refused or missing password is exit 2, a cluster that does not answer exit 1, one line each', async () => {
    const wrong = await tfctl(['tick'], env(`redis://:nope@127.0.0.1:${port}`));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^tfctl: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ refused the password in REDIS_URL \(WRONGPASS[^\n]*\)\n$/);
    const missing = await tfctl(['list'], env(`redis://127.0.0.1:${port}`));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^tfctl: Redis at redis:\/\/127\.0\.0\.1:\d+ needs a password: put it in REDIS_URL/);
    const down = await tfctl(['tick'], env('redis://:s3cret@127.0.0.1:1'));
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^tfctl: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1: [^\n]+\n$/);
  });
});
