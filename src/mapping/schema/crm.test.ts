import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { loadMappingFile } from '../load-mapping-file.ts';
import { formatMappingError } from '../mapping-errors.ts';

const minimal = readFileSync(
  fileURLToPath(new URL('../../../test/fixtures/mappings/valid/minimal.yaml', import.meta.url)),
  'utf8',
);
const FILE = 'mappings/minimal.yaml';
const withCrm = (crm: string) => minimal.replace('crm:\n  type: hubspot\n', `crm:\n${crm}`);

function problems(text: string): string[] {
  const result = loadMappingFile(FILE, text);
  return result.ok ? [] : result.error.map(formatMappingError);
}

describe('crm.baseUrl', () => {
  it('takes an http or https address (a proxy, a local stand-in in tests)', () => {
    for (const url of ['http://127.0.0.1:4010', 'https://proxy.example/hubspot']) {
      const result = loadMappingFile(FILE, withCrm(`  type: hubspot\n  baseUrl: ${url}\n`));
      expect(result.ok && result.value.mapping.crm.baseUrl).toBe(url);
    }
  });

  it.each(['ftp://files.example', 'file:///etc/passwd', 'javascript:alert(1)'])(
    'refuses %s: gridsync sends requests only over http(s)',
    (url) => {
      expect(problems(withCrm(`  type: hubspot\n  baseUrl: '${url}'\n`)).join('\n')).toMatch(
        /crm\.baseUrl.*an http:\/\/ or https:\/\/ URL/,
      );
      expect(problems(withCrm(`  type: salesforce\n  baseUrl: '${url}'\n`)).join('\n')).toMatch(
        /crm\.baseUrl.*an http:\/\/ or https:\/\/ URL/,
      );
    },
  );

  it('refuses a non-http(s) access_token instanceUrl too', () => {
    const crm =
      "  type: salesforce\n  auth: { kind: access_token, instanceUrl: 'file:///tmp/x', accessToken: { env: T } }\n";
    expect(problems(withCrm(crm)).join('\n')).toMatch(/instanceUrl.*an http:\/\/ or https:\/\/ URL/);
  });
});
