import { describe, expect, it } from 'vitest';

import { secretKindOf } from './secret-scan.ts';

describe('secretKindOf', () => {
  it('recognises credentials by their shape', () => {
    expect(secretKindOf('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toMatch(/webhook signing secret/);
    expect(secretKindOf('pat-na1-11111111-2222-3333-4444-555555555555')).toMatch(/HubSpot/);
    expect(secretKindOf('pat-eu1-abcdef01-2222-3333-4444-555555555555')).toMatch(/HubSpot/);
    expect(secretKindOf('00D5g000004XXXXX!AQ4AQLbBf5oYlOWx4q1w2e3r4t5y6u7i8o9p')).toMatch(/Salesforce/);
    expect(secretKindOf('-----BEGIN RSA PRIVATE KEY-----\nMIIE…')).toMatch(/private key/);
    expect(secretKindOf('Authorization: Bearer abcdefghijklmnop0123456789')).toMatch(/bearer token/);
    expect(secretKindOf('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig')).toMatch(/JSON Web Token/);
  });

  it('finds a credential pasted inside longer text', () => {
    expect(
      secretKindOf('Use the token pat-na1-11111111-2222-3333-4444-555555555555 to log in'),
    ).toBeDefined();
  });

  it('leaves ordinary mapping text alone', () => {
    for (const text of [
      'gridsync_before_scenario',
      'grid.beforeScenario',
      'Follow up with {{grid.account.name}}',
      'a pat-on-the-back for the team',
      'whsec_ secrets are referenced with { env: NAME }',
      'ACME_WEBHOOK_SECRET',
      '005Hs00000AbCdEIAV',
      'Bearer token for the status endpoint',
    ]) {
      expect(secretKindOf(text), text).toBeUndefined();
    }
  });
});
