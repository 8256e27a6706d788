// Bundles the CLI for a fast cold start: commander, ioredis and tfctl's own modules go into a few files
// in dist/bundle/ (code split, so each lazily loaded command stays lazy); the heavy packages a command
// loads on demand stay external. A cold `tfctl list` pays for far fewer module loads this way.
import { readFile, rm } from 'node:fs/promises';
import { build } from 'esbuild';

/**
 * ioredis loads node's tls module up front, though it needs it only for rediss:// connections; loading it
 * costs every cold start several milliseconds. Its connectors get it on first use instead.
 */
const lazyTls = {
  name: 'lazy-tls',
  setup(b) {
    b.onLoad({ filter: /ioredis[\\/]built[\\/]connectors[\\/].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const eager = 'const tls_1 = require("tls");';
      const lazy = 'const tls_1 = { get connect() { return require("tls").connect; } };';
      return { contents: source.replace(eager, lazy), loader: 'js' };
    });
  },
};

const external = ['az', 'twitter-api-v2', 'twitter-text', 'influx', 'tar', 'node-cron', 'pino', 'pino-pretty'];

// Chunk names change with their content: start from an empty folder so no stale chunk is left behind.
await rm('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: { main: 'dist/cli/main.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  logLevel: 'warning',
  plugins: [lazyTls],
  // CommonJS dependencies inside an ES module bundle still call require() for node's built-ins.
  banner: { js: "import { createRequire as __tfctlRequire } from 'node:module'; const require = __tfctlRequire(import.meta.url);" },
});
