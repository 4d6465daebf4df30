import { describe, expect, it } from 'vitest';

import type { QualificationRule } from '../mapping/mapping-schema.ts';
import type { AccountAggregate } from './aggregate-account.ts';
import { evaluateIcpCriterion, type IcpCriterion, icpCrmFields, resolveIcpValue } from './icp-values.ts';

type Attributes = Pick<AccountAggregate, 'latestAttributes'>;

function attributes(values: Record<string, string | number | boolean>): Attributes {
  return {
    latestAttributes: Object.fromEntries(
      Object.entries(values).map(([name, value]) => [
        name,
        { value, occurredAt: '2026-11-01T00:00:00Z', signalId: 's1' },
      ]),
    ),
  };
}
const none = attributes({});

describe('resolveIcpValue', () => {
  const criterion: IcpCriterion = {
    from: [{ crmField: 'numberofemployees' }, { signalAttribute: 'company_size' }],
    min: 100,
  };

  it('takes the first source that has a value', () => {
    expect(
      resolveIcpValue(criterion, { numberofemployees: '250' }, attributes({ company_size: 10 })),
    ).toEqual({
      value: '250',
      source: 'crm:numberofemployees',
    });
    expect(resolveIcpValue(criterion, {}, attributes({ company_size: 10 }))).toEqual({
      value: 10,
      source: 'signal:company_size',
    });
  });

  it('treats an empty CRM field as no value and matches field names case-insensitively', () => {
    expect(
      resolveIcpValue(criterion, { numberofemployees: '  ' }, attributes({ company_size: 10 }))?.source,
    ).toBe('signal:company_size');
    expect(resolveIcpValue(criterion, { NumberOfEmployees: '900' }, none)?.value).toBe('900');
  });
});

describe('evaluateIcpCriterion', () => {
  const crmSize: IcpCriterion = { from: [{ crmField: 'numberofemployees' }], min: 100, max: 1000 };

  it('holds a number within min and max and says so', () => {
    const result = evaluateIcpCriterion('companySize', crmSize, { numberofemployees: '1,000' }, none);
    expect(result).toMatchObject({
      criterion: 'companySize',
      kind: 'icp',
      held: true,
      evidence: { value: '1,000', threshold: { min: 100, max: 1000 }, source: 'crm:numberofemployees' },
      reason: "Company size '1,000' is between 100 and 1,000",
    });
  });

  it('fails a number below the minimum or above the maximum', () => {
    expect(evaluateIcpCriterion('companySize', crmSize, { numberofemployees: '50' }, none).reason).toBe(
      "Company size '50' is below the minimum of 100",
    );
    expect(evaluateIcpCriterion('companySize', crmSize, {}, attributes({ size: 2 })).held).toBe(false);
    const above = evaluateIcpCriterion(
      'companySize',
      { from: [{ signalAttribute: 'size' }], max: 1000 },
      {},
      attributes({ size: 2000 }),
    );
    expect(above).toMatchObject({ held: false, reason: 'Company size 2,000 is above the maximum of 1,000' });
  });

  it('holds a band only when all of it meets the limits', () => {
    const at = (value: string) =>
      evaluateIcpCriterion('companySize', crmSize, { numberofemployees: value }, none);
    expect(at('201-500').held).toBe(true);
    expect(at('51-200')).toMatchObject({
      held: false,
      reason: "Company size '51-200' may be below 100: the range starts at 51",
    });
    expect(at('501-5,000').reason).toBe(
      "Company size '501-5,000' may be above 1,000: the range ends at 5,000",
    );
    expect(at('10,001+').reason).toBe(
      "Company size '10,001+' may be above 1,000: the range has no upper end",
    );
    const atLeast = evaluateIcpCriterion(
      'companySize',
      { from: [{ crmField: 'n' }], min: 1000 },
      { n: '10,001+' },
      none,
    );
    expect(atLeast).toMatchObject({ held: true, reason: "Company size '10,001+' is at least 1,000" });
  });

  it('fails a min/max criterion whose value is not a number, showing the value', () => {
    const result = evaluateIcpCriterion('companySize', crmSize, { numberofemployees: 'mid-sized' }, none);
    expect(result).toMatchObject({
      held: false,
      reason: "Company size 'mid-sized' is not a number gridsync can read",
    });
  });

  it('holds `in` case-insensitively and names the list when it fails', () => {
    const industry: IcpCriterion = { from: [{ crmField: 'industry' }], in: ['fintech', 'payments'] };
    expect(evaluateIcpCriterion('industry', industry, { industry: ' FinTech ' }, none)).toMatchObject({
      held: true,
      reason: "Industry ' FinTech ' is one of fintech, payments",
    });
    expect(evaluateIcpCriterion('industry', industry, { industry: 'retail' }, none)).toMatchObject({
      held: false,
      reason: "Industry 'retail' is not one of fintech, payments",
    });
  });

  it('holds `anyOf` when one item of a ";" or "," list matches', () => {
    const stack: IcpCriterion = { from: [{ signalAttribute: 'tech_stack' }], anyOf: ['Node', 'Go', 'Kafka'] };
    expect(
      evaluateIcpCriterion('techStack', stack, {}, attributes({ tech_stack: 'node;postgres, kafka' })),
    ).toMatchObject({
      held: true,
      evidence: {
        value: 'node;postgres, kafka',
        threshold: { anyOf: ['Node', 'Go', 'Kafka'] },
        source: 'signal:tech_stack',
      },
      reason: "Tech stack 'node;postgres, kafka' includes Node, Kafka",
    });
    expect(
      evaluateIcpCriterion('techStack', stack, {}, attributes({ tech_stack: 'java;spring' })),
    ).toMatchObject({
      held: false,
      reason: "Tech stack 'java;spring' includes none of Node, Go, Kafka",
    });
    // Whole items only: "golang" is not "go".
    expect(evaluateIcpCriterion('techStack', stack, {}, attributes({ tech_stack: 'golang' })).held).toBe(
      false,
    );
  });

  it('requires every configured condition and gives the failing ones as the reason', () => {
    const both: IcpCriterion = { from: [{ signalAttribute: 'geo' }], in: ['EU', 'UK'], anyOf: ['EU'] };
    const result = evaluateIcpCriterion('geo', both, {}, attributes({ geo: 'UK' }));
    expect(result).toMatchObject({ held: false, reason: "Geo 'UK' includes none of EU" });
  });

  it('does not hold without a value and says where it looked', () => {
    const funding: IcpCriterion = {
      from: [{ crmField: 'funding_stage' }, { signalAttribute: 'funding_stage' }],
      in: ['Series B', 'Series C'],
    };
    expect(evaluateIcpCriterion('fundingStage', funding, {}, none)).toEqual({
      criterion: 'fundingStage',
      kind: 'icp',
      held: false,
      evidence: { value: null, threshold: { in: ['Series B', 'Series C'] }, source: 'none' },
      reason:
        'No funding stage found: looked in CRM field funding_stage, then signal attribute funding_stage',
    });
  });
});

describe('icpCrmFields', () => {
  it('lists each CRM field the ICP criteria read, once', () => {
    const icp: QualificationRule['icp'] = {
      required: 2,
      criteria: {
        companySize: { from: [{ crmField: 'numberofemployees' }, { signalAttribute: 'size' }], min: 10 },
        industry: { from: [{ crmField: 'industry' }], in: ['fintech'] },
        geo: { from: [{ crmField: 'industry' }], in: ['x'] },
      },
    };
    const rule = { icp } as QualificationRule;
    expect(icpCrmFields(rule)).toEqual(['numberofemployees', 'industry']);
  });
});
