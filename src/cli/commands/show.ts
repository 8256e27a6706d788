import type { Command } from 'commander';
import { botName } from '../../bots/bot.js';
import { botDetail } from '../../bots/view.js';
import { UsageError } from '../../errors.js';
import { withFarm } from '../context.js';
import { printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('show')
    .description("one bot's settings and state (secrets redacted); a writer's recent posts")
    .argument('<name>')
    .option('--json', 'print JSON')
    .action(async (nameInput: string, opts: { json?: boolean }) => {
      const name = botName(nameInput);
      const detail = await withFarm(async (farm) => {
        const found = await farm.store.detail(name);
        if (!found) throw new UsageError(`unknown bot "${name}" (see tfctl list)`);
        const { bot, backlog } = found;
        // Loaded here, not at the top: posts.js brings node's crypto, which other commands' cold starts skip.
        const { Posts } = await import('../../store/posts.js');
        const recent = bot.role === 'writer' ? await new Posts(farm.redis, farm.store.keys).recent(name, 5) : [];
        return { ...botDetail(bot, backlog), recent_posts: recent.map((p) => ({ id: p.id, at: new Date(p.at).toISOString(), text: p.text })) };
      });
      if (opts.json) return printJson(detail);
      const lines: string[] = [];
      for (const [key, value] of Object.entries(detail)) {
        if (value === null || value === undefined || key === 'recent_posts') continue;
        if (typeof value === 'object') {
          const parts = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${v}`);
          if (parts.length) lines.push(`${key}: ${parts.join(' ')}`);
        } else lines.push(`${key}: ${value}`);
      }
      if (detail.recent_posts.length) {
        lines.push('recent posts:');
        for (const p of detail.recent_posts) lines.push(`  ${p.at}  ${p.id}  ${p.text}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
