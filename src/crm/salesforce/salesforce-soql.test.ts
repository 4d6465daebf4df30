import { describe, expect, it } from 'vitest';

import {
  domainFieldVariants,
  isSalesforceId,
  normaliseDomain,
  selectClause,
  shortId,
  soqlInLists,
  soqlLikeFragment,
  soqlName,
  soqlString,
} from './salesforce-soql.ts';

describe('soqlString', () => {
  it('escapes quotes so a value cannot close the literal', () => {
    expect(soqlString("o'brien.io")).toBe("'o\\'brien.io'");
    expect(soqlString("x' OR Name != '")).toBe("'x\\' OR Name != \\''");
  });

  it('escapes backslashes before quotes, so an escaped quote cannot be unescaped', () => {
    expect(soqlString("a\\' OR Id != null --")).toBe("'a\\\\\\' OR Id != null --'");
  });

  it('escapes double quotes and control characters SOQL knows', () => {
    expect(soqlString('a"b\nc\rd\te')).toBe("'a\\\"b\\nc\\rd\\te'");
  });
});

describe('soqlLikeFragment', () => {
  it('escapes LIKE wildcards as well as quotes', () => {
    expect(soqlLikeFragment("50%_off'")).toBe("50\\%\\_off\\'");
  });
});

describe('soqlName and selectClause', () => {
  it('accepts API names and refuses anything that could inject SOQL', () => {
    expect(soqlName('Sales_Grid__c')).toBe('Sales_Grid__c');
    expect(() => soqlName('Name FROM User --')).toThrow(/not a Salesforce API name/);
    expect(() => soqlName('')).toThrow();
  });

  it('drops fields selected twice, whatever their case', () => {
    expect(selectClause(['Id', 'OwnerId', 'id', 'Industry'], 'Account')).toBe(
      'SELECT Id, OwnerId, Industry FROM Account',
    );
  });
});

describe('soqlInLists', () => {
  it('quotes, de-duplicates and keeps order', () => {
    expect(soqlInLists(['b.com', "o'b.com", 'b.com'])).toEqual(["('b.com', 'o\\'b.com')"]);
  });

  it('splits long lists by count and by length', () => {
    const many = Array.from({ length: 450 }, (_, i) => `v${i}`);
    const byCount = soqlInLists(many);
    expect(byCount.length).toBeGreaterThanOrEqual(3);
    expect(byCount.join(' ').match(/'v\d+'/g)).toHaveLength(450);

    const long = Array.from({ length: 30 }, (_, i) => `${'x'.repeat(300)}${i}`);
    for (const list of soqlInLists(long)) expect(list.length).toBeLessThanOrEqual(4_100);
  });

  it('returns no list for no values', () => {
    expect(soqlInLists([])).toEqual([]);
  });
});

describe('ids', () => {
  it('recognises 15- and 18-character ids only', () => {
    expect(isSalesforceId('0065g00000AbCdE')).toBe(true);
    expect(isSalesforceId('0065g00000AbCdEAAA')).toBe(true);
    expect(isSalesforceId("006' OR Id != '")).toBe(false);
    expect(isSalesforceId('0065g00000AbCd')).toBe(false);
    expect(shortId('0065g00000AbCdEAAA')).toBe('0065g00000AbCdE');
  });
});

describe('domains', () => {
  it('normalises URLs and bare domains to one key', () => {
    expect(normaliseDomain('HTTPS://www.Acme.com/pricing?x=1')).toBe('acme.com');
    expect(normaliseDomain('acme.com.')).toBe('acme.com');
    expect(normaliseDomain('http://acme.com:8080')).toBe('acme.com');
    expect(normaliseDomain(' acme.com ')).toBe('acme.com');
  });

  it('lists the forms a Website or Domain field commonly holds', () => {
    const variants = domainFieldVariants('www.acme.com');
    expect(variants).toContain('acme.com');
    expect(variants).toContain('https://www.acme.com/');
    expect(variants).toHaveLength(12);
    expect(domainFieldVariants('  ')).toEqual([]);
  });
});
