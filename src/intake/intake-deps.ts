/**
 * What the intake needs from the rest of gridsync, as small ports: it never imports an adapter, so tests and
 * the composition root decide what sits behind each one.
 */
import type { FastifyBaseLogger } from 'fastify';

import type { SecretLookup } from '../config/secrets.ts';
import type { DailyLimitReading } from './daily-limit-status.ts';
import type { LoadedMapping } from '../mapping/loaded-mapping.ts';
import { tenantMappingSchema } from '../mapping/mapping-schema.ts';
import type { IntakeStorePort, TenantQueueView } from '../store/store.ts';

/** The tenant mappings as the intake sees them (the mapping registry satisfies this). */
export interface MappingSource {
  get(tenant: string): LoadedMapping | undefined;
  tenants(): string[];
}

/** The latest schema check of a tenant (the worker's drift watch), in the words of `mapping plan --json`. */
export interface TenantSchemaCheck {
  state: 'ok' | 'drift' | 'not_checked' | 'failed';
  checkedAt?: string;
  reason?: string;
  findings: {
    code: string;
    severity: 'error' | 'warning';
    object: string;
    field?: string;
    message: string;
    fix: string;
    location?: { file: string; line: number; column: number };
  }[];
}

/** What the worker knows of a tenant: its CRM connection and its latest schema check. */
export interface TenantRuntimeStatus {
  /** The problems of a broken edit of the tenant's file (it keeps running on the last good mapping). */
  mappingErrors?: string[];
  crm?: { mode: 'live' | 'dry_run'; reason?: string };
  schema?: TenantSchemaCheck;
  /** The CRM's daily request count as the tenant's budget last heard it (daily-limit-status.ts). */
  dailyLimit?: DailyLimitReading;
}

export interface AcceptedEvent {
  tenant: string;
  kind: 'grid' | 'signals';
}

export interface IntakeDeps {
  /** Acceptance, the grid status reads and readiness: the intake's role of the store. */
  store: IntakeStorePort;
  mappings: MappingSource;
  secrets: SecretLookup;
  logger: FastifyBaseLogger;
  /** Base of the status URLs handed out in 202 answers, e.g. https://gridsync.example.com. */
  publicUrl: string;
  /** Called after a delivery is committed (never for a replay): how the intake wakes the worker at once. */
  onAccepted?: (event: AcceptedEvent) => void;
  now?: () => Date;
  /** Job counts and the last successful sync of a tenant (GET …/status); the store's queue inspection. */
  queue?: TenantQueueView;
  /** The worker's view of a tenant (GET …/status, /readyz detail); absent when no worker runs here. */
  tenantStatus?: (tenant: string) => TenantRuntimeStatus;
  /** How long a request may take to arrive whole (HTTP_LIMITS.requestTimeoutMs); tests shorten it. */
  requestTimeoutMs?: number;
}

/** IntakeDeps with the defaults filled in, as the routes receive them. */
export interface RouteDeps extends Omit<IntakeDeps, 'now'> {
  now: () => Date;
}

/**
 * The tenant named in a URL, when it is loaded. A name that could not be a tenant id never reaches the
 * registry, so URL text such as "__proto__" cannot address anything.
 */
export function findTenant(mappings: MappingSource, tenant: string): LoadedMapping | undefined {
  return tenantMappingSchema.shape.tenant.safeParse(tenant).success ? mappings.get(tenant) : undefined;
}

export function gridStatusUrl(publicUrl: string, tenant: string, gridId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/v1/tenants/${encodeURIComponent(tenant)}/grids/${encodeURIComponent(gridId)}`;
}
