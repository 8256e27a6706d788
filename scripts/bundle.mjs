// Bundles the CLI into CommonJS files in dist/bundle/, so that a cold start reads a few files instead of
// some hundreds: tfctl.cjs holds tfctl's own modules and commander, which every command needs;
// ioredis.cjs holds ioredis, which store/connect.ts imports on a command's first connection. A command
// that only lists never loads it (store/oneshot.ts), and it is the biggest thing to compile and run.
// The other dependencies (az, twitter-api-v2, tar, influx…) stay in node_modules; a command imports
// them when it runs, so `tfctl list` never loads them.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const { dependencies } = JSON.parse(readFileSync('package.json', 'utf8'));
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Less text to read at every start; names are kept, so stack traces (--verbose) still read.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};

rmSync('dist/bundle', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/bundle/tfctl.cjs',
  external: Object.keys(dependencies).filter((name) => name !== 'commander' && name !== 'ioredis'),
  plugins: [
    {
      // `import('ioredis')` runs a require of the bundle beside this one, made below (a require, not
      // an import(): that would go through Node's ESM loader, and see no named exports).
      name: 'ioredis-beside',
      setup(b) {
        b.onResolve({ filter: /^ioredis$/ }, () => ({ path: 'ioredis', namespace: 'beside' }));
        b.onLoad({ filter: /.*/, namespace: 'beside' }, () => ({ contents: "module.exports = require('./ioredis.cjs');" }));
        b.onResolve({ filter: /^\.\/ioredis\.cjs$/ }, () => ({ path: './ioredis.cjs', external: true }));
      },
    },
  ],
  // A CommonJS file has no import.meta: the modules' import.meta.url becomes the bundle's own URL. The
  // bundle sits two folders down, like the modules, so their relative paths (package.json, the Lua
  // scripts, the sandbox's fixtures) still hold.
  inject: ['scripts/bundle-import-meta-url.js'],
  define: { 'import.meta.url': 'importMetaUrl' },
});
await build({ ...common, stdin: { contents: "module.exports = require('ioredis');", resolveDir: '.' }, outfile: 'dist/bundle/ioredis.cjs' });
