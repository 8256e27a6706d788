import { Option, type Command } from 'commander';
import { defaultOf, KINDS, kindOf, requireKind, schemaOf } from '../../bots/index.js';
import { names, type Setting } from '../../bots/settings.js';
import type { Config } from '../../config.js';
import { botDetail } from '../../bots/view.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { printJson } from '../output.js';
import { UsageError } from '../../errors.js';
import { tokensFromEnv, tokensFromStdin, warnVisible } from '../secret-input.js';

export interface CreateOptions {
  name: string;
  kind: string;
  /** Setting values as typed, by setting key or commander's camelCase of it. */
  values: Record<string, string | undefined>;
  json?: boolean;
  /** Read the token and secret from stdin (one per line) instead of the command line. */
  tokenStdin?: boolean;
}

export async function run(opts: CreateOptions, io: Io, config: Config): Promise<void> {
  const kind = requireKind(opts.kind);
  const values = { ...opts.values };
  const given = values.token !== undefined || values.secret !== undefined;
  if (opts.tokenStdin) {
    if (given) throw new UsageError('--token-stdin replaces --token and --secret: give one or the other');
    Object.assign(values, await tokensFromStdin());
  } else if (given) warnVisible(io);
  else Object.assign(values, tokensFromEnv(config));
  const bot = await withFarm(config, (farm) => farm.create({ name: opts.name, role: kind.name, ...values }));
  if (opts.json) printJson(botDetail(bot, 0), io);
  else io.out(`created ${bot.role} ${bot.name}\n`);
}

/** The words after `create` that are not options: the name and the kind, when given. */
function positionals(argv: string[], valued: Set<string>): string[] {
  const at = argv.indexOf('create');
  const out: string[] = [];
  for (let i = at + 1; at >= 0 && i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (valued.has(a)) i++; // its value is the next word
      continue;
    }
    out.push(a);
  }
  return out;
}

const flag = (s: Setting, n: string) => `--${n} ${s.arg}`;

/**
 * Options come from the kinds' settings. Every kind's are accepted (so a setting given to the wrong
 * kind gets a message saying whose it is); help shows only the named kind's, or all of them by kind.
 */
export function register(program: Command, ctx: CommandContext, argv: string[] = []): void {
  const all = new Map<string, Setting>();
  for (const k of KINDS) for (const s of schemaOf(k)) if (!s.setOnly) for (const n of names(s)) if (!all.has(n)) all.set(n, s);
  const valued = new Set([...all.keys()].map((n) => `--${n}`));
  const named = kindOf(positionals(argv, valued)[1] ?? '');
  const shown = named ? new Set(schemaOf(named).flatMap((s) => (s.setOnly ? [] : names(s)))) : undefined;

  const cmd = program
    .command('create')
    .description(named ? `create a ${named.name} bot: ${named.summary}` : `create a bot of one of the kinds: ${KINDS.map((k) => k.name).join(', ')} (tfctl kinds describes them)`)
    .argument('<name>', 'bot name (letters, digits, _; a leading @ is ignored)')
    .argument('<kind>', KINDS.map((k) => k.name).join(' or '));
  for (const [n, s] of all) {
    const owners = KINDS.filter((k) => schemaOf(k).includes(s)).map((k) => k.name);
    const common = owners.length === KINDS.length;
    const alias = n !== s.key ? ` (same as --${s.key})` : '';
    const d = named ? defaultOf(named, s) : s.default;
    const dflt = d !== undefined ? ` (default ${s.value.show ? s.value.show(d as never) : d})` : '';
    const help = `${common || named ? '' : `${owners.join(', ')}: `}${s.help}${alias}${s.required ? ' (required)' : dflt}`;
    const option = new Option(flag(s, n), help);
    if (shown && !shown.has(n)) option.hideHelp();
    cmd.addOption(option);
  }
  cmd
    .option('--token-stdin', 'read the access token and its secret from stdin, one per line (TFCTL_TOKEN and TFCTL_TOKEN_SECRET also work): kept out of ps')
    .option('--json', 'print the created bot as JSON')
    .action(async (name: string, kind: string, opts: Record<string, string | boolean | undefined>) => {
      const { json, tokenStdin, ...values } = opts;
      await run({ name, kind, values: values as Record<string, string | undefined>, json: json === true, tokenStdin: tokenStdin === true }, ctx.io, ctx.config());
    });
  if (!named) cmd.addHelpText('after', `\nEach kind's own settings: tfctl create <name> <kind> --help`);
}
