#!/usr/bin/env node
// Cuts X's OpenAPI document down to the operations the sandbox serves and every component they
// reference, transitively (including discriminator mappings, so `Problem` brings its subtypes).
// The tests validate responses against the result, test/fixtures/xapi/openapi.json; they never read
// the full document, which lives outside the repository.
//
//   node scripts/extract-openapi.mjs ../shared/xapi/openapi.json [out.json]
import { readFileSync, writeFileSync } from 'node:fs';

/** [path, method] of every operation the sandbox implements or the tests validate against. */
const OPERATIONS = [
  ['/2/users/me', 'get'],
  ['/2/users', 'get'],
  ['/2/users/by', 'get'],
  ['/2/users/by/username/{username}', 'get'],
  ['/2/users/{id}', 'get'],
  ['/2/users/{id}/timelines/reverse_chronological', 'get'],
  ['/2/users/{id}/tweets', 'get'],
  ['/2/users/{id}/mentions', 'get'],
  ['/2/users/{id}/retweets', 'post'],
  ['/2/users/{id}/retweets/{source_tweet_id}', 'delete'],
  ['/2/users/{id}/likes', 'post'],
  ['/2/users/{id}/likes/{tweet_id}', 'delete'],
  ['/2/users/{id}/liked_tweets', 'get'],
  ['/2/tweets', 'get'],
  ['/2/tweets', 'post'],
  ['/2/tweets/{id}', 'get'],
  ['/2/tweets/{id}', 'delete'],
  ['/2/tweets/{id}/retweeted_by', 'get'],
  ['/2/tweets/{id}/quote_tweets', 'get'],
  ['/2/tweets/{id}/liking_users', 'get'],
  ['/2/tweets/search/recent', 'get'],
  ['/2/tweets/counts/recent', 'get'],
  ['/2/tweets/search/stream', 'get'],
  ['/2/tweets/search/stream/rules', 'get'],
  ['/2/tweets/search/stream/rules', 'post'],
];

const [src, out = 'test/fixtures/xapi/openapi.json'] = process.argv.slice(2);
if (!src) {
  process.stderr.write('usage: node scripts/extract-openapi.mjs <openapi.json> [out.json]\n');
  process.exit(2);
}
const doc = JSON.parse(readFileSync(src, 'utf8'));

const paths = {};
for (const [p, method] of OPERATIONS) {
  const op = doc.paths[p]?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${p} is not in ${src}`);
  paths[p] ??= {};
  if (doc.paths[p].parameters) paths[p].parameters = doc.paths[p].parameters;
  paths[p][method] = op;
}

// Walk every "#/components/<section>/<name>" string reachable from the kept paths.
const keep = {};
const queue = [paths];
const REF = /^#\/components\/([^/]+)\/(.+)$/;
function visit(node) {
  if (typeof node === 'string') {
    const m = REF.exec(node);
    if (m && !keep[m[1]]?.has(m[2])) {
      (keep[m[1]] ??= new Set()).add(m[2]);
      const target = doc.components[m[1]]?.[m[2]];
      if (target === undefined) throw new Error(`dangling reference ${node}`);
      queue.push(target);
    }
  } else if (Array.isArray(node)) {
    node.forEach(visit);
  } else if (node && typeof node === 'object') {
    Object.values(node).forEach(visit);
  }
}
while (queue.length) visit(queue.pop());
// Security requirements name schemes without a $ref.
for (const item of Object.values(paths)) {
  for (const op of Object.values(item)) {
    for (const req of Array.isArray(op.security) ? op.security : []) {
      for (const name of Object.keys(req)) (keep.securitySchemes ??= new Set()).add(name);
    }
  }
}

const components = {};
for (const section of Object.keys(keep).sort()) {
  components[section] = {};
  for (const name of [...keep[section]].sort()) components[section][name] = doc.components[section][name];
}
const result = { openapi: doc.openapi, info: doc.info, servers: doc.servers, paths, components };
writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
const counts = Object.entries(components).map(([k, v]) => `${Object.keys(v).length} ${k}`).join(', ');
process.stdout.write(`${out}: ${OPERATIONS.length} operations, ${counts}\n`);
