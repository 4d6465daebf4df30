/**
 * Bounds what a tenant's broken credentials can cost, for every CRM and every token flow: token calls per
 * minute are capped, and once the token endpoint refuses the credentials (a revoked grant, a rotated secret,
 * a deleted integration user) the tenant "needs reconnection": no request and no token call is made until a
 * cooldown has passed, and every caller gets the same auth_failed error meanwhile. Without this a 401 that
 * persists turns into a loop through the token endpoint (jsforce was seen making over a thousand token calls
 * in 3 s).
 */
import type { Logger } from '../lib/logger.ts';
import { CrmError } from './crm-errors.ts';

/** Token calls allowed per tenant and minute; a healthy token flow needs one per token lifetime. */
export const TOKEN_CALLS_PER_MINUTE = 5;
/** After the token endpoint refuses the credentials, no new token call (and no request) for this long. */
export const AUTH_FAILURE_COOLDOWN_MS = 60_000;

export interface TokenRefreshGuardOptions {
  /** Names the CRM in messages: "HubSpot", "Salesforce". */
  crm: string;
  logger: Logger;
  callsPerMinute?: number;
  cooldownMs?: number;
  now?: () => number;
}

export interface ReconnectionState {
  reason: string;
  since: string;
  /** When gridsync tries the credentials again on its own. */
  retryAt: string;
}

export class TokenRefreshGuard {
  readonly #options: TokenRefreshGuardOptions;
  readonly #now: () => number;
  readonly #calls: number[] = [];
  #refused: { error: CrmError; since: number; until: number } | undefined;

  constructor(options: TokenRefreshGuardOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Throws the refusal while the tenant needs reconnection. */
  throwIfRefused(): void {
    if (this.#refused !== undefined && this.#now() < this.#refused.until) throw this.#refused.error;
  }

  /** Counts a token call about to be made; over the cap the tenant needs reconnection and this throws. */
  admitTokenCall(reason: string): void {
    this.throwIfRefused();
    const now = this.#now();
    const cap = this.#options.callsPerMinute ?? TOKEN_CALLS_PER_MINUTE;
    while ((this.#calls[0] ?? now) <= now - 60_000) this.#calls.shift();
    if (this.#calls.length >= cap) {
      const error = new CrmError(
        'auth_failed',
        `${this.#options.crm} keeps refusing fresh tokens: ${cap} token calls in the last minute; reconnect the tenant`,
      );
      this.markRefused(error);
      throw error;
    }
    this.#calls.push(now);
    this.#options.logger.info(
      { reason, tokenCallsLastMinute: this.#calls.length },
      `${this.#options.crm} token request`,
    );
  }

  /** The token endpoint refused the credentials: pause the tenant's calls for the cooldown. */
  markRefused(error: CrmError): void {
    const now = this.#now();
    const cooldownMs = this.#options.cooldownMs ?? AUTH_FAILURE_COOLDOWN_MS;
    this.#refused = { error, since: this.#refused?.since ?? now, until: now + cooldownMs };
    this.#options.logger.warn(
      { code: error.correlationId, cooldownMs },
      `${this.#options.crm} credentials refused: the tenant needs reconnection`,
    );
  }

  /** A token was issued: the credentials work again. */
  succeeded(): void {
    this.#refused = undefined;
  }

  /** Set while the credentials are refused, for the tenant's status. */
  get needsReconnection(): ReconnectionState | undefined {
    const refused = this.#refused;
    if (refused === undefined) return undefined;
    return {
      reason: refused.error.message,
      since: new Date(refused.since).toISOString(),
      retryAt: new Date(refused.until).toISOString(),
    };
  }
}
