/**
 * The drift watch: for each live tenant, the worker runs `mapping plan` (read only) every
 * `sync.schemaCheckHours` (default 24) and after every mapping reload, so a field an admin deleted, a type
 * changed or an option removed is known before syncs trip over it. A new finding is logged once, with its
 * mapping line; the latest result is what /readyz and the tenant status show, and what the write guard
 * (drift-guard.ts) uses to fail a write early with the plan's words instead of sending it for a CRM 400.
 */
import type { Logger } from '../lib/logger.ts';
import { publishDriftFinding } from '../lib/ops-events.ts';
import type { LoadedMapping } from '../mapping/loaded-mapping.ts';
import type { Finding } from '../schema-plan/findings.ts';
import { formatLocationOf, planMapping, type PlanResult } from '../schema-plan/plan-result.ts';
import type { CrmSchemaSnapshot } from '../schema-plan/crm-schema.ts';

export type SchemaReader = (
  loaded: LoadedMapping,
) => Promise<{ ok: true; schema: CrmSchemaSnapshot } | { ok: false; reason: string }>;

export interface DriftMappings {
  get(tenant: string): LoadedMapping | undefined;
  tenants(): string[];
  onChange(listener: (tenant: string, loaded: LoadedMapping | undefined) => void): () => void;
}

/** What the watch knows of one tenant, as /readyz and the tenant status show it. */
export interface SchemaCheck {
  /** ok: the CRM can take the mapping; drift: error findings; not_checked: dry-run; failed: the read failed. */
  state: 'ok' | 'drift' | 'not_checked' | 'failed';
  checkedAt?: string;
  contentHash?: string;
  reason?: string;
  findings: Finding[];
}

export interface DriftWatchOptions {
  mappings: DriftMappings;
  readSchema: SchemaReader;
  logger: Logger;
  /** How often due tenants are looked for. @default 60 s */
  tickMs?: number;
  now?: () => number;
}

const key = (f: Finding) => `${f.code}:${f.object}:${f.field ?? ''}`;

export class DriftWatch {
  readonly #options: DriftWatchOptions;
  readonly #checks = new Map<string, SchemaCheck>();
  readonly #running = new Map<string, Promise<SchemaCheck>>();
  readonly #nextAt = new Map<string, number>();
  /** Tenants whose CRM took the mapping at least once: only their later findings are drift that blocks writes. */
  readonly #verified = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(options: DriftWatchOptions) {
    this.#options = options;
  }

  start(): void {
    this.#unsubscribe = this.#options.mappings.onChange((tenant, loaded) => {
      if (loaded === undefined) {
        this.#checks.delete(tenant);
        this.#nextAt.delete(tenant);
        this.#verified.delete(tenant);
      } else {
        void this.check(tenant);
      }
    });
    // Each tenant loaded at start-up is checked at once: its first check must not wait for a tick (nor for a
    // day), since until one check has come out clean, writes are never failed early (see blocking()).
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), this.#options.tickMs ?? 60_000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#unsubscribe?.();
  }

  /** The latest check of a tenant (undefined before the first one finished). */
  latest(tenant: string): SchemaCheck | undefined {
    return this.#checks.get(tenant);
  }

  /**
   * Error findings of the latest check, once the tenant's CRM has taken the mapping at least once: what broke
   * since (drift) fails writes early. A tenant never seen clean keeps sending as before, its findings shown on
   * /readyz and its status, so a plan that is wrong about a portal can never stop a sync that would work.
   */
  blocking(tenant: string): Finding[] {
    if (!this.#verified.has(tenant)) return [];
    return (this.#checks.get(tenant)?.findings ?? []).filter((f) => f.severity === 'error');
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  #tick(): void {
    for (const tenant of this.#options.mappings.tenants()) {
      if (this.#now() >= (this.#nextAt.get(tenant) ?? 0)) void this.check(tenant);
    }
  }

  /** Plans the tenant now (one check at a time per tenant). */
  check(tenant: string): Promise<SchemaCheck> {
    const running = this.#running.get(tenant);
    if (running) return running;
    const next = this.#run(tenant).finally(() => this.#running.delete(tenant));
    this.#running.set(tenant, next);
    return next;
  }

  async #run(tenant: string): Promise<SchemaCheck> {
    const loaded = this.#options.mappings.get(tenant);
    const logger = this.#options.logger.child({ tenant, component: 'drift-watch' });
    if (loaded === undefined) return { state: 'not_checked', reason: 'no mapping loaded', findings: [] };
    const hours = loaded.mapping.sync.schemaCheckHours;
    this.#nextAt.set(tenant, this.#now() + hours * 3_600_000);
    const checkedAt = new Date(this.#now()).toISOString();
    let check: SchemaCheck;
    try {
      const read = await this.#options.readSchema(loaded);
      if (!read.ok) {
        check = {
          state: 'not_checked',
          checkedAt,
          contentHash: loaded.contentHash,
          reason: read.reason,
          findings: [],
        };
      } else {
        const result: PlanResult = planMapping(loaded, read.schema);
        check = {
          state: result.ok ? 'ok' : 'drift',
          checkedAt,
          contentHash: loaded.contentHash,
          findings: result.findings,
        };
      }
    } catch (error) {
      logger.warn({ err: error }, 'schema check failed: the CRM schema could not be read');
      const previous = this.#checks.get(tenant);
      check = {
        state: 'failed',
        checkedAt,
        contentHash: loaded.contentHash,
        reason: (error as Error).message,
        // What was known stays known: a failed read does not clear drift.
        findings: previous?.findings ?? [],
      };
    }
    this.#report(tenant, check, logger);
    this.#checks.set(tenant, check);
    if (check.state === 'ok') this.#verified.add(tenant);
    return check;
  }

  /** Each finding is logged when it first appears, and once when it is gone. */
  #report(tenant: string, check: SchemaCheck, logger: Logger): void {
    if (check.state === 'failed' || check.state === 'not_checked') return;
    const before = new Map((this.#checks.get(tenant)?.findings ?? []).map((f) => [key(f), f]));
    const now = new Set(check.findings.map(key));
    for (const finding of check.findings) {
      if (before.has(key(finding))) continue;
      const fields = {
        code: finding.code,
        object: finding.object,
        field: finding.field,
        mappingLine: formatLocationOf(finding),
        fix: finding.fix,
      };
      if (finding.severity === 'error') {
        logger.warn(fields, `schema drift: ${finding.message}`);
        publishDriftFinding({ tenant, kind: finding.code });
      } else logger.info(fields, `schema check: ${finding.message}`);
    }
    for (const [k, finding] of before) {
      if (!now.has(k)) {
        logger.info(
          { code: finding.code, object: finding.object, field: finding.field },
          'schema drift resolved',
        );
      }
    }
  }
}
