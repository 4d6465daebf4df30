/**
 * What the intake needs from the rest of gridsync, as small ports: it never imports an adapter, so tests and
 * the composition root decide what sits behind each one.
 */
import type { FastifyBaseLogger } from 'fastify';

import type { SecretLookup } from '../config/secrets.ts';
import type { LoadedMapping } from '../mapping/loaded-mapping.ts';
import { tenantMappingSchema } from '../mapping/mapping-schema.ts';
import type { IntakeStorePort } from '../store/store.ts';

/** The tenant mappings as the intake sees them (the mapping registry satisfies this). */
export interface MappingSource {
  get(tenant: string): LoadedMapping | undefined;
  tenants(): string[];
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
