import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { UsageError } from '../../errors.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { printJson } from '../output.js';

export interface ExportOptions {
  /** The archive; with --yaml the farm file, stdout when absent or `-`. */
  file?: string;
  withoutSecrets?: boolean;
  /** Write the farm's bots as a farm file (tfctl apply) instead of a backup archive. */
  yaml?: boolean;
  /** Replace an existing file. */
  force?: boolean;
  /** Print what was written as JSON. */
  json?: boolean;
}

/** What `export --json` prints of an archive it wrote. */
function exported(file: string, manifest: import('../../archive/format.js').Manifest) {
  const { keys, bots, stream_entries, pending, by_type } = manifest.counts;
  return { file, prefix: manifest.prefix, created_at: manifest.created_at, secrets: manifest.secrets, counts: { bots, keys, stream_entries, pending, by_type } };
}

export async function run(opts: ExportOptions, io: Io, config: Config): Promise<void> {
  // Checked before Redis is touched: a backup must never silently replace another one.
  if (opts.file && opts.file !== '-' && !opts.force && existsSync(opts.file)) throw new UsageError(`export: ${opts.file} exists: give --force to overwrite it`);
  if (opts.json && opts.yaml) throw new UsageError('export: --json is for archives; --yaml already writes the farm file');
  if (opts.json && opts.file === '-') throw new UsageError('export: --json and - both want stdout: name a file, or leave out --json');
  if (opts.yaml) return exportYaml(opts, io, config);
  if (!opts.file) throw new UsageError('export: name the archive to write, e.g. tfctl export farm.tar.gz, or - for stdout (or --yaml for a farm file)');
  if (opts.file === '-') return exportToStdout(opts, io, config);
  const { exportFarm } = await import('../../archive/export.js');
  // Big farms take a while: show progress on a terminal, every 1000 keys; keep cron mail clean.
  let shown = 0;
  const progress = io.isTTY
    ? (n: number) => {
        if (n - shown < 1000) return;
        shown = n;
        io.err(`\r${n} keys…`);
      }
    : undefined;
  const file = opts.file;
  const manifest = await withFarm(config, (farm) => exportFarm(farm.redis, farm.config.prefix, file, { withoutSecrets: opts.withoutSecrets, onProgress: progress }));
  if (shown) io.err('\n');
  if (opts.json) return printJson(exported(opts.file, manifest), io);
  const c = manifest.counts;
  io.out(
    `exported ${c.bots} bots, ${c.keys} keys (${c.stream_entries} cached tweets, ${c.pending} pending) to ${opts.file}${manifest.secrets ? '' : ' without secrets'}\n`,
  );
}

/**
 * `tfctl export - | ssh host tfctl import -`-style use: the archive is made in a private temporary folder
 * (the exporter writes whole files only) and copied to stdout; the summary goes to stderr.
 */
async function exportToStdout(opts: ExportOptions, io: Io, config: Config): Promise<void> {
  if (io.isTTY) throw new UsageError('export: refusing to write a gzip archive to a terminal: redirect stdout, or name a file');
  const { exportFarm } = await import('../../archive/export.js');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { createReadStream } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const work = await mkdtemp(join(tmpdir(), 'tfctl-export-'));
  try {
    const file = join(work, 'farm.tar.gz');
    const manifest = await withFarm(config, (farm) => exportFarm(farm.redis, farm.config.prefix, file, { withoutSecrets: opts.withoutSecrets }));
    for await (const chunk of createReadStream(file)) if (io.out(chunk as Buffer) === false) await io.drain?.();
    const c = manifest.counts;
    io.err(`exported ${c.bots} bots, ${c.keys} keys (${c.stream_entries} cached tweets, ${c.pending} pending) to stdout${manifest.secrets ? '' : ' without secrets'}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The farm as a farm file (secrets as env: references), on stdout or written whole to a file. */
async function exportYaml(opts: ExportOptions, io: Io, config: Config): Promise<void> {
  const { farmYaml } = await import('../../farmfile/export.js');
  const { kindContext } = await import('../../farmfile/apply.js');
  const text = await withFarm(config, async (farm) =>
    farmYaml(await farm.store.all(), { prefix: config.prefix, ctx: kindContext(farm), withoutSecrets: opts.withoutSecrets }),
  );
  if (!opts.file || opts.file === '-') {
    io.out(text);
    return;
  }
  const { writeFileAtomic } = await import('../../farmfile/write.js');
  writeFileAtomic(opts.file, text);
  io.err(`wrote ${opts.file}\n`);
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('export')
    .description('write every key of the farm to a tar.gz (mode 0600): settings, caches, group positions, posted hashes, counters, TTLs; with --yaml, its bots as a farm file')
    .argument('[file]', 'the archive to write, e.g. farm.tar.gz, or - for stdout; with --yaml the farm file (default: stdout)')
    .option('--without-secrets', 'leave the bots\' token and secret out (they need tfctl auth after import)')
    .option('--yaml', 'write the bots as a farm file for tfctl apply (secrets as env: references) instead of an archive')
    .option('--force', 'overwrite the file when it exists')
    .option('--json', 'print what was written as JSON')
    .action((file: string | undefined, opts: { withoutSecrets?: boolean; yaml?: boolean; force?: boolean; json?: boolean }) => run({ file, ...opts }, ctx.io, ctx.config()));
}
