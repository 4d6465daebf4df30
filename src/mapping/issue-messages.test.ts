/**
 * How each kind of mistake is worded and where it points. Tested through loadMappingFile, because the
 * position is half of a good message.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { loadMappingFile } from './load-mapping-file.ts';
import { formatMappingError, type MappingError } from './mapping-errors.ts';

const minimal = readFileSync(
  fileURLToPath(new URL('../../test/fixtures/mappings/valid/minimal.yaml', import.meta.url)),
  'utf8',
);

function edit(...replacements: [string, string][]): string {
  let result = minimal;
  for (const [from, to] of replacements) {
    if (!result.includes(from)) throw new Error(`test setup: "${from}" is not in the text`);
    result = result.replace(from, to);
  }
  return result;
}

function problems(text: string): MappingError[] {
  const result = loadMappingFile('mappings/minimal.yaml', text);
  if (result.ok) throw new Error('expected the mapping to have problems');
  return result.error;
}

function only(text: string): MappingError {
  const found = problems(text);
  expect(found.map(formatMappingError)).toHaveLength(1);
  return found[0]!;
}

function where(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`test setup: "${needle}" is not in the text`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

describe('unknown keys', () => {
  it('points at the key, lists the keys allowed there and suggests the closest', () => {
    const text = edit(['  signals:', '  halfLife: 14\n  signals:']);
    expect(only(text)).toMatchObject({
      code: 'unknown_key',
      path: 'scoring.halfLife',
      message: 'unknown key "halfLife"',
      expected: 'one of halfLifeDays, windowDays, points, levels, cluster, signals, unknownSignals',
      hint: 'did you mean "halfLifeDays"?',
      ...where(text, 'halfLife:'),
    });
  });

  it('suggests a record key from its closed list, e.g. an ICP criterion', () => {
    const text = edit(['      geo:', '      geography:']);
    const problem = problems(text).find((p) => p.code === 'unknown_key');
    expect(problem).toMatchObject({
      path: 'qualification.icp.criteria.geography',
      hint: 'did you mean "geo"?',
    });
  });

  it('does not suggest a key that is already written', () => {
    const text = edit(['  fields:', '  fieldz: {}\n  fields:']);
    expect(only(text)).toMatchObject({
      code: 'unknown_key',
      hint: 'remove it, or check docs/mapping.md for the keys allowed here',
    });
  });

  it('reports a misspelt required key once, not also as missing', () => {
    const text = edit(['  subject:', '  subjct:']);
    expect(only(text)).toMatchObject({
      code: 'unknown_key',
      path: 'task.subjct',
      hint: 'did you mean "subject"?',
    });
  });
});

describe('missing keys', () => {
  it('points at the parent, where the key has to be added, and names the full path', () => {
    const text = edit(['  externalIdField: gridsync_grid_id\n', '']);
    expect(only(text)).toMatchObject({
      code: 'missing_key',
      path: 'grid.externalIdField',
      message: 'missing required key "externalIdField"',
      hint: 'add "externalIdField:" under grid',
      ...where(text, 'grid:'),
    });
  });

  it('points at the start of the file for a missing top-level section', () => {
    const text = minimal.replace(/^task:[\s\S]*$/m, '');
    expect(only(text)).toMatchObject({
      code: 'missing_key',
      path: 'task',
      hint: 'add "task:" at the top level',
      ...where(text, 'tenant:'),
    });
  });
});

describe('wrong types', () => {
  it('points at the value and says what was found and expected', () => {
    const text = edit(['  signals:', '  halfLifeDays: two weeks\n  signals:']);
    expect(only(text)).toMatchObject({
      code: 'wrong_type',
      message: 'wrong type: found the text "two weeks"',
      expected: 'a number',
      ...where(text, 'two weeks'),
    });
  });

  it('explains that YAML read an unquoted id as a number', () => {
    const text = edit(["fallbackOwnerId: '1'", 'fallbackOwnerId: 81234567']);
    expect(only(text)).toMatchObject({
      expected: 'text',
      hint: "YAML reads this as a number: put it in quotes, e.g. '81234567'",
    });
  });

  it('explains that a template starting with {{ needs quotes', () => {
    const text = edit(["subject: 'Follow up with {{grid.account.name}}'", 'subject: {{grid.account.name}}']);
    expect(only(text).hint).toMatch(/must be in quotes/);
  });

  it('treats an empty section as a value to fill in', () => {
    const text = edit([
      'secrets:\n  webhookSigningSecret: { env: MINIMAL_WEBHOOK_SECRET }\n  statusToken: { env: MINIMAL_STATUS_TOKEN }\n',
      'secrets:\n',
    ]);
    expect(only(text)).toMatchObject({
      code: 'wrong_type',
      message: 'wrong type: found an empty value',
      path: 'secrets',
    });
  });

  it('says when a whole number is needed', () => {
    const text = edit(['  owner:', '  dueInDays: 1.5\n  owner:']);
    expect(only(text)).toMatchObject({ message: '1.5 is not a whole number', expected: 'a whole number' });
  });

  it('asks for one kind of field mapping when a bare value is given', () => {
    const text = edit(['{ from: grid.beforeScenario }', 'grid.beforeScenario']);
    expect(only(text)).toMatchObject({
      code: 'wrong_type',
      path: 'grid.fields.gridsync_before_scenario',
      expected: 'one of { from: … }, { const: … }, { template: … }',
    });
  });
});

describe('values outside a list', () => {
  it('lists the allowed values and suggests the closest', () => {
    const text = edit(['  type: hubspot', '  type: hubspot\n  plan: pro']);
    expect(only(text)).toMatchObject({
      code: 'invalid_value',
      message: 'the text "pro" is not allowed',
      expected: 'one of "free", "starter", "professional", "enterprise", "api_addon"',
      hint: 'did you mean "professional"?',
      ...where(text, 'pro\n'),
    });
  });

  it('explains an unknown CRM type like any other value', () => {
    const text = edit(['  type: hubspot', '  type: hubspott']);
    expect(only(text)).toMatchObject({
      code: 'invalid_value',
      path: 'crm.type',
      hint: 'did you mean "hubspot"?',
    });
  });

  it('refers to the docs for the long list of source paths', () => {
    const text = edit(['{ from: grid.beforeScenario }', '{ from: grid.beforeScenaro }']);
    expect(only(text)).toMatchObject({
      path: 'grid.fields.gridsync_before_scenario.from',
      expected: 'a source path such as grid.beforeScenario (docs/mapping.md lists them all)',
      hint: 'did you mean "grid.beforeScenario"?',
    });
  });
});

describe('ranges and forms', () => {
  it('says how small a number may be', () => {
    const text = edit(['activeUsers: { min: 3 }', 'activeUsers: { min: 0 }']);
    expect(only(text)).toMatchObject({
      code: 'out_of_range',
      message: '0 is too small',
      expected: 'a number more than 0',
    });
  });

  it('says that a list must not be empty', () => {
    const text = edit(['in: [Germany]', 'in: []']);
    expect(only(text)).toMatchObject({
      code: 'out_of_range',
      message: 'the list is empty',
      expected: 'at least 1 item',
    });
  });

  it("uses the schema's own words for a pattern, e.g. an environment variable name", () => {
    const text = edit(['{ env: MINIMAL_STATUS_TOKEN }', '{ env: minimal_status_token }']);
    expect(only(text)).toMatchObject({
      code: 'invalid_format',
      path: 'secrets.statusToken.env',
      expected: 'an environment variable name, e.g. ACME_TOKEN',
    });
  });

  it('points at a CRM field name that is not an API name', () => {
    const text = edit(['    gridsync_before_scenario:', '    gridsync before:']);
    expect(only(text)).toMatchObject({
      code: 'invalid_format',
      path: 'grid.fields["gridsync before"]',
      ...where(text, 'gridsync before'),
    });
  });

  it('reports an invalid cron expression with a hint on the five fields', () => {
    const text = edit(['tenant: minimal', "tenant: minimal\nschedule: '*/5 * * *'"]);
    expect(only(text)).toMatchObject({
      code: 'invalid_format',
      path: 'schedule',
      hint: expect.stringMatching(/five fields/),
    });
  });
  it.each(['*/10 * * * * *', '0,30 */5 * * * *', '* 0 7 * * 1-5'])(
    'refuses a seconds field that would fire more than once a minute: %s',
    (expression) => {
      const text = edit(['tenant: minimal', `tenant: minimal\nschedule: '${expression}'`]);
      expect(only(text)).toMatchObject({
        code: 'invalid_format',
        path: 'schedule',
        message: expect.stringMatching(/runs the sync more than once a minute/),
        hint: expect.stringMatching(/drop the seconds field/),
        ...where(text, `'${expression}'`),
      });
    },
  );

  it.each(['0 */5 * * * *', '30 0 7 * * 1-5'])(
    'honours a seconds field naming one second: %s',
    (expression) => {
      const result = loadMappingFile(
        'mappings/minimal.yaml',
        edit(['tenant: minimal', `tenant: minimal\nschedule: '${expression}'`]),
      );
      expect(result.ok && result.value.mapping.schedule).toBe(expression);
    },
  );
});

describe('rules across keys', () => {
  it.each([
    ["{ from: grid.beforeScenario, template: 'x' }", '"from" and "template" cannot be used together'],
    ["{ template: 'x', const: 'y' }", '"const" and "template" cannot be used together'],
  ])('refuses two kinds of value in one field mapping: %s', (mapping, message) => {
    const text = edit(['{ from: grid.beforeScenario }', mapping]);
    expect(only(text)).toMatchObject({
      code: 'conflicting_keys',
      message,
      expected: 'exactly one of from, const, template',
    });
  });

  it('points at an unknown placeholder inside the template text', () => {
    const text = edit(['Before: {{grid.beforeScenario}}', 'Before: {{ grid.beforeScenaro }}']);
    expect(only(text)).toMatchObject({
      code: 'invalid_value',
      path: 'task.body',
      message: 'unknown placeholder {{grid.beforeScenaro}}',
      hint: 'did you mean {{grid.beforeScenario}}?',
      ...where(text, '{{ grid.beforeScenaro }}'),
    });
  });

  it("reports the schema's own rules in its words, e.g. a fallback without an owner", () => {
    const text = edit(["    fallbackOwnerId: '1'\n", '    chain: [deal_owner, fallback]\n']);
    expect(only(text)).toMatchObject({
      code: 'invalid',
      path: 'task.owner.fallbackOwnerId',
      message: 'the chain ends in fallback: set fallbackOwnerId',
    });
  });
});

describe('secrets', () => {
  it('refuses a secret written as a value, without repeating it', () => {
    const text = edit(['{ env: MINIMAL_WEBHOOK_SECRET }', 'hunter2-but-longer']);
    const problem = only(text);
    expect(problem).toMatchObject({
      code: 'secret_value',
      path: 'secrets.webhookSigningSecret',
      expected: '{ env: NAME } or { file: PATH }',
    });
    expect(problem.hint).toMatch(/environment variable or a file.*rotate/);
    expect(formatMappingError(problem)).not.toContain('hunter2');
  });

  it('reports a recognisable secret at a reference once, as a secret value', () => {
    const text = edit(['{ env: MINIMAL_WEBHOOK_SECRET }', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw']);
    expect(only(text).code).toBe('secret_value');
  });

  it('refuses anything that looks like a credential anywhere in the file, naming its kind only', () => {
    const token = 'pat-na1-11111111-2222-3333-4444-555555555555';
    const text = edit([
      'Before: {{grid.beforeScenario}}',
      `Before: {{grid.beforeScenario}} (token ${token})`,
    ]);
    const problem = only(text);
    expect(problem).toMatchObject({ code: 'secret_like_value', path: 'task.body' });
    expect(problem.message).toMatch(/HubSpot access token/);
    expect(formatMappingError(problem)).not.toContain(token);
  });

  it('explains a secret reference with the wrong key', () => {
    const text = edit(['{ env: MINIMAL_STATUS_TOKEN }', '{ value: abc }']);
    expect(only(text)).toMatchObject({
      code: 'invalid_value',
      message: 'a secret reference has exactly one key, env or file',
    });
  });
});

describe('wording', () => {
  it('never shows zod wording such as "Invalid input"', () => {
    const text = edit(
      ['  type: hubspot', '  type: hubspot\n  plan: 7\n  requestsPer10Seconds: -1'],
      ['{ from: grid.beforeScenario }', "{ template: 3, const: 'x' }"],
      ['{ intent: high }', '{ intent: [high] }'],
      ['in: [Germany]', 'in: Germany'],
      ['activeUsers: { min: 3 }', 'activeUsers: { min: 3, max: 4 }'],
    );
    const text2 = formatMappingErrors(problems(text));
    expect(text2).not.toMatch(/Invalid input|Invalid option|Too small|Too big|Unrecognized key|received/);
  });
});

function formatMappingErrors(errors: MappingError[]): string {
  return errors.map(formatMappingError).join('\n');
}
