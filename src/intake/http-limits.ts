/**
 * What the intake's HTTP server accepts, derived from the contract's limits (src/domain/contract-limits.ts) where
 * the contract has one, so the router never refuses an id the schema accepts.
 */
import { CONTRACT_LIMITS, LONGEST_PATH_ID } from '../domain/contract-limits.ts';

export const HTTP_LIMITS = {
  bodyBytes: CONTRACT_LIMITS.bodyBytes,
  /** Characters of one path parameter, after percent-decoding (find-my-way measures the decoded value). */
  pathParamLength: LONGEST_PATH_ID,
  /** The request line and all headers together (Node's own default, stated so it is documented). */
  headerBytes: 16 * 1024,
  /** A request whose headers and body have not all arrived by then is refused with 408 (slow senders, stalls). */
  requestTimeoutMs: 30_000,
} as const;
