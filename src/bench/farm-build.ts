/**
 * Builds the bench's farm (one reader, N writers) with the code of a given build: this checkout's dist/,
 * or another revision's (--baseline), whose key names and scripts may differ. Everything is loaded from
 * that build's dist/ by dynamic import, so each farm is written by the code that will tick it.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { SandboxAdmin, SandboxAccount } from '../sandbox/admin-client.js';
import { pool } from '../pool.js';

/** The parts of a build the bench uses, typed loosely: another revision's may differ in detail. */
export interface BuildCode {
  /** The build's root (it has bin/tfctl and dist/). */
  root: string;
  Farm: { open(config: unknown): Promise<FarmLike> };
  loadConfig(env?: NodeJS.ProcessEnv): Record<string, unknown>;
  runTick?: (farm: FarmLike, opts?: Record<string, unknown>) => Promise<{ bots: Array<{ status: string }> }>;
}

/** What the bench calls on a build's Farm; `store.all` (every bot, whole) may be gone in a later build. */
export interface FarmLike {
  create(input: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
  store?: { all?: () => Promise<unknown[]> };
}

export async function loadBuild(root: string): Promise<BuildCode> {
  const load = (p: string) => import(pathToFileURL(join(root, 'dist', p)).href);
  const [farm, config, tick] = await Promise.all([load('farm/farm.js'), load('config.js'), load('farm/tick.js')]);
  return { root, Farm: farm.Farm, loadConfig: config.loadConfig, runTick: tick.runTick };
}

const TEMPLATES = ['%s – это когда тебя любят.', 'Жизнь без {noun:gent,plur} не та.', 'Всю ночь думал о {noun:loct}.', 'Спасибо {noun:datv,plur} за всё!'];

/** Sandbox accounts `${prefix}${i}` for i < n, created many at once (the admin API takes one per call). */
export function makeAccounts(admin: SandboxAdmin, prefix: string, n: number): Promise<SandboxAccount[]> {
  return pool(
    Array.from({ length: n }, (_, i) => i),
    32,
    (i) => admin.account(`${prefix}${i}`),
  );
}

export interface FarmPlan {
  /** REDIS_URL, TFCTL_PREFIX, TFCTL_X_API (and TFCTL_REDIS_CLUSTER): read by the build's own loadConfig */
  env: Record<string, string>;
  /** the reader's account */
  owner: SandboxAccount;
  writers: SandboxAccount[];
}

/** Creates the reader and the writers with `code`; creates go out many at once (one connection pipelines them). */
export async function buildFarm(code: BuildCode, plan: FarmPlan): Promise<void> {
  const farm = await code.Farm.open(code.loadConfig({ ...process.env, ...plan.env }));
  try {
    await farm.create({ name: 'reader', role: 'reader', token: plan.owner.token, secret: plan.owner.secret });
    await pool(plan.writers, 64, (account, i) =>
      farm.create({ name: `w${i}`, role: 'writer', reader: 'reader', template: TEMPLATES[i % TEMPLATES.length]!, token: account.token, secret: account.secret }),
    );
  } finally {
    await farm.close();
  }
}
