// Bundles the CLI into one CommonJS file, dist/bundle/tfctl.cjs, so that a cold start reads one file
// instead of some hundreds: tfctl's own modules, and commander and ioredis, which every command needs.
// The other dependencies (az, twitter-api-v2, tar, influx…) stay in node_modules; a command imports
// them when it runs, so `tfctl list` never loads them.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const everyCommand = ['commander', 'ioredis'];
const { dependencies } = JSON.parse(readFileSync('package.json', 'utf8'));

rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/bundle/tfctl.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: Object.keys(dependencies).filter((name) => !everyCommand.includes(name)),
  // Less text to read at every start; names are kept, so stack traces (--verbose) still read.
  minifyWhitespace: true,
  minifySyntax: true,
  // A CommonJS file has no import.meta: the modules' import.meta.url becomes the bundle's own URL. The
  // bundle sits two folders down, like the modules, so their relative paths (package.json, the Lua
  // scripts, the sandbox's fixtures) still hold.
  inject: ['scripts/bundle-import-meta-url.js'],
  define: { 'import.meta.url': 'importMetaUrl' },
  logLevel: 'warning',
});
