// Bundles the CLI for a fast cold start, in two steps:
// 1. esbuild puts commander, ioredis and tfctl's own modules into one CommonJS file,
//    dist/bundle/tfctl.cjs. Modules that commands load on demand stay lazy inside it, and the heavy
//    packages they use (az, twitter-api-v2, influx, tar…) stay outside and are required on first use.
// 2. The bundle is run once (`--version`) to write V8's code cache for it, dist/bundle/tfctl.cjs.cache.
//    bin/tfctl hands that cache to V8, so a cold `tfctl list` skips most parsing and compiling.
import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const external = ['az', 'twitter-api-v2', 'twitter-text', 'influx', 'tar', 'node-cron', 'pino', 'pino-pretty'];

/**
 * ioredis loads, up front, node's tls module (needed only for rediss:// connections) and its whole Cluster
 * implementation (tfctl talks to one server); together they cost every cold start several milliseconds.
 * These rewrites load each on first use instead. Each must match, or the build fails: a new ioredis
 * release that changes these lines is noticed, not silently left eager.
 */
const lazyRequires = [
  { file: /ioredis[\\/]built[\\/]connectors[\\/]StandaloneConnector\.js$/, eager: 'const tls_1 = require("tls");', lazy: 'const tls_1 = { get connect() { return require("tls").connect; } };' },
  { file: /ioredis[\\/]built[\\/]connectors[\\/]SentinelConnector[\\/]index\.js$/, eager: 'const tls_1 = require("tls");', lazy: 'const tls_1 = { get connect() { return require("tls").connect; } };' },
  { file: /ioredis[\\/]built[\\/]Redis\.js$/, eager: 'const cluster_1 = require("./cluster");', lazy: 'const cluster_1 = { get default() { return require("./cluster").default; } };' },
  { file: /ioredis[\\/]built[\\/]Redis\.js$/, eager: 'Redis.Cluster = cluster_1.default;', lazy: 'Object.defineProperty(Redis, "Cluster", { configurable: true, enumerable: true, get: () => cluster_1.default });' },
  { file: /ioredis[\\/]built[\\/]index\.js$/, eager: 'var cluster_1 = require("./cluster");', lazy: 'var cluster_1 = { get default() { return require("./cluster").default; } };' },
];
const lazyIoredis = {
  name: 'lazy-ioredis',
  setup(b) {
    b.onLoad({ filter: /ioredis[\\/]built[\\/].*\.js$/ }, async (args) => {
      const rewrites = lazyRequires.filter((r) => r.file.test(args.path));
      if (rewrites.length === 0) return undefined;
      let source = await readFile(args.path, 'utf8');
      for (const r of rewrites) {
        if (!source.includes(r.eager)) throw new Error(`bundle: expected "${r.eager}" in ${args.path}`);
        source = source.replace(r.eager, r.lazy);
      }
      return { contents: source, loader: 'js' };
    });
  },
};

/**
 * `await import('tar')` of a package left outside the bundle would stay a dynamic import, which code run
 * from a V8 code cache (vm.Script) cannot make without an experimental flag. Every package here can be
 * required, so such imports become a lazy require of it.
 */
const dynamicImportsAsRequire = {
  name: 'dynamic-imports-as-require',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'lazy-require' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-require' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

await rm('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/bundle/tfctl.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  plugins: [lazyIoredis, dynamicImportsAsRequire],
  // The bundle sits two folders down, like the modules it came from, so their relative asset paths hold.
  define: { 'import.meta.url': '__tfctlModuleUrl' },
  banner: { js: "const __tfctlModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});

const bundle = await readFile('dist/bundle/tfctl.cjs', 'utf8');
if (/\bimport\(/.test(bundle.replace(/["'`][^"'`\n]*import\([^"'`\n]*["'`]/g, ''))) {
  throw new Error('bundle: a dynamic import() is left in dist/bundle/tfctl.cjs; code run from the code cache cannot make it');
}
execFileSync(process.execPath, ['bin/tfctl', '--version'], { env: { ...process.env, TFCTL_CODE_CACHE: 'write' }, stdio: 'ignore' });
