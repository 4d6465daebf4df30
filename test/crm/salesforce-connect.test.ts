import { describe, expect, it } from 'vitest';

import { createSalesforceConnection } from '../../src/crm/salesforce/connect-salesforce.ts';
import type { SalesforceSettings } from '../../src/crm/salesforce/salesforce-auth.ts';
import { silentLogger } from '../support/loggers.ts';
import { salesforceMapping } from '../support/salesforce-client.ts';
import { envSecrets } from '../support/secrets.ts';

/** Connects the test mapping, with `auth` replacing its access-token block when given. */
function connect(auth: SalesforceSettings['auth'] | undefined, values: Record<string, string>) {
  const mapping = salesforceMapping();
  const crm = { ...(mapping.crm as SalesforceSettings), ...(auth === undefined ? {} : { auth }) };
  return createSalesforceConnection({ ...mapping, crm }, crm, envSecrets(values), silentLogger());
}

describe('createSalesforceConnection', () => {
  it('builds a live Salesforce client when every secret resolves', () => {
    const connection = connect(undefined, { GLOBEX_SF_TOKEN: 'token' });
    expect(connection.mode).toBe('live');
    if (connection.mode === 'live') expect(connection.client.crm).toBe('salesforce');
  });

  it('runs the tenant dry when a secret is missing, naming the reference, never a value', () => {
    const connection = connect(
      {
        kind: 'refresh_token',
        clientId: { env: 'SF_ID' },
        clientSecret: { env: 'SF_SECRET' },
        refreshToken: { env: 'SF_RT' },
      },
      { SF_ID: 'id', SF_SECRET: 'secret-value' },
    );
    expect(connection).toEqual({ mode: 'dry_run', reason: expect.stringContaining('SF_RT') });
    expect(JSON.stringify(connection)).not.toContain('secret-value');
  });

  it('runs the tenant dry without an auth block', () => {
    const mapping = salesforceMapping();
    const { auth: _auth, ...crm } = mapping.crm as SalesforceSettings;
    expect(createSalesforceConnection({ ...mapping, crm }, crm, envSecrets({}), silentLogger()).mode).toBe(
      'dry_run',
    );
  });

  it('accepts client credentials', () => {
    const connection = connect(
      { kind: 'client_credentials', clientId: { env: 'SF_ID' }, clientSecret: { env: 'SF_SECRET' } },
      { SF_ID: 'id', SF_SECRET: 's' },
    );
    expect(connection.mode).toBe('live');
  });
});
