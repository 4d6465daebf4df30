import { beforeEach, describe, expect, it } from 'vitest';

import { assessCompleteness } from '../domain/grid-completeness.ts';
import type { SalesGrid } from '../domain/sales-grid.ts';
import type { CrmClient, CrmOwner, FoundRecord, NewAeTask } from '../crm/crm-client.ts';
import { CrmError } from '../crm/crm-errors.ts';
import type { TaskTemplate } from '../mapping/mapping-schema.ts';
import type { TaskLedger, TaskLedgerEntry } from '../store/store.ts';
import { buildAeTask } from './build-ae-task.ts';
import { DEFAULT_SEARCH_SETTLE_MS, ensureAeTask, type EnsureAeTaskInput } from './ensure-ae-task.ts';
import { taskMarker } from './task-marker.ts';

/** The TaskLedger contract in memory; `dieBeforeNextMark` makes markTaskCreated fail as a killed process would. */
class MemoryTaskLedger implements TaskLedger {
  readonly entries = new Map<string, TaskLedgerEntry>();
  dieBeforeNextMark = false;
  private readonly clock: () => Date;
  constructor(clock: () => Date) {
    this.clock = clock;
  }

  getTaskEntry(tenant: string, gridId: string): Promise<TaskLedgerEntry | undefined> {
    const entry = this.entries.get(`${tenant}/${gridId}`);
    return Promise.resolve(entry && { ...entry });
  }

  beginTaskCreation(tenant: string, gridId: string, marker: string): Promise<TaskLedgerEntry> {
    const key = `${tenant}/${gridId}`;
    const now = this.clock();
    const entry = this.entries.get(key) ?? {
      tenant,
      gridId,
      marker,
      state: 'creating',
      crmTaskId: null,
      details: null,
      createdAt: now,
      updatedAt: now,
    };
    this.entries.set(key, entry);
    return Promise.resolve({ ...entry });
  }

  markTaskCreated(tenant: string, gridId: string, crmTaskId: string, details: unknown): Promise<void> {
    if (this.dieBeforeNextMark) {
      this.dieBeforeNextMark = false;
      return Promise.reject(new Error('worker killed before recording the task'));
    }
    const key = `${tenant}/${gridId}`;
    const entry = this.entries.get(key);
    if (!entry) return Promise.reject(new Error('markTaskCreated without beginTaskCreation'));
    this.entries.set(key, {
      ...entry,
      state: 'created',
      crmTaskId,
      details: JSON.parse(JSON.stringify(details)),
      updatedAt: this.clock(),
    });
    return Promise.resolve();
  }
}

/** A CRM that records every call. Tasks it holds are found by marker once `indexed` (search lag otherwise). */
class RecordingCrm implements CrmClient {
  readonly crm = 'hubspot' as const;
  readonly calls: { method: string; args: unknown[] }[] = [];
  readonly tasks: (NewAeTask & { id: string; indexed: boolean })[] = [];
  indexNewTasks = true;
  createTaskFailure: CrmError | undefined;
  deals = new Map<string, FoundRecord>([['d-1', { id: 'd-1', ownerId: 'u-ae', fields: {} }]]);
  companies = new Map<string, FoundRecord>([['c-1', { id: 'c-1', ownerId: 'u-company', fields: {} }]]);
  owners = new Map<string, CrmOwner>([
    ['u-ae', { id: 'u-ae', active: true, name: 'Alex AE' }],
    ['u-company', { id: 'u-company', active: true }],
  ]);

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }
  get sent(): string[] {
    return this.calls.map((c) => c.method);
  }

  findTaskByMarker(marker: string): Promise<string | undefined> {
    this.record('findTaskByMarker', marker);
    return Promise.resolve(this.tasks.find((t) => t.indexed && t.body.includes(marker))?.id);
  }
  createTask(task: NewAeTask): Promise<string> {
    this.record('createTask', task);
    if (this.createTaskFailure) return Promise.reject(this.createTaskFailure);
    const id = `task-${this.tasks.length + 1}`;
    this.tasks.push({ ...task, id, indexed: this.indexNewTasks });
    return Promise.resolve(id);
  }
  getDeals(ids: string[]): Promise<Map<string, FoundRecord>> {
    this.record('getDeals', ids);
    return Promise.resolve(
      new Map(ids.flatMap((id) => (this.deals.has(id) ? [[id, this.deals.get(id)!]] : []))),
    );
  }
  getCompanies(ids: string[]): Promise<Map<string, FoundRecord>> {
    this.record('getCompanies', ids);
    return Promise.resolve(
      new Map(ids.flatMap((id) => (this.companies.has(id) ? [[id, this.companies.get(id)!]] : []))),
    );
  }
  getOwner(ownerId: string): Promise<CrmOwner | undefined> {
    this.record('getOwner', ownerId);
    return Promise.resolve(this.owners.get(ownerId));
  }
  upsertGridRecords(): never {
    throw new Error('not used by ensureAeTask');
  }
  linkGridRecords(): never {
    throw new Error('not used by ensureAeTask');
  }
  updateRecords(): never {
    throw new Error('not used by ensureAeTask');
  }
  findCompaniesByDomain(): never {
    throw new Error('not used by ensureAeTask');
  }
  findContactsByEmail(): never {
    throw new Error('not used by ensureAeTask');
  }
  unlinkGridDeals(): never {
    throw new Error('not used by ensureAeTask');
  }
  findCompanyDeals(): never {
    throw new Error('not used by ensureAeTask');
  }
  findDealsByKey(): never {
    throw new Error('not used by ensureAeTask');
  }
  createDeals(): never {
    throw new Error('not used by ensureAeTask');
  }
}

const grid: SalesGrid = {
  gridId: 'grid-42',
  submittedBy: 'devrel@vendor.example',
  capturedAt: '2026-11-18T15:00:00Z',
  account: { domain: 'ledgerline.example', name: 'Ledgerline' },
  beforeScenario: 'Hand-rolling webhook delivery and retry logic on top of an internal queue.',
  idealScenario: 'Reliable event delivery with no homegrown infrastructure to maintain.',
  negativeConsequences: 'One bad deploy away from silent message loss, and nobody sees failures.',
  positiveOutcomes: {
    business: 'Reduced ops burden and a lower incident rate overall.',
    personal: 'Retires code they have been embarrassed about for years.',
  },
  requiredCapabilities: 'Managed delivery with retry policies and per-event delivery logs.',
};

const template: TaskTemplate = {
  subject: 'Sales Grid: {{grid.account.name}}',
  body: 'Before: {{grid.beforeScenario}}\nNeeds: {{grid.requiredCapabilities}}',
  dueInDays: 2,
  priority: 'high',
  owner: { chain: ['deal_owner', 'company_owner', 'fallback'], fallbackOwnerId: 'u-fallback' },
};

let now: Date;
let ledger: MemoryTaskLedger;
let crm: RecordingCrm;

beforeEach(() => {
  now = new Date('2026-11-20T12:00:00.000Z');
  ledger = new MemoryTaskLedger(() => now);
  crm = new RecordingCrm();
});

function ensure(overrides: Partial<EnsureAeTaskInput> = {}) {
  return ensureAeTask({
    tenant: 'acme',
    gridId: grid.gridId,
    ledger,
    crm,
    now: () => now,
    build: (marker) =>
      buildAeTask({
        crm,
        template,
        context: { grid: { grid, version: 1, completeness: assessCompleteness(grid), statusUrl: '' } },
        marker,
        links: { deal: 'd-1', company: 'c-1', contact: 'ct-1' },
        now,
      }),
    ...overrides,
  });
}

const createCalls = () => crm.sent.filter((m) => m === 'createTask').length;

describe('ensureAeTask', () => {
  it("creates the task once, owned by the deal's owner, linked to deal, company and contact", async () => {
    const result = await ensure();
    expect(result).toMatchObject({ outcome: 'created', crmTaskId: 'task-1' });
    // No ledger entry yet: no earlier attempt can have created a task, so there is nothing to search for.
    expect(crm.sent).toEqual(['getDeals', 'getOwner', 'createTask']);
    const [task] = crm.tasks;
    expect(task).toMatchObject({
      subject: 'Sales Grid: Ledgerline',
      ownerId: 'u-ae',
      priority: 'high',
      marker: taskMarker('acme', 'grid-42'),
      links: { deal: 'd-1', company: 'c-1', contact: 'ct-1' },
    });
    expect(task?.body).toContain(`gridsync reference: ${taskMarker('acme', 'grid-42')}`);
    expect(ledger.entries.get('acme/grid-42')).toMatchObject({
      state: 'created',
      crmTaskId: 'task-1',
      details: {
        owner: { ownerId: 'u-ae', step: 'deal_owner', skipped: [] },
        dueAt: '2026-11-22T17:00:00.000Z',
      },
    });
  });

  it('sends nothing to the CRM once the ledger says the task was created', async () => {
    await ensure();
    crm.calls.length = 0;
    const again = await ensure();
    expect(again).toMatchObject({
      outcome: 'already_created',
      crmTaskId: 'task-1',
      details: { owner: { step: 'deal_owner' } },
    });
    expect(crm.calls).toEqual([]);
  });

  it('finds the task by its marker after a crash between createTask and recording it, and does not create another', async () => {
    ledger.dieBeforeNextMark = true;
    await expect(ensure()).rejects.toThrow('worker killed');
    expect(ledger.entries.get('acme/grid-42')?.state).toBe('creating');
    expect(crm.tasks).toHaveLength(1);

    now = new Date(now.getTime() + 60_000); // restarted a minute later
    const recovered = await ensure();
    expect(recovered).toMatchObject({
      outcome: 'recovered',
      crmTaskId: 'task-1',
      details: { recovered: true },
    });
    expect(createCalls()).toBe(1);
    expect(ledger.entries.get('acme/grid-42')).toMatchObject({ state: 'created', crmTaskId: 'task-1' });

    expect(await ensure()).toMatchObject({ outcome: 'already_created', crmTaskId: 'task-1' });
    expect(crm.tasks).toHaveLength(1);
  });

  it('waits for the CRM search to catch up before trusting an empty answer after an unfinished attempt', async () => {
    crm.indexNewTasks = false;
    ledger.dieBeforeNextMark = true;
    await expect(ensure()).rejects.toThrow('worker killed');

    const began = now.getTime();
    const searches: number[] = [];
    for (const step of [0, 2_000, 5_000, 10_000, 20_000]) {
      now = new Date(began + step + 100); // a retry just after each scheduled search time
      const early = await ensure();
      expect(early).toMatchObject({ outcome: 'deferred' });
      searches.push((early as { retryAt: Date }).retryAt.getTime() - began);
    }
    // Searched again on a short, bounded schedule: seconds, not minutes.
    expect(searches).toEqual([2_000, 5_000, 10_000, 20_000, 30_000]);
    expect(createCalls()).toBe(1);

    crm.tasks.forEach((t) => (t.indexed = true)); // the search index caught up
    now = new Date(began + 30_000);
    expect(await ensure()).toMatchObject({ outcome: 'recovered', crmTaskId: 'task-1' });
    expect(crm.tasks).toHaveLength(1);
  });

  it('creates the task after the settle time when the earlier attempt never reached the CRM', async () => {
    crm.createTaskFailure = new CrmError('rate_limited', 'too many requests', { status: 429, waitMs: 1000 });
    await expect(ensure()).rejects.toMatchObject({ kind: 'rate_limited' });
    crm.createTaskFailure = undefined;

    expect(await ensure()).toMatchObject({ outcome: 'deferred' });
    now = new Date(now.getTime() + DEFAULT_SEARCH_SETTLE_MS);
    expect(await ensure()).toMatchObject({ outcome: 'created', crmTaskId: 'task-1' });
    expect(crm.tasks).toHaveLength(1);
  });

  it('trusts the search at once when searchSettleMs is 0', async () => {
    crm.createTaskFailure = new CrmError('unavailable', 'bad gateway', { status: 502 });
    await expect(ensure({ searchSettleMs: 0 })).rejects.toMatchObject({ kind: 'unavailable' });
    crm.createTaskFailure = undefined;
    expect(await ensure({ searchSettleMs: 0 })).toMatchObject({ outcome: 'created' });
  });

  it('gives the task to the company owner when the deal owner is deactivated, and says why', async () => {
    crm.owners.set('u-ae', { id: 'u-ae', active: false, name: 'Alex AE' });
    const result = await ensure();
    expect(result).toMatchObject({ outcome: 'created' });
    expect(crm.tasks[0]?.ownerId).toBe('u-company');
    expect(ledger.entries.get('acme/grid-42')?.details).toMatchObject({
      owner: {
        ownerId: 'u-company',
        step: 'company_owner',
        skipped: [{ step: 'deal_owner', ownerId: 'u-ae', reason: 'owner Alex AE (u-ae) is deactivated' }],
      },
    });
  });

  it('creates nothing and reports why when no owner in the chain can take the task', async () => {
    crm.owners.clear();
    const result = await ensure();
    expect(result).toMatchObject({ outcome: 'blocked' });
    expect(result.outcome === 'blocked' && result.reason).toContain(
      'fallback owner: owner u-fallback is not a user the CRM knows',
    );
    expect(createCalls()).toBe(0);
    // Nothing was sent, so nothing may make a later attempt distrust an empty search.
    expect(ledger.entries.get('acme/grid-42')).toBeUndefined();
  });

  it('creates one task when two jobs ensure the same grid at the same moment', async () => {
    const results = await Promise.all([ensure(), ensure(), ensure()]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['already_created', 'already_created', 'created']);
    expect(crm.tasks).toHaveLength(1);
  });

  it('refuses a built task that does not carry the grid marker', async () => {
    const build: EnsureAeTaskInput['build'] = async (marker) => {
      const built = await buildAeTask({ crm, template, context: {}, marker, links: { deal: 'd-1' }, now });
      return built.ok
        ? { ok: true, value: { ...built.value, task: { ...built.value.task, marker: 'gridsyncwrong' } } }
        : built;
    };
    await expect(ensure({ build })).rejects.toThrow('expected gridsync');
    expect(createCalls()).toBe(0);
  });
});
