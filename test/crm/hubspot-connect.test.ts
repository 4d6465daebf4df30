import { afterEach, describe, expect, it } from 'vitest';

import { createHubSpotConnection } from '../../src/crm/hubspot/connect-hubspot.ts';
import type { HubSpotSettings } from '../../src/crm/hubspot/hubspot-limits.ts';
import type { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import { silentLogger } from '../support/loggers.ts';
import { envSecrets } from '../support/secrets.ts';
import { grids, startHubSpotFake, testMapping } from '../support/hubspot-client.ts';

function connect(auth: HubSpotSettings['auth'], values: Record<string, string>, baseUrl?: string) {
  const mapping = testMapping();
  const crm = {
    ...(mapping.crm as HubSpotSettings),
    ...(auth === undefined ? {} : { auth }),
    ...(baseUrl === undefined ? {} : { baseUrl }),
  };
  return createHubSpotConnection({ ...mapping, crm }, crm, envSecrets(values), silentLogger());
}

let fake: HubSpotFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('createHubSpotConnection', () => {
  it('builds a live HubSpot client from a service key', () => {
    const connection = connect(
      { kind: 'static_token', token: { env: 'ACME_HUBSPOT_TOKEN' } },
      { ACME_HUBSPOT_TOKEN: 'k' },
    );
    expect(connection.mode).toBe('live');
    if (connection.mode === 'live') expect(connection.client.crm).toBe('hubspot');
  });

  it('runs the tenant dry when a secret is missing, naming the reference, never a value', () => {
    const connection = connect(
      {
        kind: 'oauth',
        clientId: { env: 'HS_ID' },
        clientSecret: { env: 'HS_SECRET' },
        refreshToken: { env: 'HS_RT' },
      },
      { HS_ID: 'id', HS_SECRET: 'secret-value' },
    );
    expect(connection).toEqual({ mode: 'dry_run', reason: expect.stringContaining('HS_RT') });
    expect(JSON.stringify(connection)).not.toContain('secret-value');
  });

  it('runs the tenant dry without an auth block', () => {
    expect(connect(undefined, {}).mode).toBe('dry_run');
  });

  it('connects with OAuth against the mapping’s base URL and refreshes the token itself', async () => {
    fake = await startHubSpotFake({
      accessTokens: [],
      oauth: { clientId: 'id', clientSecret: 'secret', refreshToken: 'rt', expiresInSeconds: 1800 },
    });
    const connection = connect(
      {
        kind: 'oauth',
        clientId: { env: 'HS_ID' },
        clientSecret: { env: 'HS_SECRET' },
        refreshToken: { env: 'HS_RT' },
      },
      { HS_ID: 'id', HS_SECRET: 'secret', HS_RT: 'rt' },
      fake.url,
    );
    if (connection.mode !== 'live') throw new Error(`expected a live connection, got ${connection.reason}`);
    const [outcome] = await connection.client.upsertGridRecords(grids(1));

    expect(outcome!.ok).toBe(true);
    expect(fake.callCount('POST /oauth/2026-03/token')).toBe(1);
  });
});
