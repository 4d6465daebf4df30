import { beforeEach, describe, expect, it } from 'vitest';

import { assessCompleteness } from '../domain/grid-completeness.ts';
import type { SalesGrid } from '../domain/sales-grid.ts';
import type { CrmClient, CrmOwner, FoundRecord, NewAeTask, RecordOutcome } from '../crm/crm-client.ts';
import { CrmError } from '../crm/crm-errors.ts';
import type { TaskTemplate } from '../mapping/mapping-schema.ts';
import type { TaskLedger, TaskLedgerEntry } from '../store/store.ts';
import { buildAeTask } from './build-ae-task.ts';
import {
  type AeTaskRequest,
  DEFAULT_SEARCH_SETTLE_MS,
  type EnsureAeTaskResult,
  ensureAeTasks,
  type EnsureAeTasksInput,
} from './ensure-ae-task.ts';
import { taskMarker } from './task-marker.ts';

/** The TaskLedger contract in memory; `dieBeforeNextMark` makes markTaskCreated fail as a killed process would. */
class MemoryTaskLedger implements TaskLedger {
  readonly entries = new Map<string, TaskLedgerEntry>();
  dieBeforeNextMark = false;
  /** Marks recorded before the process "dies": every later one fails, as in a killed process. */
  marksBeforeDeath = Infinity;
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
    if (this.marksBeforeDeath <= 0) {
      return Promise.reject(new Error('worker killed before recording the task'));
    }
    this.marksBeforeDeath -= 1;
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

  findTasksByMarkers(markers: string[]): Promise<Map<string, string>> {
    this.record('findTasksByMarkers', markers);
    const found = new Map<string, string>();
    for (const marker of markers) {
      const task = this.tasks.find((t) => t.indexed && t.body.includes(marker));
      if (task) found.set(marker, task.id);
    }
    return Promise.resolve(found);
  }
  /** One call for the batch; `refuseMarkers` are answered with a per-record error, as a 207 would. */
  refuseMarkers = new Set<string>();
  createTasks(tasks: NewAeTask[]): Promise<RecordOutcome[]> {
    this.record('createTasks', tasks);
    if (this.createTaskFailure) return Promise.reject(this.createTaskFailure);
    return Promise.resolve(
      tasks.map((task): RecordOutcome => {
        if (this.refuseMarkers.has(task.marker)) {
          return { ok: false, error: new CrmError('rejected', 'INVALID_OWNER_ID') };
        }
        const id = `task-${this.tasks.length + 1}`;
        this.tasks.push({ ...task, id, indexed: this.indexNewTasks });
        return { ok: true, id };
      }),
    );
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

function request(gridId = grid.gridId, deal = 'd-1'): AeTaskRequest {
  return {
    gridId,
    build: (marker) =>
      buildAeTask({
        crm,
        template,
        context: {
          grid: {
            grid: { ...grid, gridId },
            version: 1,
            completeness: assessCompleteness(grid),
            statusUrl: '',
          },
        },
        marker,
        links: { deal, company: 'c-1', contact: 'ct-1' },
        now,
      }),
  };
}

function ensureAll(overrides: Partial<EnsureAeTasksInput> = {}) {
  return ensureAeTasks({
    tenant: 'acme',
    ledger,
    crm,
    now: () => now,
    requests: [request()],
    ...overrides,
  });
}

async function ensure(
  overrides: Partial<EnsureAeTasksInput> & { build?: AeTaskRequest['build'] } = {},
): Promise<EnsureAeTaskResult> {
  const { build, ...rest } = overrides;
  const requests = [build === undefined ? request() : { gridId: grid.gridId, build }];
  const results = await ensureAll({ requests, ...rest });
  return results.get(grid.gridId) as EnsureAeTaskResult;
}

const createCalls = () => crm.sent.filter((m) => m === 'createTasks').length;

describe('ensureAeTasks, one grid', () => {
  it("creates the task once, owned by the deal's owner, linked to deal, company and contact", async () => {
    const result = await ensure();
    expect(result).toMatchObject({ outcome: 'created', crmTaskId: 'task-1' });
    // No ledger entry yet: no earlier attempt can have created a task, so there is nothing to search for.
    expect(crm.sent).toEqual(['getDeals', 'getOwner', 'createTasks']);
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

  it('finds the task by its marker after a crash between the create and recording it, and does not create another', async () => {
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
    const build: AeTaskRequest['build'] = async (marker) => {
      const built = await buildAeTask({ crm, template, context: {}, marker, links: { deal: 'd-1' }, now });
      return built.ok
        ? { ok: true, value: { ...built.value, task: { ...built.value.task, marker: 'gridsyncwrong' } } }
        : built;
    };
    await expect(ensure({ build })).rejects.toThrow('expected gridsync');
    expect(createCalls()).toBe(0);
  });
});

describe('ensureAeTasks, a batch', () => {
  const ids = Array.from({ length: 5 }, (_, i) => `grid-${i}`);
  const batch = () => ids.map((id) => request(id));

  it('creates every task in one call, each recorded against its own grid, after writing every ledger entry', async () => {
    const seenAtCreate: (string | undefined)[] = [];
    const createTasks = crm.createTasks.bind(crm);
    crm.createTasks = async (tasks) => {
      for (const id of ids) seenAtCreate.push(ledger.entries.get(`acme/${id}`)?.state);
      return createTasks(tasks);
    };
    const results = await ensureAll({ requests: batch() });
    expect(seenAtCreate).toEqual(ids.map(() => 'creating'));
    expect(createCalls()).toBe(1);
    for (const id of ids) {
      const result = results.get(id);
      expect(result).toMatchObject({ outcome: 'created' });
      const task = crm.tasks.find((t) => t.id === (result as { crmTaskId: string }).crmTaskId);
      expect(task?.marker).toBe(taskMarker('acme', id));
      expect(ledger.entries.get(`acme/${id}`)).toMatchObject({ state: 'created', crmTaskId: task?.id });
    }
  });

  it('looks up every unfinished grid in one call after a crash, and creates only what it did not find', async () => {
    ledger.marksBeforeDeath = 1;
    await expect(ensureAll({ requests: batch().slice(0, 3) })).rejects.toThrow('worker killed');
    expect(crm.tasks).toHaveLength(3);
    ledger.marksBeforeDeath = Infinity; // restarted a minute later
    now = new Date(now.getTime() + 60_000);
    crm.calls.length = 0;

    const results = await ensureAll({ requests: batch() });
    const lookups = crm.calls.filter((c) => c.method === 'findTasksByMarkers');
    expect(lookups).toHaveLength(1);
    // grid-0 was recorded before the crash, grid-1 and grid-2 were created but not recorded; grid-3 and
    // grid-4 have no entry, so there is nothing to look up for them.
    expect(lookups[0]?.args[0]).toEqual(['grid-1', 'grid-2'].map((id) => taskMarker('acme', id)));
    expect(ids.map((id) => results.get(id)?.outcome)).toEqual([
      'already_created',
      'recovered',
      'recovered',
      'created',
      'created',
    ]);
    expect(crm.tasks).toHaveLength(5);
    expect(createCalls()).toBe(1);
  });

  it('reports a task the CRM refused while its batch-mates are created, and looks before creating it again', async () => {
    crm.refuseMarkers.add(taskMarker('acme', 'grid-2'));
    const results = await ensureAll({ requests: batch() });
    expect(results.get('grid-2')).toMatchObject({ outcome: 'failed', retryable: false });
    expect(ids.filter((id) => results.get(id)?.outcome === 'created')).toHaveLength(4);
    expect(ledger.entries.get('acme/grid-2')?.state).toBe('creating');

    crm.refuseMarkers.clear();
    now = new Date(now.getTime() + DEFAULT_SEARCH_SETTLE_MS);
    crm.calls.length = 0;
    const again = await ensureAll({ requests: batch() });
    expect(again.get('grid-2')).toMatchObject({ outcome: 'created' });
    expect(crm.sent).toEqual(['findTasksByMarkers', 'getDeals', 'getOwner', 'createTasks']);
    expect(crm.tasks).toHaveLength(5);
  });

  it('tells beforeBuild which grids it is about to build, once, before any owner read', async () => {
    await ensureAll({ requests: batch().slice(0, 2) });
    crm.calls.length = 0;
    const told: string[][] = [];
    await ensureAll({
      requests: batch(),
      beforeBuild: (gridIds) => {
        told.push(gridIds);
        expect(crm.calls).toEqual([]);
        return Promise.resolve();
      },
    });
    expect(told).toEqual([['grid-2', 'grid-3', 'grid-4']]);
  });
});
