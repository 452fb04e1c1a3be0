import { Client } from 'pg';

/** A throw-away database on the CI PostgreSQL, so parallel or repeated runs never see each other's rows. */
export async function createTempDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lectern_e2e_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
