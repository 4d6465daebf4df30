-- An account's signals are read in pages (occurred_at, signal_id) after the last one read, so evaluating an
-- account never holds all its signals: with signal_id (byte order, as listed) in the index, each page is one
-- range of it.
DROP INDEX signals_by_account;
CREATE INDEX signals_by_account ON signals (tenant, account_domain, occurred_at, signal_id COLLATE "C");
