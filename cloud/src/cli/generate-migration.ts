#!/usr/bin/env node
// Dev tool: prints the SQL that would bring a freshly migrated database in line with the entities.
// Usage: npx tsx src/cli/generate-migration.ts sqlite|postgres [postgresUrl] [ClassName] > file.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { pendingSchemaChanges } from '../db/schema-drift';

async function main(): Promise<void> {
  const dialect = process.argv[2];
  let url: string;
  let cleanup = (): void => {};
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'lectern-gen-'));
    url = `sqlite:${join(dir, 'gen.db')}`;
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  } else if (dialect === 'postgres') {
    url = process.argv[3] ?? 'postgres://postgres@127.0.0.1:5432/test';
  } else {
    throw new Error('usage: generate-migration sqlite|postgres [postgresUrl]');
  }
  try {
    const { up, down } = await pendingSchemaChanges(url);
    const name = process.argv[4] ?? `Migration${Date.now()}`;
    const body = (qs: string[]): string => qs.map((q) => `    await q.query(${JSON.stringify(q)});`).join('\n');
    process.stdout.write(
      [
        "import type { MigrationInterface, QueryRunner } from 'typeorm';",
        '',
        `export class ${name} implements MigrationInterface {`,
        `  name = '${name}';`,
        '',
        '  public async up(q: QueryRunner): Promise<void> {',
        body(up),
        '  }',
        '',
        '  public async down(q: QueryRunner): Promise<void> {',
        body(down),
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  } finally {
    cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
