import type { Command } from 'commander';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseCount } from '../../bots/values.js';
import type { Config } from '../../config.js';
import { UsageError } from '../../errors.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { printJson } from '../output.js';

/**
 * `tfctl backup DIR [--keep 14]`: a timestamped export (the same archive as `tfctl export`, mode 0600)
 * into DIR, then the oldest of this farm's backups there beyond --keep are deleted. Only files named
 * like this farm's backups are ever deleted. Off-site copies are another tool's job (rclone copy DIR remote:).
 */
export interface BackupOptions {
  dir: string;
  keep?: string;
  withoutSecrets?: boolean;
  json?: boolean;
}

export const DEFAULT_KEEP = 14;

/** `tfctl-<prefix>-20261129T030000.123Z.tar.gz`: names sort as their times do. */
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '');
const pattern = (prefix: string) => new RegExp(`^tfctl-${prefix.replace(/[^A-Za-z0-9]/g, (c) => `\\${c}`)}-\\d{8}T\\d{6}\\.\\d{3}Z(?:-\\d+)?\\.tar\\.gz$`);

export async function run(opts: BackupOptions, io: Io, config: Config): Promise<void> {
  const keep = opts.keep === undefined ? DEFAULT_KEEP : parseCount(opts.keep, '--keep', 1, 10_000);
  if (!opts.dir) throw new UsageError('backup: name the directory to write to, e.g. tfctl backup /var/backups/tfctl');
  const dir = resolve(opts.dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ours = pattern(config.prefix);
  const { exportFarm } = await import('../../archive/export.js');
  const existing = new Set(await readdir(dir));
  // The wall clock, not the farm's: these are files on this host.
  let name = `tfctl-${config.prefix}-${stamp(Date.now())}.tar.gz`;
  for (let n = 1; existing.has(name); n++) name = name.replace(/(?:-\d+)?\.tar\.gz$/, `-${n}.tar.gz`);
  const file = join(dir, name);
  const manifest = await withFarm(config, (farm) => exportFarm(farm.redis, farm.config.prefix, file, { withoutSecrets: opts.withoutSecrets }));
  const backups = (await readdir(dir)).filter((f) => ours.test(f)).sort();
  const removed = backups.slice(0, Math.max(0, backups.length - keep));
  for (const f of removed) await rm(join(dir, f), { force: true });
  if (opts.json) return printJson({ file, keys: manifest.counts.keys, bots: manifest.counts.bots, kept: backups.length - removed.length, removed: removed.map((f) => join(dir, f)) }, io);
  io.out(`backed up ${manifest.counts.bots} bots, ${manifest.counts.keys} keys to ${file}${removed.length ? `; removed ${removed.length} older backup(s)` : ''}\n`);
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('backup')
    .description('write a timestamped export of the farm into DIR (mode 0600) and delete the oldest beyond --keep')
    .argument('<dir>', 'the directory of backups (made 0700 if missing)')
    .option('--keep <n>', `how many of this farm's backups to keep in DIR (default ${DEFAULT_KEEP})`)
    .option('--without-secrets', "leave the bots' token and secret out")
    .option('--json', 'print what was written and removed as JSON')
    .action((dir: string, opts: Omit<BackupOptions, 'dir'>) => run({ dir, ...opts }, ctx.io, ctx.config()));
}
