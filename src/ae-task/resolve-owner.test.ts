import { describe, expect, it } from 'vitest';

import type { CrmClient, CrmOwner, FoundRecord } from '../crm/crm-client.ts';
import { CrmError } from '../crm/crm-errors.ts';
import { resolveOwner } from './resolve-owner.ts';

type OwnerReads = Pick<CrmClient, 'getDeals' | 'getCompanies' | 'getOwner'>;

/** Deals and companies by id with their owners; owners by id. Counts getOwner calls. */
function fakeCrm(setup: {
  deals?: Record<string, string | undefined>;
  companies?: Record<string, string | undefined>;
  owners?: CrmOwner[];
}) {
  const ownerLookups: string[] = [];
  const records =
    (byId: Record<string, string | undefined> = {}) =>
    (ids: string[]) =>
      Promise.resolve(
        new Map(
          ids
            .filter((id) => id in byId)
            .map((id): [string, FoundRecord] => {
              const ownerId = byId[id];
              return [id, ownerId === undefined ? { id, fields: {} } : { id, ownerId, fields: {} }];
            }),
        ),
      );
  const crm: OwnerReads = {
    getDeals: records(setup.deals),
    getCompanies: records(setup.companies),
    getOwner: (id) => {
      ownerLookups.push(id);
      return Promise.resolve(setup.owners?.find((o) => o.id === id));
    },
  };
  return { crm, ownerLookups };
}

const chain = {
  chain: ['deal_owner', 'company_owner', 'fallback'] as ('deal_owner' | 'company_owner' | 'fallback')[],
  fallbackOwnerId: 'u-fallback',
};
const active = (id: string, name?: string): CrmOwner =>
  name === undefined ? { id, active: true } : { id, active: true, name };

describe('resolveOwner', () => {
  it("gives the task to the deal's owner when they are active", async () => {
    const { crm } = fakeCrm({ deals: { 'd-1': 'u-ae' }, owners: [active('u-ae')] });
    const result = await resolveOwner({ crm, owner: chain, dealId: 'd-1', companyId: 'c-1' });
    expect(result).toEqual({ ok: true, value: { ownerId: 'u-ae', step: 'deal_owner', skipped: [] } });
  });

  it('skips a deactivated deal owner for the company owner and records why', async () => {
    const { crm } = fakeCrm({
      deals: { 'd-1': 'u-gone' },
      companies: { 'c-1': 'u-ae' },
      owners: [{ id: 'u-gone', active: false, name: 'Dana Lee' }, active('u-ae')],
    });
    const result = await resolveOwner({ crm, owner: chain, dealId: 'd-1', companyId: 'c-1' });
    expect(result).toEqual({
      ok: true,
      value: {
        ownerId: 'u-ae',
        step: 'company_owner',
        skipped: [
          { step: 'deal_owner', ownerId: 'u-gone', reason: 'owner Dana Lee (u-gone) is deactivated' },
        ],
      },
    });
  });

  it('explains each missing link before reaching the fallback owner', async () => {
    const { crm } = fakeCrm({ deals: { 'd-1': undefined }, owners: [active('u-fallback')] });
    const result = await resolveOwner({ crm, owner: chain, dealId: 'd-1', companyId: 'c-404' });
    expect(result.ok && result.value).toEqual({
      ownerId: 'u-fallback',
      step: 'fallback',
      skipped: [
        { step: 'deal_owner', reason: 'deal d-1 has no owner' },
        { step: 'company_owner', reason: 'company c-404 was not found in the CRM' },
      ],
    });
  });

  it('says when the grid has no deal or company at all', async () => {
    const { crm } = fakeCrm({ owners: [active('u-fallback')] });
    const result = await resolveOwner({ crm, owner: chain });
    expect(result.ok && result.value.skipped.map((s) => s.reason)).toEqual([
      'the grid is not linked to a deal',
      'the account has no company in the CRM',
    ]);
  });

  it('does not ask about the same owner twice when they own both deal and company', async () => {
    const { crm, ownerLookups } = fakeCrm({
      deals: { 'd-1': 'u-gone' },
      companies: { 'c-1': 'u-gone' },
      owners: [{ id: 'u-gone', active: false }, active('u-fallback')],
    });
    const result = await resolveOwner({ crm, owner: chain, dealId: 'd-1', companyId: 'c-1' });
    expect(result.ok && result.value.step).toBe('fallback');
    expect(ownerLookups).toEqual(['u-gone', 'u-fallback']);
  });

  it('returns a reason naming every step when nobody can take the task', async () => {
    const { crm } = fakeCrm({ deals: { 'd-1': 'u-ghost' } });
    const result = await resolveOwner({
      crm,
      owner: { chain: ['deal_owner', 'company_owner'] },
      dealId: 'd-1',
    });
    expect(result).toEqual({
      ok: false,
      error: {
        reason:
          'No one to assign the AE task to (deal owner: owner u-ghost is not a user the CRM knows; company owner: the account has no company in the CRM)',
        skipped: [
          { step: 'deal_owner', ownerId: 'u-ghost', reason: 'owner u-ghost is not a user the CRM knows' },
          { step: 'company_owner', reason: 'the account has no company in the CRM' },
        ],
      },
    });
  });

  it('lets CRM errors through instead of guessing the next owner', async () => {
    const { crm } = fakeCrm({ deals: { 'd-1': 'u-ae' } });
    crm.getOwner = () => Promise.reject(new CrmError('rate_limited', 'slow down', { waitMs: 1000 }));
    await expect(resolveOwner({ crm, owner: chain, dealId: 'd-1' })).rejects.toMatchObject({
      kind: 'rate_limited',
    });
  });
});
