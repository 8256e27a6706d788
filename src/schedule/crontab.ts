import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hidePassword } from '../config.js';
import { OperationalError } from '../errors.js';
import { DEFAULT_SCHEDULE } from './run.js';

/**
 * The farm's crontab block. One block per farm (per key prefix), between marker comments, so that
 * install can replace it in place, remove can take out exactly it, and the user's own entries and any
 * other farm's block are left as they were.
 */

/** The environment tfctl's cron jobs need, in the order the env file lists it. */
export const CRON_ENV = ['REDIS_URL', 'TFCTL_REDIS_CLUSTER', 'TFCTL_PREFIX', 'TFCTL_X_API', 'TFCTL_CONSUMER_KEY', 'TFCTL_CONSUMER_SECRET', 'TFCTL_INFLUX_URL', 'TFCTL_LOG_LEVEL'] as const;
/** Never shown: printed output and the comment in the crontab mask them. */
const SECRET_ENV = new Set(['TFCTL_CONSUMER_SECRET']);
/** Shown with any password in them masked. */
const URL_ENV = new Set(['REDIS_URL', 'TFCTL_INFLUX_URL', 'TFCTL_X_API']);

export const beginMarker = (prefix: string) => `# BEGIN tfctl ${prefix}`;
export const endMarker = (prefix: string) => `# END tfctl ${prefix}`;

export interface CronPlan {
  prefix: string;
  /** Absolute paths: cron runs with a bare PATH, so nothing is looked up. */
  node: string;
  bin: string;
  /** The env file the jobs source (written by install, mode 0600). */
  envFile: string;
  /** Directory of tick.log and stats.log. */
  logDir: string;
  /** flock(1) when the host has it: a tick still running makes the next minute's one skip. */
  flock?: string;
  /** Directory of the flock files. */
  lockDir?: string;
  /** logrotate(8) when the host has it: a daily job rotates the logs with the user's own state file. */
  logrotate?: string;
  /** The values that go to the env file; only the set ones are listed. */
  env: Partial<Record<(typeof CRON_ENV)[number], string>>;
  tickSchedule?: string;
  statsSchedule?: string;
  /** A daily `tfctl backup DIR --keep N` (off unless set), logged to backup.log. */
  backup?: { dir: string; keep: number; schedule?: string };
}

/** Single-quotes for sh: safe for any value, including spaces, $ and quotes. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** In a crontab line, an unescaped % ends the command and starts its stdin. */
const cronEscape = (command: string) => command.replace(/%/g, '\\%');

/** What operators may see of a value: secrets as ***, URL passwords as ***. */
export function displayValue(name: string, value: string): string {
  if (SECRET_ENV.has(name)) return '***';
  return URL_ENV.has(name) ? hidePassword(value) : value;
}

/** The env file: `NAME='value'` lines, sourced by the jobs with `set -a` (the format the Ansible role writes). */
export function envFileText(plan: CronPlan): string {
  const lines = [
    `# tfctl environment for the cron block "${plan.prefix}", written by tfctl cron --install.`,
    '# Mode 0600: it holds the X app\'s consumer secret. The cron jobs read it with: set -a; . FILE; set +a',
  ];
  for (const name of CRON_ENV) {
    const v = plan.env[name];
    if (v !== undefined && v !== '') lines.push(`${name}=${shellQuote(v)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The block. The jobs source the env file instead of carrying VAR=value lines because:
 * a crontab's VAR= lines apply to every entry below them, the user's own included; cron does not
 * expand or quote them; and the secret would show in every `crontab -l`. The file is the user's
 * alone (0600), like the crontab itself.
 */
export function buildBlock(plan: CronPlan): string {
  const src = `set -a; . ${shellQuote(plan.envFile)}; set +a;`;
  // The tick's log: its JSON lines on stderr (info by default here, so every run leaves a timestamped
  // summary; the env file may set another level). Its stdout report repeats them without times.
  const tickSrc = `set -a; TFCTL_LOG_LEVEL=info; . ${shellQuote(plan.envFile)}; set +a;`;
  const tfctl = `${shellQuote(plan.node)} ${shellQuote(plan.bin)}`;
  const locked = (name: string) =>
    plan.flock && plan.lockDir ? `${shellQuote(plan.flock)} -n ${shellQuote(`${plan.lockDir}/${name}.lock`)} ` : '';
  const log = (name: string) => `>> ${shellQuote(`${plan.logDir}/${name}.log`)} 2>&1`;
  const shown = CRON_ENV.filter((n) => plan.env[n]).map((n) => `${n}=${displayValue(n, plan.env[n]!).replace(/[\r\n]+/g, ' ')}`);
  const lines = [
    beginMarker(plan.prefix),
    '# Managed by `tfctl cron --install` (replaced on each install, removed by `tfctl cron --remove`).',
    `# The jobs read their environment from ${plan.envFile} (mode 0600, written by --install):`,
    `#   ${shown.join(' ')}`,
    '# It is sourced rather than set here, since VAR= lines in a crontab would also apply to every entry below.',
    cronEscape(`${plan.tickSchedule ?? DEFAULT_SCHEDULE} ${tickSrc} exec ${locked('tick')}${tfctl} tick > /dev/null 2>> ${shellQuote(`${plan.logDir}/tick.log`)}`),
  ];
  if (plan.env.TFCTL_INFLUX_URL) {
    lines.push(cronEscape(`${plan.statsSchedule ?? '*/10 * * * *'} ${src} exec ${locked('stats')}${tfctl} stats --quiet ${log('stats')}`));
  }
  if (plan.backup) {
    const { dir, keep, schedule } = plan.backup;
    lines.push(cronEscape(`${schedule ?? '23 3 * * *'} ${src} exec ${locked('backup')}${tfctl} backup ${shellQuote(dir)} --keep ${keep} ${log('backup')}`));
  }
  if (plan.logrotate) {
    lines.push(cronEscape(`17 4 * * * exec ${shellQuote(plan.logrotate)} --state ${shellQuote(`${plan.logDir}/logrotate.state`)} ${shellQuote(logrotateConf(plan))}`));
  }
  lines.push(endMarker(plan.prefix));
  return `${lines.join('\n')}\n`;
}

/** Where install writes the logrotate config: beside the env file. */
export const logrotateConf = (plan: CronPlan) => `${dirname(plan.envFile)}/logrotate.conf`;

/** Weekly, eight kept, compressed; each job opens its log afresh (>>), so rename-and-create is safe. */
export function logrotateText(plan: CronPlan): string {
  const logs = ['tick', 'stats'].map((n) => JSON.stringify(`${plan.logDir}/${n}.log`)).join(' ');
  return [
    `# tfctl's logs for the cron block "${plan.prefix}", written by tfctl cron --install; run daily by the block.`,
    `${logs} {`,
    '    weekly',
    '    rotate 8',
    '    compress',
    '    delaycompress',
    '    missingok',
    '    notifempty',
    '}',
    '',
  ].join('\n');
}

interface Span {
  start: number;
  end: number;
}

/** Line ranges of this prefix's blocks; a BEGIN without its END is an error, never a guess. */
function findBlocks(lines: string[], prefix: string): Span[] {
  const begin = beginMarker(prefix);
  const end = endMarker(prefix);
  const spans: Span[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== begin) continue;
    const j = lines.findIndex((l, k) => k > i && l.trim() === end);
    if (j < 0) throw new OperationalError(`the crontab has "${begin}" without "${end}": fix it with crontab -e, then retry`);
    spans.push({ start: i, end: j });
    i = j;
  }
  return spans;
}

const splitLines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
const joinLines = (lines: string[]) => (lines.length ? `${lines.join('\n')}\n` : '');

/** Puts the block in place of this prefix's block(s), or appends it; everything else stays as it was. */
export function upsertBlock(crontab: string, block: string, prefix: string): string {
  const lines = splitLines(crontab);
  const blockLines = splitLines(block);
  const spans = findBlocks(lines, prefix);
  if (spans.length === 0) {
    const gap = lines.length && lines[lines.length - 1]!.trim() !== '' ? [''] : [];
    return joinLines([...lines, ...gap, ...blockLines]);
  }
  const out: string[] = [];
  let at = 0;
  spans.forEach((s, i) => {
    out.push(...lines.slice(at, s.start));
    if (i === 0) out.push(...blockLines);
    at = s.end + 1;
  });
  out.push(...lines.slice(at));
  return joinLines(out);
}

/** Takes out this prefix's block(s) and nothing else. */
export function removeBlock(crontab: string, prefix: string): { text: string; removed: number } {
  const lines = splitLines(crontab);
  const spans = findBlocks(lines, prefix);
  const out: string[] = [];
  let at = 0;
  for (const s of spans) {
    out.push(...lines.slice(at, s.start));
    at = s.end + 1;
    // The blank line install put before the block goes with it.
    if (out.length && out[out.length - 1]!.trim() === '' && (at >= lines.length || lines[at]!.trim() === '')) out.pop();
  }
  out.push(...lines.slice(at));
  return { text: joinLines(out), removed: spans.length };
}

/** Runs crontab(1): `-l` to read, `-` to replace. */
function runCrontab(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('crontab', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new OperationalError('crontab not found: install cron (apt-get install cron)') : err),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => {}); // a crontab that exits early closes its stdin; its exit code tells
    child.stdin.end(input ?? '');
  });
}

/** The current user's crontab, '' when there is none. */
export async function readCrontab(): Promise<string> {
  const r = await runCrontab(['-l']);
  if (r.code === 0) return r.stdout;
  if (/no crontab for/i.test(r.stderr)) return '';
  throw new OperationalError(`crontab -l failed: ${r.stderr.trim() || `exit ${r.code}`}`);
}

export async function writeCrontab(text: string): Promise<void> {
  const r = await runCrontab(['-'], text);
  if (r.code !== 0) throw new OperationalError(`crontab refused the new table: ${r.stderr.trim() || `exit ${r.code}`}`);
}

/**
 * Writes the env file readable by its owner only. It is written beside and renamed into place, so a
 * cron job starting meanwhile reads the old or the new file, never half of one; chmod covers a file
 * that existed with looser rights.
 */
export function writeEnvFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
