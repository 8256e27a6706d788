// Bundles the CLI for a fast cold start, in two steps:
// 1. esbuild puts commander, ioredis and tfctl's own modules into one CommonJS file,
//    dist/bundle/tfctl.cjs. Modules that commands load on demand stay lazy inside it, and the heavy
//    packages they use (az, twitter-api-v2, influx, tar…) stay outside and are required on first use.
// 2. The bundle is run to write V8's code caches for it, dist/bundle/tfctl.cjs.{quick,full}.cache.
//    bin/tfctl hands the right one to V8, so a cold `tfctl list` skips most parsing and compiling.
import { execFileSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import Module from 'node:module';
import { build } from 'esbuild';

const external = ['az', 'twitter-api-v2', 'twitter-text', 'influx', 'tar', 'node-cron', 'pino', 'pino-pretty', 'yaml'];

/**
 * Rewrites of start-up work in bundled packages, which every cold `tfctl` pays. Each module below is
 * loaded on first use instead of up front:
 * - ioredis: tls (only rediss:// connections use it), the whole Cluster implementation (tfctl talks to
 *   one server) and crypto (only registered Lua scripts need a SHA-1);
 * - commander: child_process (only executable subcommands use it; tfctl has none);
 * - redis-errors: assert (only to check a parser error's arguments).
 * Each rewrite must match exactly once, or the build fails: a new release that changes these lines is
 * noticed, not silently left slow.
 */
const startupRewrites = [
  { file: /ioredis[\\/]built[\\/]connectors[\\/]StandaloneConnector\.js$/, eager: 'const tls_1 = require("tls");', lazy: 'const tls_1 = { get connect() { return require("tls").connect; } };' },
  { file: /ioredis[\\/]built[\\/]connectors[\\/]SentinelConnector[\\/]index\.js$/, eager: 'const tls_1 = require("tls");', lazy: 'const tls_1 = { get connect() { return require("tls").connect; } };' },
  { file: /ioredis[\\/]built[\\/]Redis\.js$/, eager: 'const cluster_1 = require("./cluster");', lazy: 'const cluster_1 = { get default() { return require("./cluster").default; } };' },
  { file: /ioredis[\\/]built[\\/]Redis\.js$/, eager: 'Redis.Cluster = cluster_1.default;', lazy: 'Object.defineProperty(Redis, "Cluster", { configurable: true, enumerable: true, get: () => cluster_1.default });' },
  { file: /ioredis[\\/]built[\\/]index\.js$/, eager: 'var cluster_1 = require("./cluster");', lazy: 'var cluster_1 = { get default() { return require("./cluster").default; } };' },
  { file: /ioredis[\\/]built[\\/]Script\.js$/, eager: 'const crypto_1 = require("crypto");', lazy: 'const crypto_1 = { get createHash() { return require("crypto").createHash; } };' },
  { file: /commander[\\/]lib[\\/]command\.js$/, eager: "const childProcess = require('node:child_process');", lazy: "const childProcess = { get spawn() { return require('node:child_process').spawn; } };" },
  {
    file: /redis-errors[\\/]lib[\\/]modern\.js$/,
    eager: "const assert = require('assert')",
    lazy: "const assert = Object.assign((value) => require('assert')(value), { strictEqual: (a, b) => require('assert').strictEqual(a, b) })",
  },
  // ioredis adds ~570 command methods to Commander.prototype one by one. V8 re-shapes a prototype object
  // on every addition, which costs over 20 ms per process; the same methods built on a plain object and
  // put under the class's own methods cost under 1 ms. Lookups find the same functions (none of the
  // class's own methods is a Redis command name; one that were would still be set on the prototype).
  {
    file: /ioredis[\\/]built[\\/]utils[\\/]Commander\.js$/,
    eager: `commands.forEach(function (commandName) {
    Commander.prototype[commandName] = generateFunction(commandName, commandName, "utf8");
    Commander.prototype[commandName + "Buffer"] = generateFunction(commandName + "Buffer", commandName, null);
});`,
    lazy: `const builtinCommands = {};
commands.forEach(function (commandName) {
    builtinCommands[commandName] = generateFunction(commandName, commandName, "utf8");
    builtinCommands[commandName + "Buffer"] = generateFunction(commandName + "Buffer", commandName, null);
});
for (const name of Object.keys(builtinCommands)) {
    if (Object.prototype.hasOwnProperty.call(Commander.prototype, name)) Commander.prototype[name] = builtinCommands[name];
}
Object.setPrototypeOf(Commander.prototype, builtinCommands);`,
  },
];
const applied = new Set();
const lighterStartup = {
  name: 'lighter-startup',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/](ioredis|commander|redis-errors)[\\/].*\.js$/ }, async (args) => {
      const rewrites = startupRewrites.filter((r) => r.file.test(args.path));
      if (rewrites.length === 0) return undefined;
      let source = await readFile(args.path, 'utf8');
      for (const r of rewrites) {
        if (source.split(r.eager).length !== 2) throw new Error(`bundle: expected "${r.eager}" once in ${args.path}`);
        source = source.replace(r.eager, () => r.lazy);
        applied.add(r);
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

/**
 * debug (ioredis's logger) tries `require('supports-color')` in a try block. The package is not installed,
 * so at run time node would search every node_modules folder up to the root and build an error, on every
 * start. Bundled as absent, the require answers at once with what debug gets when it is missing.
 */
const absentOptional = {
  name: 'absent-optional',
  setup(b) {
    b.onResolve({ filter: /^supports-color$/ }, (args) => ({ path: args.path, namespace: 'absent' }));
    b.onLoad({ filter: /.*/, namespace: 'absent' }, () => ({ contents: 'module.exports = undefined;', loader: 'js' }));
  },
};

/**
 * debug (ioredis's logger) loads tty and reads the environment for colours and options as it starts, on
 * every run, though it logs nothing unless DEBUG names a namespace. In the bundle, ioredis gets loggers
 * that are off while DEBUG is unset, and the real package when it is set: DEBUG=ioredis:* still works.
 */
const debugWhenAsked = {
  name: 'debug-when-asked',
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, (args) =>
      args.namespace === 'debug-when-asked' ? undefined : { path: 'debug', namespace: 'debug-when-asked', pluginData: args.resolveDir },
    );
    b.onLoad({ filter: /.*/, namespace: 'debug-when-asked' }, (args) => ({
      contents: `if (process.env.DEBUG) {
  module.exports = require('debug');
} else {
  const off = (namespace) => Object.assign(() => {}, { namespace, enabled: false, log: () => {}, destroy: () => false, extend: (name, d = ':') => off(namespace + d + name) });
  module.exports = Object.assign(off, { default: off, enabled: () => false });
}`,
      resolveDir: args.pluginData,
      loader: 'js',
    }));
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
  // Less text to read at every start; names are kept, so --verbose stack traces still read.
  // TFCTL_BUNDLE_READABLE=1 keeps one module per block, marked by its path, for profiling.
  minifyWhitespace: !process.env.TFCTL_BUNDLE_READABLE,
  minifySyntax: !process.env.TFCTL_BUNDLE_READABLE,
  external,
  plugins: [lighterStartup, absentOptional, debugWhenAsked, dynamicImportsAsRequire],
  // The bundle sits two folders down, like the modules it came from, so their relative asset paths hold.
  define: { 'import.meta.url': '__tfctlModuleUrl' },
  logLevel: 'warning',
});
const missed = startupRewrites.filter((r) => !applied.has(r));
if (missed.length > 0) throw new Error(`bundle: no file matched ${missed.map((r) => r.file).join(', ')}`);

// esbuild escapes non-ASCII text in strings but not in regular expressions. Escaped there too (\uXXXX means
// the same character in a pattern), the bundle is pure ASCII: bin/tfctl reads it as latin1, a plain copy
// into a one-byte string, where UTF-8 decoding would cost every start a few milliseconds.
const bundle = (await readFile('dist/bundle/tfctl.cjs', 'utf8')).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
// What import.meta.url stood for (see `define` above), declared after esbuild's "use strict", which must
// stay first to keep the whole bundle strict, as its ES modules were.
const strict = '"use strict";';
if (!bundle.startsWith(strict)) throw new Error('bundle: esbuild\'s output no longer starts with "use strict"');
const moduleUrl = "const __tfctlModuleUrl = require('node:url').pathToFileURL(__filename).href;";
// The file is also stored already wrapped as CommonJS wraps a module, so bin/tfctl compiles the text it
// read as is: joining the wrapper on at run time made V8 copy the whole text once more.
await writeFile('dist/bundle/tfctl.cjs', Module.wrap(`${strict}${moduleUrl}${bundle.slice(strict.length)}`));
if (/\bimport\(/.test(bundle.replace(/["'`][^"'`\n]*import\([^"'`\n]*["'`]/g, ''))) {
  throw new Error('bundle: a dynamic import() is left in dist/bundle/tfctl.cjs; code run from the code cache cannot make it');
}
// One code cache per kind of command (see bin/tfctl). V8 puts in a cache the functions compiled by the
// time it is written, so each is written by a command of its kind running: the full one by `tick --help`,
// the quick one by `tfctl list` of a small farm on a private redis-server, so that it holds what a
// listing runs (a cold list then takes about 8% fewer instructions than with a cache written by
// `--version`). Without redis-server, `--version` writes the quick one.
const tfctl = (args, env = {}) => execFileSync(process.execPath, ['bin/tfctl', ...args], { env: { ...process.env, TFCTL_CODE_CACHE: '', ...env }, stdio: 'ignore' });
tfctl(['tick', '--help'], { TFCTL_CODE_CACHE: 'write' });
const { startRedis } = await import('../dist/dev/redis-server.js');
const redis = await startRedis().catch((err) => {
  console.warn(`bundle: the quick code cache is written by --version (${err.message})`);
  return undefined;
});
if (!redis) {
  tfctl(['--version'], { TFCTL_CODE_CACHE: 'write' });
} else {
  try {
    const farm = { REDIS_URL: redis.url, TFCTL_PREFIX: 'codecache' };
    tfctl(['create', 'r1', 'reader'], farm);
    tfctl(['create', 'w1', 'writer', '--reader', 'r1', '--template', '%s'], farm);
    tfctl(['list'], { ...farm, TFCTL_CODE_CACHE: 'write' });
  } finally {
    await redis.stop();
  }
}
