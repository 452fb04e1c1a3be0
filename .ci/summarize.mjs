// Sums the vitest JSON reports of every workspace into the one closing line CI reads.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dirs = pkg.workspaces.flatMap((w) => {
  if (!w.endsWith('/*')) return [w];
  const base = w.slice(0, -2);
  return readdirSafe(join(root, base)).map((d) => `${base}/${d}`);
});

function readdirSafe(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
/** A workspace may hold more than one suite (cloud: server + dashboard): every test-results/vitest.json below it. */
function reportsUnder(dir) {
  const found = [];
  const walk = (d) => {
    for (const entry of readdirSafe(d)) {
      if (entry === 'node_modules' || entry.startsWith('.')) continue;
      const full = join(d, entry);
      if (entry === 'test-results' && existsSync(join(full, 'vitest.json'))) found.push(join(full, 'vitest.json'));
      else if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return found;
}

for (const dir of dirs) {
  if (!existsSync(join(root, dir, 'package.json'))) continue;
  const scripts = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).scripts ?? {};
  if (!scripts.test) continue;
  const files = reportsUnder(join(root, dir));
  if (files.length === 0) {
    console.log(`${dir}: no test report (suite did not run or crashed)`);
    missing++;
    continue;
  }
  for (const file of files) {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    const failedSuites = (r.testResults ?? []).filter(
      (s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0,
    ).length;
    const name = file.slice(root.length).replace(/\/test-results\/vitest\.json$/, '');
    console.log(
      `${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + (r.numTodoTests ?? 0)} skipped${failedSuites ? `, ${failedSuites} suites failed to load` : ''}`,
    );
    passed += r.numPassedTests;
    failed += r.numFailedTests + failedSuites;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  }
}
failed += missing;
if (skipped > 0) console.log(`${skipped} skipped (suites whose service is not configured)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
