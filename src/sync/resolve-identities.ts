/**
 * Finds the CRM records a batch of grids concerns (company by domain or id, contact by email, deal by id) in as
 * few calls as the CRM allows. What cannot be found is reported on the grid's status, never guessed.
 */
import type { CrmClient, FoundRecord } from '../crm/crm-client.ts';
import type { SalesGrid } from '../domain/sales-grid.ts';
import type { TenantMapping } from '../mapping/mapping-schema.ts';
import { icpCrmFields } from '../qualification/icp-values.ts';

export interface GridIdentity {
  company?: FoundRecord;
  contact?: FoundRecord;
  deal?: FoundRecord;
  unresolved: string[];
}

export async function resolveIdentities(
  crm: CrmClient,
  mapping: TenantMapping,
  grids: SalesGrid[],
): Promise<Map<string, GridIdentity>> {
  const companyFields = icpCrmFields(mapping.qualification);
  const domains = unique(grids.filter((g) => g.account.crmId === undefined).map((g) => g.account.domain));
  const companyIds = unique(grids.map((g) => g.account.crmId));
  const emails = unique(grids.map((g) => g.contact?.email));
  const dealIds = unique(grids.map((g) => g.deal?.crmId));

  const [byDomain, byId, contacts, deals] = await Promise.all([
    domains.length ? crm.findCompaniesByDomain(domains, companyFields) : new Map<string, FoundRecord>(),
    companyIds.length ? crm.getCompanies(companyIds, companyFields) : new Map<string, FoundRecord>(),
    emails.length ? crm.findContactsByEmail(emails) : new Map<string, FoundRecord>(),
    dealIds.length ? crm.getDeals(dealIds, []) : new Map<string, FoundRecord>(),
  ]);

  const identities = new Map<string, GridIdentity>();
  for (const grid of grids) {
    const unresolved: string[] = [];
    const identity: GridIdentity = { unresolved };
    const { crmId, domain } = grid.account;
    const company =
      crmId !== undefined ? byId.get(crmId) : domain !== undefined ? byDomain.get(domain) : undefined;
    if (company) identity.company = company;
    else {
      unresolved.push(
        crmId !== undefined
          ? `company with id ${crmId} not found`
          : `no company with ${mapping.identity.company.field} "${domain ?? ''}"`,
      );
    }
    if (grid.contact) {
      const contact = contacts.get(grid.contact.email);
      if (contact) identity.contact = contact;
      else unresolved.push(`no contact with ${mapping.identity.contact.field} "${grid.contact.email}"`);
    }
    if (grid.deal) {
      const deal = deals.get(grid.deal.crmId);
      if (deal) identity.deal = deal;
      else unresolved.push(`deal ${grid.deal.crmId} not found`);
    }
    identities.set(grid.gridId, identity);
  }
  return identities;
}

function unique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined))];
}
