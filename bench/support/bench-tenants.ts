/** What the PostgreSQL benches set up for each run: a database of their own, and acme's mapping at a stand-in. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** A fresh database next to `baseUrl` (the test server); `drop` removes it, connections and all. */
export async function scratchDatabase(
  baseUrl: string,
  prefix: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const database = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** mappings/acme.yaml as `tenant`, on a plan of `limit` requests per 10 s, its crm.baseUrl at a stand-in. */
export function acmeMappingAt(crmUrl: string, limit: number, tenant = 'acme'): string {
  return readFileSync('mappings/acme.yaml', 'utf8')
    .replace(/^tenant: acme$/m, `tenant: ${tenant}`)
    .replace(/^ {2}plan: enterprise$/m, `  plan: starter\n  requestsPer10Seconds: ${limit}`)
    .replace(/^ {2}# baseUrl: .*$/m, `  baseUrl: ${crmUrl}`);
}
