/**
 * A bare intake process for the crash test: the real app on a SQLite file, listening on 127.0.0.1, printing
 * its port as one JSON line. Run as `node test/intake/serve-intake-process.ts <database> <tenant>`, with the
 * tenant's webhook secret in GRIDSYNC_TEST_WEBHOOK_SECRET.
 */
import { join } from 'node:path';

import { buildIntakeApp } from '../../src/intake/build-intake-app.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { loadMappingFile } from '../../src/mapping/load-mapping-file.ts';
import { openStore } from '../../src/store/open-store.ts';

const [database, tenant] = process.argv.slice(2);
const secret = process.env['GRIDSYNC_TEST_WEBHOOK_SECRET'];
if (database === undefined || tenant === undefined || secret === undefined) {
  throw new Error(
    'usage: serve-intake-process.ts <database> <tenant>, with GRIDSYNC_TEST_WEBHOOK_SECRET set',
  );
}
const loaded = loadMappingFile(join(import.meta.dirname, '../../mappings', `${tenant}.yaml`));
if (!loaded.ok) throw new Error(`mappings/${tenant}.yaml does not load`);

const store = await openStore(database);
const app = buildIntakeApp({
  store,
  mappings: { get: (name) => (name === tenant ? loaded.value : undefined), tenants: () => [tenant] },
  secrets: (ref) => (ref === loaded.value.mapping.secrets.webhookSigningSecret ? secret : undefined),
  logger: createLogger({ level: 'silent' }),
  publicUrl: 'http://127.0.0.1',
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url }) + '\n');
