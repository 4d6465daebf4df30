import { afterAll, describe } from 'vitest';
import { storeContract } from '../contract/store.contract.ts';
import { postgresSchemaPerFile, TEST_DATABASE_URL_HINT, testDatabaseUrl } from '../support/temp-store.ts';

// One schema for this file, dropped afterwards; each test starts from empty tables in it.
const describeWithPostgres = testDatabaseUrl() === undefined ? describe.skip : describe;
const skipped = testDatabaseUrl() === undefined ? `: skipped, ${TEST_DATABASE_URL_HINT}` : '';

describeWithPostgres(`PostgreSQL store (a schema per test file)${skipped}`, () => {
  const schema = postgresSchemaPerFile('store_contract');
  afterAll(() => schema.drop());
  storeContract(() => schema.open());
});
