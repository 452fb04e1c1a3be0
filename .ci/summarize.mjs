// Sums the vitest JSON reports of every workspace into the one closing line CI reads.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
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
for (const dir of dirs) {
  const file = join(root, dir, 'test-results', 'vitest.json');
  if (!existsSync(join(root, dir, 'package.json'))) continue;
  const scripts = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).scripts ?? {};
  if (!scripts.test) continue;
  if (!existsSync(file)) {
    console.log(`${dir}: no test report (suite did not run or crashed)`);
    missing++;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const failedSuites = (r.testResults ?? []).filter(
    (s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0,
  ).length;
  console.log(
    `${dir}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + (r.numTodoTests ?? 0)} skipped${failedSuites ? `, ${failedSuites} suites failed to load` : ''}`,
  );
  passed += r.numPassedTests;
  failed += r.numFailedTests + failedSuites;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
}
failed += missing;
if (skipped > 0) console.log(`${skipped} skipped (suites whose service is not configured)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
