import { describe, expect, it } from 'vitest';
import { OperationalError } from '../../src/errors.js';
import { beginMarker, buildBlock, displayValue, endMarker, envFileText, logrotateText, removeBlock, shellQuote, upsertBlock, type CronPlan } from '../../src/schedule/crontab.js';

const plan = (over: Partial<CronPlan> = {}): CronPlan => ({
  prefix: 'tf',
  node: '/usr/bin/node',
  bin: '/opt/tfctl/bin/tfctl',
  envFile: '/home/u/.config/tfctl/env',
  logDir: '/home/u/.local/state/tfctl',
  env: {
    REDIS_URL: 'redis://:redispw@127.0.0.1:6379/0',
    TFCTL_PREFIX: 'tf',
    TFCTL_CONSUMER_KEY: 'ck',
    TFCTL_CONSUMER_SECRET: "s3cr'et",
    TFCTL_INFLUX_URL: 'http://127.0.0.1:8086/tfctl',
  },
  ...over,
});

describe('buildBlock', () => {
  it('ticks every minute and sends stats every 10 minutes, sourcing the env file, with absolute paths', () => {
    const block = buildBlock(plan());
    const lines = block.trimEnd().split('\n');
    expect(lines[0]).toBe('# BEGIN tfctl tf');
    expect(lines.at(-1)).toBe('# END tfctl tf');
    const jobs = lines.filter((l) => !l.startsWith('#'));
    expect(jobs).toHaveLength(2);
    // The log gets the tick's JSON lines (info unless the env file says otherwise), each with its time.
    expect(jobs[0]).toBe("* * * * * set -a; TFCTL_LOG_LEVEL=info; . /home/u/.config/tfctl/env; set +a; exec /usr/bin/node /opt/tfctl/bin/tfctl tick > /dev/null 2>> /home/u/.local/state/tfctl/tick.log");
    expect(jobs[1]).toMatch(/^\*\/10 \* \* \* \* .* \/opt\/tfctl\/bin\/tfctl stats --quiet >> \/home\/u\/.local\/state\/tfctl\/stats.log 2>&1$/);
  });

  it('never shows the consumer secret or a URL password', () => {
    const block = buildBlock(plan());
    expect(block).not.toContain('s3cr');
    expect(block).not.toContain('redispw');
    expect(block).toContain('TFCTL_CONSUMER_SECRET=***');
    expect(block).toContain('TFCTL_CONSUMER_KEY=ck');
  });

  it('leaves stats out without an InfluxDB, and uses flock when given', () => {
    const block = buildBlock(plan({ env: { REDIS_URL: 'redis://h/0' }, flock: '/usr/bin/flock', lockDir: '/s' }));
    const jobs = block.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toContain('exec /usr/bin/flock -n /s/tick.lock /usr/bin/node');
  });

  it('adds a daily backup line only when asked, with its own lock and log', () => {
    expect(buildBlock(plan())).not.toContain(' backup ');
    const block = buildBlock(plan({ backup: { dir: '/var/backups/my tfctl', keep: 7 }, flock: '/usr/bin/flock', lockDir: '/s' }));
    const job = block.split('\n').find((l) => l.includes(' backup '))!;
    expect(job).toBe("23 3 * * * set -a; . /home/u/.config/tfctl/env; set +a; exec /usr/bin/flock -n /s/backup.lock /usr/bin/node /opt/tfctl/bin/tfctl backup '/var/backups/my tfctl' --keep 7 >> /home/u/.local/state/tfctl/backup.log 2>&1");
  });

  it('quotes odd paths and escapes % for cron', () => {
    const block = buildBlock(plan({ bin: "/opt/my tfctl/100%/bin/tfctl" }));
    expect(block).toContain("'/opt/my tfctl/100\\%/bin/tfctl' tick");
  });
});

describe('log rotation', () => {
  it('runs the user\'s own logrotate daily over the farm\'s logs, when logrotate is there', () => {
    expect(buildBlock(plan())).not.toContain('logrotate');
    const p = plan({ logrotate: '/usr/sbin/logrotate' });
    const job = buildBlock(p).split('\n').find((l) => l.includes('logrotate'))!;
    expect(job).toBe('17 4 * * * exec /usr/sbin/logrotate --state /home/u/.local/state/tfctl/logrotate.state /home/u/.config/tfctl/logrotate.conf');
    const conf = logrotateText(p);
    expect(conf).toContain('"/home/u/.local/state/tfctl/tick.log" "/home/u/.local/state/tfctl/stats.log" {');
    expect(conf).toMatch(/weekly[\s\S]*rotate 8[\s\S]*compress/);
  });
});

describe('envFileText', () => {
  it('shell-quotes every set value, secret included, and skips unset ones', () => {
    const text = envFileText(plan({ env: { ...plan().env, TFCTL_X_API: '' } }));
    expect(text).toContain("TFCTL_CONSUMER_SECRET='s3cr'\\''et'\n");
    expect(text).toContain('REDIS_URL=redis://:redispw@127.0.0.1:6379/0\n');
    expect(text).not.toContain('TFCTL_X_API');
    expect(shellQuote('a b$c')).toBe("'a b$c'");
    expect(displayValue('TFCTL_INFLUX_URL', 'http://u:pw@h:8086/db')).toBe('http://u:***@h:8086/db');
  });
});

describe('upsertBlock / removeBlock', () => {
  const mine = '# my own job\n0 3 * * * /usr/local/bin/backup\n';
  const other = `${beginMarker('other')}\n* * * * * other\n${endMarker('other')}\n`;

  it('appends once, replaces in place after, and keeps everything else', () => {
    const block = buildBlock(plan());
    const once = upsertBlock(mine + other, block, 'tf');
    expect(once.startsWith(mine + other)).toBe(true);
    expect(once).toContain(block);
    const twice = upsertBlock(once, block, 'tf');
    expect(twice).toBe(once);
    const changed = upsertBlock(once, buildBlock(plan({ bin: '/new/bin/tfctl' })), 'tf');
    expect(changed.match(/# BEGIN tfctl tf\n/g)).toHaveLength(1);
    expect(changed).toContain('/new/bin/tfctl');
    expect(changed).not.toContain('/opt/tfctl/bin/tfctl');
    expect(changed.startsWith(mine + other)).toBe(true);
    expect(upsertBlock('', block, 'tf')).toBe(block);
  });

  it('merges duplicate blocks into one and removes only its own', () => {
    const block = buildBlock(plan());
    const messy = `${block}${mine}${block}`;
    expect(upsertBlock(messy, block, 'tf')).toBe(block + mine);
    const installed = upsertBlock(mine + other, block, 'tf');
    const { text, removed } = removeBlock(installed, 'tf');
    expect(removed).toBe(1);
    expect(text).toBe(mine + other);
    expect(removeBlock(text, 'tf')).toEqual({ text, removed: 0 });
    expect(removeBlock(block, 'tf').text).toBe('');
  });

  it('refuses to guess when a block has no end', () => {
    expect(() => upsertBlock(`${mine}${beginMarker('tf')}\n* * * * * x\n`, buildBlock(plan()), 'tf')).toThrow(OperationalError);
    expect(() => removeBlock(`${beginMarker('tf')}\n`, 'tf')).toThrow(/without "# END tfctl tf"/);
  });
});
