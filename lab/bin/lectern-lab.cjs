#!/usr/bin/env node
// npm links bins at install time, before the workspace is built, so the link points at this file,
// which runs the build output (and says how to make it when it is missing).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist/cli.js');
if (!existsSync(cli)) {
  process.stderr.write('lectern-lab: ' + cli + ' is missing; run `npm run build` at the repository root first\n');
  process.exit(1);
}
require(cli);
