// Copies the non-TypeScript files the built package needs (Lua scripts, sandbox fixtures) into dist/.
import { cpSync, existsSync } from 'node:fs';

const assets = [
  ['src/store/scripts', 'dist/store/scripts'],
  ['src/sandbox/fixtures', 'dist/sandbox/fixtures'],
];
for (const [from, to] of assets) {
  if (existsSync(from)) cpSync(from, to, { recursive: true, filter: (p) => !p.endsWith('.ts') });
}
