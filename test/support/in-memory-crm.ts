/**
 * A CRM in a few maps, behind the CrmClient port (src/crm/crm-client.ts): for the sync's unit tests, which test
 * what the sync decides and sends, not HTTP. It keeps what the sync wrote (grid records by external id, links,
 * field updates, deals, tasks), answers reads from what the test seeded, records every port call, and can
 * refuse a record or fail a whole call the way an adapter does after its own retries. The HTTP stand-ins in
 * test/fakes are for the adapters and end-to-end tests.
 */
import type {
  CrmClient,
  CrmObjectRole,
  CrmOwner,
  DealCandidate,
  DealSearch,
  ExternalIdUpsert,
  FoundRecord,
  GridLinks,
  NewAeTask,
  NewDeal,
  RecordOutcome,
  RecordUpdate,
} from '../../src/crm/crm-client.ts';
import { CrmError } from '../../src/crm/crm-errors.ts';

type Role = Exclude<CrmObjectRole, 'grid'>;
type PortMethod = Exclude<keyof CrmClient, 'crm'>;

interface StoredRecord {
  id: string;
  ownerId?: string;
  fields: Record<string, string>;
}

export interface SeededDeal extends Partial<Omit<DealCandidate, 'id' | 'companyId'>> {
  companyId: string;
}

/** Port methods are own properties, as the adapters' are: the sync wraps clients with object spread. */
export class InMemoryCrm implements CrmClient {
  readonly crm: 'hubspot' | 'salesforce';
  /** Every port call, in order, with how many items it carried. */
  readonly calls: { method: PortMethod; items: number }[] = [];
  readonly gridRecords = new Map<string, StoredRecord & { externalId: string }>();
  readonly links = new Map<string, Omit<GridLinks, 'gridRecordId'>>();
  readonly records: Record<Role, Map<string, StoredRecord>> = {
    deal: new Map(),
    company: new Map(),
    contact: new Map(),
  };
  readonly deals = new Map<string, DealCandidate>();
  readonly tasks = new Map<string, NewAeTask>();
  readonly owners = new Map<string, CrmOwner>();
  #nextId = 1000;
  #failing: { method: PortMethod | '*'; error: CrmError; times: number } | undefined;
  readonly #refusedFields = new Set<string>();

  constructor(crm: 'hubspot' | 'salesforce' = 'hubspot') {
    this.crm = crm;
  }

  // Seeding

  addCompany(domain: string, fields: Record<string, string> = {}, ownerId?: string): string {
    return this.#add('company', { domain, ...fields }, ownerId);
  }

  addContact(email: string, ownerId?: string): string {
    return this.#add('contact', { email }, ownerId);
  }

  addDeal(deal: SeededDeal): string {
    const id = this.#add('deal', {}, deal.ownerId);
    const at = deal.createdAt ?? new Date(Date.UTC(2026, 9, 1)).toISOString();
    this.deals.set(id, { closed: false, modifiedAt: at, contactIds: [], ...deal, id, createdAt: at });
    return id;
  }

  addOwner(id: string, active = true): void {
    this.owners.set(id, { id, active });
  }

  /** The next `times` calls of `method` (any method: '*') throw `error`, as an adapter does once its retries are spent. */
  failCalls(error: CrmError, options: { method?: PortMethod; times?: number } = {}): void {
    this.#failing = {
      method: options.method ?? '*',
      error,
      times: options.times ?? Number.POSITIVE_INFINITY,
    };
  }

  /** Records carrying this property are refused (a field the CRM does not accept), their batch-mates go through. */
  refuseField(property: string): void {
    this.#refusedFields.add(property);
  }

  callsOf(method: PortMethod): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  // The port

  readonly upsertGridRecords = (records: ExternalIdUpsert[]): Promise<RecordOutcome[]> => {
    return this.#call('upsertGridRecords', records.length, () =>
      records.map((record) => {
        const refused = this.#refusal(record.properties);
        if (refused) return refused;
        const existing = this.gridRecords.get(record.externalId);
        const id = existing?.id ?? String(this.#nextId++);
        this.gridRecords.set(record.externalId, {
          id,
          externalId: record.externalId,
          fields: { ...existing?.fields, ...record.properties },
        });
        return { ok: true, id, created: existing === undefined };
      }),
    );
  };

  readonly linkGridRecords = (links: GridLinks[]): Promise<RecordOutcome[]> => {
    return this.#call('linkGridRecords', links.length, () =>
      links.map(({ gridRecordId, ...targets }) => {
        this.links.set(gridRecordId, { ...this.links.get(gridRecordId), ...targets });
        return { ok: true, id: gridRecordId };
      }),
    );
  };

  readonly unlinkGridDeals = (links: { gridRecordId: string; deal: string }[]): Promise<void> => {
    return this.#call('unlinkGridDeals', links.length, () => {
      for (const link of links) {
        const current = this.links.get(link.gridRecordId);
        if (current?.deal === link.deal) {
          const { deal: _deal, ...rest } = current;
          this.links.set(link.gridRecordId, rest);
        }
      }
    });
  };

  readonly updateRecords = (role: Role, updates: RecordUpdate[]): Promise<RecordOutcome[]> => {
    return this.#call('updateRecords', updates.length, () =>
      updates.map((update) => {
        const record = this.records[role].get(update.id);
        if (!record) return { ok: false, error: new CrmError('rejected', `no ${role} ${update.id}`) };
        const refused = this.#refusal(update.properties);
        if (refused) return refused;
        Object.assign(record.fields, update.properties);
        return { ok: true, id: update.id };
      }),
    );
  };

  readonly findCompaniesByDomain = (
    domains: string[],
    fields: string[],
  ): Promise<Map<string, FoundRecord>> => {
    return this.#call('findCompaniesByDomain', domains.length, () => {
      const found = new Map<string, FoundRecord>();
      for (const record of this.records.company.values()) {
        const domain = record.fields['domain'];
        if (domain !== undefined && domains.includes(domain)) found.set(domain, found_(record, fields));
      }
      return found;
    });
  };

  readonly findContactsByEmail = (emails: string[]): Promise<Map<string, FoundRecord>> => {
    return this.#call('findContactsByEmail', emails.length, () => {
      const found = new Map<string, FoundRecord>();
      for (const record of this.records.contact.values()) {
        const email = record.fields['email'];
        if (email !== undefined && emails.includes(email)) found.set(email, found_(record, []));
      }
      return found;
    });
  };

  readonly getDeals = (ids: string[], fields: string[]): Promise<Map<string, FoundRecord>> => {
    return this.#call('getDeals', ids.length, () => this.#byId('deal', ids, fields));
  };

  readonly getCompanies = (ids: string[], fields: string[]): Promise<Map<string, FoundRecord>> => {
    return this.#call('getCompanies', ids.length, () => this.#byId('company', ids, fields));
  };

  readonly findCompanyDeals = (search: DealSearch): Promise<Map<string, DealCandidate[]>> => {
    return this.#call('findCompanyDeals', search.companyIds.length, () => {
      const found = new Map<string, DealCandidate[]>();
      for (const deal of this.deals.values()) {
        if (!search.companyIds.includes(deal.companyId) || !counts(deal, search)) continue;
        const contactIds = search.contactIds
          ? deal.contactIds.filter((c) => search.contactIds?.includes(c))
          : [];
        found.set(deal.companyId, [...(found.get(deal.companyId) ?? []), { ...deal, contactIds }]);
      }
      return found;
    });
  };

  readonly findDealsByKey = (keys: string[]): Promise<Map<string, DealCandidate>> => {
    return this.#call('findDealsByKey', keys.length, () => {
      const found = new Map<string, DealCandidate>();
      for (const deal of this.deals.values()) {
        if (deal.key !== undefined && keys.includes(deal.key)) found.set(deal.key, deal);
      }
      return found;
    });
  };

  readonly createDeals = (deals: NewDeal[]): Promise<RecordOutcome[]> => {
    return this.#call('createDeals', deals.length, () =>
      deals.map((deal) => {
        // The key field is unique: a second create with the key answers with the deal that holds it.
        const holder = [...this.deals.values()].find((d) => d.key === deal.key);
        if (holder) return { ok: true, id: holder.id, created: false };
        const id = this.addDeal({
          companyId: deal.companyId,
          name: deal.name,
          stage: deal.stage,
          ...(deal.pipeline === undefined ? {} : { pipeline: deal.pipeline }),
          ...(deal.ownerId === undefined ? {} : { ownerId: deal.ownerId }),
          key: deal.key,
          contactIds: deal.contactId === undefined ? [] : [deal.contactId],
        });
        return { ok: true, id, created: true };
      }),
    );
  };

  readonly getOwner = (ownerId: string): Promise<CrmOwner | undefined> => {
    return this.#call('getOwner', 1, () => this.owners.get(ownerId));
  };

  readonly findTasksByMarkers = (markers: string[]): Promise<Map<string, string>> => {
    return this.#call('findTasksByMarkers', markers.length, () => {
      const found = new Map<string, string>();
      for (const [id, task] of this.tasks) if (markers.includes(task.marker)) found.set(task.marker, id);
      return found;
    });
  };

  readonly createTasks = (tasks: NewAeTask[]): Promise<RecordOutcome[]> => {
    return this.#call('createTasks', tasks.length, () =>
      tasks.map((task): RecordOutcome => {
        const id = `task-${this.#nextId++}`;
        this.tasks.set(id, task);
        return { ok: true, id };
      }),
    );
  };

  // Internals

  #add(role: Role, fields: Record<string, string>, ownerId?: string): string {
    const id = String(this.#nextId++);
    this.records[role].set(id, { id, fields, ...(ownerId === undefined ? {} : { ownerId }) });
    return id;
  }

  #byId(role: Role, ids: string[], fields: string[]): Map<string, FoundRecord> {
    const found = new Map<string, FoundRecord>();
    for (const id of ids) {
      const record = this.records[role].get(id);
      if (record) found.set(id, found_(record, fields));
    }
    return found;
  }

  #refusal(properties: Record<string, string>): RecordOutcome | undefined {
    const field = Object.keys(properties).find((p) => this.#refusedFields.has(p));
    return field === undefined
      ? undefined
      : { ok: false, error: new CrmError('rejected', `${field} is not a field the CRM accepts`, { field }) };
  }

  /** Counts the call, then throws the injected failure or answers (asynchronously, as a real adapter does). */
  async #call<T>(method: PortMethod, items: number, answer: () => T): Promise<T> {
    this.calls.push({ method, items });
    await Promise.resolve();
    const failing = this.#failing;
    if (failing && (failing.method === '*' || failing.method === method) && failing.times > 0) {
      failing.times -= 1;
      throw failing.error;
    }
    return answer();
  }
}

function found_(record: StoredRecord, fields: string[]): FoundRecord {
  const values = Object.fromEntries(
    fields.flatMap((f) => (record.fields[f] === undefined ? [] : [[f, record.fields[f]] as const])),
  );
  return {
    id: record.id,
    ...(record.ownerId === undefined ? {} : { ownerId: record.ownerId }),
    fields: values,
  };
}

function counts(deal: DealCandidate, search: DealSearch): boolean {
  if (search.pipelines && !search.pipelines.includes(deal.pipeline ?? 'default')) return false;
  return search.stages === 'open' ? !deal.closed : search.stages.includes(deal.stage ?? '');
}
