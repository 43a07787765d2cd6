#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own runner (Node 20 takes no globs), through tsx.
// Extra arguments narrow the run: `npm test -- test/domain` runs the files under that folder.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  if (statSync(dir).isFile()) return dir.endsWith('.test.ts') ? [dir] : [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name === 'node_modules' || e.name === 'fixtures' ? [] : findTests(join(dir, e.name)),
  );
}

const roots = process.argv.slice(2);
const files = (roots.length ? roots : ['test']).flatMap(findTests).sort();
if (files.length === 0) {
  console.error('No test files found.');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
