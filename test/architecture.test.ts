// The layer rules of ARCHITECTURE.md, checked on every test run: each layer imports only what it may.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|tsx)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Every module a file imports: bare package names, or project paths relative to the repo root. */
function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs.map((s) => (s.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), s)) : s));
}

const RULES: { layer: string; allow: (spec: string) => boolean; why: string }[] = [
  {
    layer: 'src/shared',
    allow: (s) => s.startsWith('src/shared/') || s === 'zod',
    why: 'shared runs anywhere: only itself and zod',
  },
  {
    layer: 'src/server/domain',
    allow: (s) => s.startsWith('src/shared/') || s.startsWith('src/server/domain/') || s === 'saxes',
    why: 'domain is pure: no node:*, no I/O, no other layer',
  },
  {
    layer: 'src/server',
    allow: (s) => !/^src\/(renderer|main|cli)\//.test(s) && !/^(react|react-dom|electron)(\/|$)/.test(s),
    why: 'the server knows nothing of the console, Electron or the CLI',
  },
  {
    layer: 'src/renderer',
    allow: (s) => s.startsWith('src/renderer/') || s.startsWith('src/shared/') || !s.startsWith('src/') && !s.startsWith('node:'),
    why: 'the console talks to the server only through the shared API types',
  },
  {
    layer: 'src/main',
    allow: (s) => s.startsWith('src/main/') || s.startsWith('src/shared/') || ['src/server/compose.js', 'src/server/infra/data-dir.js', 'src/server/version.js', 'electron'].includes(s),
    why: 'the desktop shell only wires compose.ts to a window',
  },
];

for (const rule of RULES) {
  test(`layer rule: ${rule.layer} (${rule.why})`, () => {
    const bad = sources(rule.layer).flatMap((f) => imports(f).filter((s) => !rule.allow(s)).map((s) => `${f} imports ${s}`));
    assert.deepEqual(bad, [], `See ARCHITECTURE.md, "Layer rules".`);
  });
}

test('only phone/dialect.ts names XML elements of the phone wire', () => {
  const offenders = sources('src/server')
    .filter((f) => f !== join('src/server/phone/dialect.ts'))
    .filter((f) => /<NumOfFiles>|<BaseURL>|'NumOfFiles'|NumOfFiles:/.test(readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(offenders, []);
});

test('tests never load electron (its binary cannot be downloaded here); its types are fine', () => {
  const loadsElectron = /^\s*import\s+(?!type\b)[^;]*?from\s+['"]electron['"]|import\(\s*['"]electron['"]|require\(\s*['"]electron['"]/m;
  const bad = sources('test').filter(
    (f) => loadsElectron.test(readFileSync(join(ROOT, f), 'utf8')) || imports(f).some((s) => s.startsWith('src/main/main')),
  );
  assert.deepEqual(bad, []);
});
