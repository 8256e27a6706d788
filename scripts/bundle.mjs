// Bundles the CLI into CommonJS files in dist/bundle/, so that a cold start reads a few files instead of
// some hundreds. tfctl.cjs holds tfctl's own modules and commander; each command's modules are wrapped
// to run only when the command is loaded (src/cli/commands/index.ts imports the one that runs), so a
// cold `tfctl list` runs only list's. Two big parts that few commands need are files of their own, read
// on first use, so other commands do not even compile them: ioredis.cjs (store/connect.ts imports it
// on a command's first connection; `list` reads over store/oneshot.ts) and sandbox.cjs (the local X
// API, which imports nothing of the farm). text-worker.cjs is the text engine's thread (src/text/
// engine.ts), with twitter-text inside: one file to read, where twitter-text alone is some hundred. The other dependencies (az, twitter-api-v2, tar, influx…)
// stay in node_modules and are imported when a command runs.
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
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
  // A CommonJS file has no import.meta: the modules' import.meta.url becomes the bundle's own URL. The
  // bundles sit two folders down, like the modules, so their relative paths (package.json, the Lua
  // scripts, the sandbox's fixtures) still hold.
  inject: ['scripts/bundle-import-meta-url.js'],
  define: { 'import.meta.url': 'importMetaUrl' },
};
/** The parts in files of their own: the package or module (by its path) → the file. */
const beside = new Map([
  ['ioredis', 'ioredis.cjs'],
  [resolve('dist/sandbox/server.js'), 'sandbox.cjs'],
]);

rmSync('dist/bundle', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/bundle/tfctl.cjs',
  external: Object.keys(dependencies).filter((name) => name !== 'commander' && name !== 'ioredis'),
  plugins: [
    {
      // An import of one of them runs a require of the file beside this one (a require, not an
      // import(): that would go through Node's ESM loader, and see no named exports).
      name: 'beside',
      setup(b) {
        b.onResolve({ filter: /^ioredis$|\/server\.js$/ }, (args) => {
          const file = beside.get(args.path) ?? beside.get(resolve(args.resolveDir, args.path));
          return file ? { path: file, namespace: 'beside' } : undefined;
        });
        b.onLoad({ filter: /.*/, namespace: 'beside' }, (args) => ({ contents: `module.exports = require('./${args.path}');` }));
        b.onResolve({ filter: /^\.\/\w+\.cjs$/ }, (args) => ({ path: args.path, external: true }));
      },
    },
  ],
});
await build({ ...common, stdin: { contents: "module.exports = require('ioredis');", resolveDir: '.' }, outfile: 'dist/bundle/ioredis.cjs' });
await build({ ...common, entryPoints: ['dist/sandbox/server.js'], outfile: 'dist/bundle/sandbox.cjs', external: Object.keys(dependencies) });
// twitter-text requires 'punycode', which it lists as a dependency, but Node answers with its own deprecated
// built-in module, and warns (DEP0040) when the require is not in node_modules, as inside this bundle: the
// package from node_modules ('punycode/') is bundled instead.
await build({
  ...common,
  entryPoints: ['dist/text/worker.js'],
  outfile: 'dist/bundle/text-worker.cjs',
  external: Object.keys(dependencies).filter((name) => name !== 'twitter-text'),
  alias: { punycode: 'punycode/' },
});
