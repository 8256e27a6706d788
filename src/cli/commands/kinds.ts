import type { Command } from 'commander';
import { defaultOf, KINDS, schemaOf } from '../../bots/index.js';
import type { Setting } from '../../bots/settings.js';
import type { BotKind } from '../../bots/types.js';
import { type CommandContext, type Io } from '../context.js';
import { printJson } from '../output.js';

export interface KindsOptions {
  json?: boolean;
}

const showDefault = (v: unknown, s: Setting) => (v === undefined ? null : s.value.show ? s.value.show(v as never) : v);

/** Every kind as `tfctl kinds --json` shows it: what it does, its family and its settings. */
export function describeKind(kind: BotKind) {
  return {
    name: kind.name,
    family: kind.family,
    summary: kind.summary,
    backlog: kind.backlog.label,
    publishes: kind.publishes,
    preview: Boolean(kind.preview),
    settings: schemaOf(kind).map((s) => ({
      key: s.key,
      aliases: [...(s.aliases ?? [])],
      type: s.value.type,
      default: showDefault(defaultOf(kind, s), s),
      ...(s.value.type === 'duration' ? { default_s: defaultOf(kind, s) ?? null } : {}),
      required: Boolean(s.required),
      secret: Boolean(s.secret),
      create: !s.setOnly,
      help: s.help,
    })),
  };
}

export async function run(opts: KindsOptions, io: Io): Promise<void> {
  const kinds = KINDS.map(describeKind);
  if (opts.json) return printJson(kinds, io);
  const blocks = kinds.map((k) => {
    const lines = [`${k.name} (${k.family}): ${k.summary}`];
    const flags = (s: (typeof k.settings)[number]) => [s.key, ...s.aliases].join(', ');
    const width = Math.max(...k.settings.map((s) => flags(s).length));
    for (const s of k.settings) {
      const notes = [s.type, s.required ? 'required' : s.default !== null ? `default ${s.default}` : '', s.create ? '' : 'set only'].filter(Boolean).join('; ');
      lines.push(`  ${flags(s).padEnd(width)}  ${s.help} (${notes})`);
    }
    return lines.join('\n');
  });
  io.out(`${blocks.join('\n\n')}\n`);
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('kinds')
    .description('every bot kind: what it does, source/consumer/standalone, its settings with types, defaults and meaning')
    .option('--json', 'print JSON')
    .action((opts: KindsOptions) => run(opts, ctx.io));
}

