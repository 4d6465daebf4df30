import { describe } from 'vitest';
import { storeContract } from '../contract/store.contract.ts';
import { tempSqliteStore } from '../support/temp-store.ts';

describe('SQLite store (a temp file per test)', () => {
  storeContract(() => tempSqliteStore());
});
