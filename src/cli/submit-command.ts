/**
 * `gridsync submit --tenant T --file F [--url U] [--kind grid|signals] [--mappings-dir D] [--webhook-id ID]`:
 * signs a grid or a signal batch with the tenant's webhook secret and posts it, as any Standard Webhooks sender
 * would. The file's bytes are sent unchanged, so what is signed is exactly what was written.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { type Config, loadConfig } from '../config/env.ts';
import { describeSecretRef, secretFromEnvironment } from '../config/secrets.ts';
import { signedWebhookHeaders } from '../intake/sign-webhook.ts';
import { loadMappingFile } from '../mapping/load-mapping-file.ts';
import { formatMappingError } from '../mapping/mapping-errors.ts';

const USAGE = `usage: gridsync submit --tenant T --file F [--url U] [--kind grid|signals] [--mappings-dir D] [--webhook-id ID]

  --tenant        tenant id (its mapping file names the signing secret)
  --file          JSON file: one grid, or { "signals": [ … ] }
  --url           where gridsync listens (default http://localhost:$PORT, PORT defaulting to 8080)
  --kind          grid or signals (default: signals when the file has a "signals" list, else grid)
  --mappings-dir  where <tenant>.yaml lives (default GRIDSYNC_MAPPINGS_DIR or ./mappings)
  --webhook-id    reuse the id of an earlier attempt to retry it without creating a duplicate
`;

const REQUEST_TIMEOUT_MS = 30_000;

type Kind = 'grid' | 'signals';

function fail(message: string, code = 1): number {
  process.stderr.write(`gridsync submit: ${message}\n`);
  return code;
}

function parseSubmitArgs(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    options: {
      tenant: { type: 'string' },
      file: { type: 'string' },
      url: { type: 'string' },
      kind: { type: 'string' },
      'mappings-dir': { type: 'string' },
      'webhook-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

export async function submitCommand(args: string[]): Promise<number> {
  let values: ReturnType<typeof parseSubmitArgs>;
  try {
    values = parseSubmitArgs(args);
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { tenant, file } = values;
  if (tenant === undefined || file === undefined) {
    return fail(`--tenant and --file are required\n\n${USAGE}`, 2);
  }
  if (values.kind !== undefined && values.kind !== 'grid' && values.kind !== 'signals') {
    return fail(`--kind must be grid or signals, not "${values.kind}"`, 2);
  }

  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    return fail((error as Error).message);
  }
  let body: Buffer;
  let json: unknown;
  try {
    body = await readFile(file);
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return fail(`cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  const kind: Kind =
    values.kind ?? (Array.isArray((json as { signals?: unknown } | null)?.signals) ? 'signals' : 'grid');

  const mappingFile = join(values['mappings-dir'] ?? config.GRIDSYNC_MAPPINGS_DIR, `${tenant}.yaml`);
  const loaded = loadMappingFile(mappingFile);
  if (!loaded.ok) {
    return fail(
      `the mapping of tenant "${tenant}" does not load:\n${loaded.error.map(formatMappingError).join('\n')}`,
    );
  }
  const secretRef = loaded.value.mapping.secrets.webhookSigningSecret;
  const secret = secretFromEnvironment()(secretRef);
  if (secret === undefined) {
    return fail(
      `the webhook signing secret of tenant "${tenant}" is not set: set ${describeSecretRef(secretRef)}` +
        ` (the example tenants' development values are in mappings/examples.dev.env:` +
        ` node --env-file=mappings/examples.dev.env src/cli.ts submit …)`,
    );
  }

  let headers;
  try {
    headers = signedWebhookHeaders({
      secrets: secret,
      body,
      ...(values['webhook-id'] ? { webhookId: values['webhook-id'] } : {}),
    });
  } catch (error) {
    return fail(`cannot sign with ${describeSecretRef(secretRef)}: ${(error as Error).message}`);
  }

  const base = (values.url ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '');
  const target = `${base}/v1/tenants/${encodeURIComponent(tenant)}/${kind === 'grid' ? 'grids' : 'signals'}`;
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { ...headers },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return fail(`could not reach ${target}: ${cause} (is gridsync running? start it with npm start)`);
  }

  const text = await response.text();
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON (a proxy's error page, say): print it as it came.
  }
  const replayed =
    response.headers.get('idempotent-replayed') === 'true'
      ? ' (replayed: this webhook-id was answered before)'
      : '';
  process.stdout.write(
    `POST ${target}\nwebhook-id: ${headers['webhook-id']}\nHTTP ${response.status} ${response.statusText}${replayed}\n${shown}\n`,
  );
  if (!response.ok && response.status >= 500) {
    process.stderr.write(
      `retry with --webhook-id ${headers['webhook-id']} so the same delivery is not stored twice\n`,
    );
  }
  return response.ok ? 0 : 1;
}
