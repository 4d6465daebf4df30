/**
 * Issue 8 item 7: the Salesforce OAuth 2.0 JWT bearer flow per tenant, against the stand-in's token endpoint
 * (which checks the assertion's signature, issuer, subject, audience and expiry): tokens signed on demand,
 * re-signed when one expires, and a refused assertion bounded like every other flow.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { secretFromEnvironment } from '../../src/config/secrets.ts';
import { createSalesforceConnection } from '../../src/crm/salesforce/connect-salesforce.ts';
import type { SalesforceSettings } from '../../src/crm/salesforce/salesforce-auth.ts';
import { SalesforceFake, type SalesforceFakeOptions } from '../fakes/salesforce-fake/salesforce-fake.ts';
import { seedGridObject } from '../fakes/salesforce-fake/seed-grid-object.ts';
import { silentLogger } from '../support/loggers.ts';
import { gridUpsert, salesforceClient, salesforceMapping } from '../support/salesforce-client.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const USER = 'gridsync@globex.example';

let fake: SalesforceFake;
afterEach(() => fake.close());

async function start(options: Partial<SalesforceFakeOptions> = {}): Promise<void> {
  fake = await SalesforceFake.start({
    accessTokens: [],
    apps: [
      {
        clientId: 'consumer-key',
        clientSecret: 'unused',
        jwt: { publicKeyPem: PUBLIC_PEM, usernames: [USER] },
      },
    ],
    ...options,
  });
  seedGridObject(fake.org);
}

function jwtClient(username = USER, key = PRIVATE_PEM) {
  return salesforceClient({
    credentials: { kind: 'jwt_bearer', clientId: 'consumer-key', username, privateKey: key },
    loginUrl: fake.url,
  });
}

describe('Salesforce JWT bearer flow', () => {
  it('signs an assertion for the consumer key and user, gets a token and writes', async () => {
    await start();
    const [outcome] = await jwtClient().upsertGridRecords([gridUpsert(1)]);

    expect(outcome!.ok).toBe(true);
    expect(fake.oauth.grants.map((g) => g.grant)).toEqual(['jwt_bearer']);
    const form = new URLSearchParams(
      fake.requests.find((r) => r.path === '/services/oauth2/token')!.body as string,
    );
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(form.has('client_secret')).toBe(false);
    const claims = JSON.parse(Buffer.from(form.get('assertion')!.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ iss: 'consumer-key', sub: USER, aud: 'https://login.salesforce.com' });
    expect(claims.exp - Date.now() / 1000).toBeLessThanOrEqual(180);
  });

  it('signs a new assertion when the token expires (there is no refresh token)', async () => {
    await start({ tokenTtlMs: 300 });
    const client = jwtClient();
    await client.upsertGridRecords([gridUpsert(1)]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const [outcome] = await client.upsertGridRecords([gridUpsert(2)]);

    expect(outcome!.ok).toBe(true);
    expect(fake.oauth.grants.map((g) => g.grant)).toEqual(['jwt_bearer', 'jwt_bearer']);
  });

  it('a refused assertion makes the tenant need reconnection: one token call, then none during the cooldown', async () => {
    await start();
    const client = jwtClient('someone-else@globex.example');
    const errors = [];
    for (let i = 0; i < 4; i += 1) {
      errors.push(await client.upsertGridRecords([gridUpsert(i)]).catch((e: unknown) => e));
    }

    expect(errors.every((e) => (e as { kind?: string }).kind === 'auth_failed')).toBe(true);
    expect((errors[0] as Error).message).toContain('reconnect the tenant');
    expect(fake.requests.filter((r) => r.path === '/services/oauth2/token')).toHaveLength(1);
  });

  it('says so, without the key, when the private key is not one', async () => {
    await start();
    const error = await jwtClient(USER, 'not a key')
      .upsertGridRecords([gridUpsert(1)])
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: 'auth_failed' });
    expect((error as Error).message).toContain('crm.auth.privateKey');
    expect((error as Error).message).not.toContain('not a key');
    expect(fake.requests).toHaveLength(0);
  });

  it('connects from a mapping whose private key is a { file } secret', async () => {
    await start();
    const dir = mkdtempSync(join(tmpdir(), 'gridsync-jwt-'));
    writeFileSync(join(dir, 'salesforce.key'), PRIVATE_PEM);
    process.env.GLOBEX_SF_CONSUMER_KEY = 'consumer-key';
    const mapping = salesforceMapping();
    const crm = {
      ...(mapping.crm as SalesforceSettings),
      baseUrl: fake.url,
      auth: {
        kind: 'jwt_bearer' as const,
        clientId: { env: 'GLOBEX_SF_CONSUMER_KEY' },
        username: USER,
        privateKey: { file: join(dir, 'salesforce.key') },
      },
    };
    const connection = createSalesforceConnection(
      { ...mapping, crm },
      crm,
      secretFromEnvironment(),
      silentLogger(),
    );
    if (connection.mode !== 'live') throw new Error(`expected live, got ${connection.reason}`);
    const [outcome] = await connection.client.upsertGridRecords([gridUpsert(7)]);

    expect(outcome!.ok).toBe(true);
    expect(fake.oauth.grants.map((g) => g.grant)).toEqual(['jwt_bearer']);
    delete process.env.GLOBEX_SF_CONSUMER_KEY;
  });
});
