/**
 * The storage port's behaviour, written once and run against every adapter (test/store/*-store.test.ts), so
 * SQLite and PostgreSQL provably behave alike. Parts live in test/store/contract/.
 */
import { describe } from 'vitest';
import { inspectionContract } from '../store/contract/inspection-contract.ts';
import { intakeContract } from '../store/contract/intake-contract.ts';
import { jobsContract } from '../store/contract/jobs-contract.ts';
import { lifecycleContract } from '../store/contract/lifecycle-contract.ts';
import { recordsContract } from '../store/contract/records-contract.ts';
import { retentionContract } from '../store/contract/retention-contract.ts';
import type { StoreFactory } from '../store/contract/fixtures.ts';

export type { StoreFactory };

/** Registers the whole contract; `factory` gives each test a fresh, empty, migrated store. */
export function storeContract(factory: StoreFactory): void {
  describe('intake', () => intakeContract(factory));
  describe('job queue', () => jobsContract(factory));
  describe('queue inspection', () => inspectionContract(factory));
  describe('worker records', () => recordsContract(factory));
  describe('lifecycle', () => lifecycleContract(factory));
  describe('retention', () => retentionContract(factory));
}
