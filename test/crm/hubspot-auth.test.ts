import { afterEach, describe, expect, it } from 'vitest';

import { CrmError } from '../../src/crm/crm-errors.ts';
import { staticTokenProvider } from '../../src/crm/hubspot/hubspot-auth.ts';
import { HubSpotFake } from '../fakes/hubspot-fake-server.ts';
import {
  clientFor,
  GRID_OBJECT,
  grids,
  oauthOnly,
  oauthTokensFrom,
  startHubSpotFake,
} from '../support/hubspot-client.ts';

const TOKEN_ROUTE = 'POST /oauth/2026-03/token';

let fake: HubSpotFake;
afterEach(() => fake.close());

async function startOAuth(expiresInSeconds: number): Promise<HubSpotFake> {
  fake = await startHubSpotFake(oauthOnly(expiresInSeconds));
  return fake;
}

describe('OAuth access tokens', () => {
  it('refreshes the token ahead of its expires_in, form-encoded with grant_type=refresh_token', async () => {
    await startOAuth(10);
    let clock = 0;
    const tokens = oauthTokensFrom(fake, { now: () => clock });
    const client = clientFor(fake, { accessToken: tokens });

    await client.upsertGridRecords(grids(1));
    clock = 8_500; // before the 9 s mark (a tenth of the life is the margin): the same token
    await client.upsertGridRecords(grids(1, 1));
    expect(fake.callCount(TOKEN_ROUTE)).toBe(1);
    clock = 9_500; // inside the margin: a fresh token before HubSpot would refuse the old one
    await client.upsertGridRecords(grids(1, 2));

    expect(fake.callCount(TOKEN_ROUTE)).toBe(2);
    const form = new URLSearchParams(fake.bodiesOf(TOKEN_ROUTE)[0] as string);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'refresh_token',
      client_id: 'client-1',
      client_secret: 'secret-1',
      refresh_token: 'refresh-1',
    });
    expect(fake.requests.filter((r) => r.status === 401)).toHaveLength(0);
  });

  it('refreshes once after a 401 (a revoked token) and retries the request', async () => {
    await startOAuth(1800);
    const tokens = oauthTokensFrom(fake);
    const client = clientFor(fake, { accessToken: tokens });
    await client.upsertGridRecords(grids(1));
    fake.revokeTokens();

    const [outcome] = await client.upsertGridRecords(grids(1, 1));

    expect(outcome!.ok).toBe(true);
    expect(fake.requests.map((r) => `${r.route.split(' ')[1]} ${r.status}`)).toEqual([
      '/oauth/2026-03/token 200',
      `/crm/objects/2026-03/${GRID_OBJECT}/batch/upsert 200`,
      `/crm/objects/2026-03/${GRID_OBJECT}/batch/upsert 401`,
      '/oauth/2026-03/token 200',
      `/crm/objects/2026-03/${GRID_OBJECT}/batch/upsert 200`,
    ]);
  });

  it('shares one refresh among concurrent requests', async () => {
    await startOAuth(1800);
    const tokens = oauthTokensFrom(fake);
    const all = await Promise.all([tokens.getToken(), tokens.getToken(), tokens.getToken()]);

    expect(new Set(all).size).toBe(1);
    expect(fake.callCount(TOKEN_ROUTE)).toBe(1);
  });

  it('fails with auth_failed, without looping, when HubSpot refuses the refresh token', async () => {
    await startOAuth(1800);
    const tokens = oauthTokensFrom(fake, { refreshToken: 'revoked' });
    const error = await clientFor(fake, { accessToken: tokens })
      .upsertGridRecords(grids(1))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ kind: 'auth_failed', status: 400 });
    expect((error as Error).message).toContain('reconnect');
    expect(fake.callCount(TOKEN_ROUTE)).toBe(1);
  });
});

describe('static tokens', () => {
  it('reports a refused service key as auth_failed after one try, and never sends it in a log-able message', async () => {
    fake = await HubSpotFake.start({ accessTokens: ['good-key'] });
    const error = await clientFor(fake, { accessToken: staticTokenProvider('bad-key') })
      .upsertGridRecords(grids(1))
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: 'auth_failed', status: 401, retryable: true });
    expect((error as Error).message).not.toContain('bad-key');
    expect(fake.requests).toHaveLength(1);
  });
});
