-- gridsync store, SQLite. Times are INTEGER milliseconds since the epoch (UTC), JSON is TEXT.

-- The current version of each grid, with what intake and the worker query on: the full content is in
-- grid_versions. latest_version counts superseded versions too, so the next version number is latest + 1.
CREATE TABLE grids (
  tenant          TEXT    NOT NULL,
  grid_id         TEXT    NOT NULL,
  current_version INTEGER NOT NULL,
  latest_version  INTEGER NOT NULL,
  content_hash    TEXT    NOT NULL,
  captured_at     INTEGER NOT NULL,
  account_domain  TEXT,
  complete        INTEGER NOT NULL CHECK (complete IN (0, 1)),
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (tenant, grid_id)
);
CREATE INDEX grids_by_account ON grids (tenant, account_domain);

-- Every stored version: outcome says whether it became current or arrived after a later capture.
CREATE TABLE grid_versions (
  tenant       TEXT    NOT NULL,
  grid_id      TEXT    NOT NULL,
  version      INTEGER NOT NULL,
  outcome      TEXT    NOT NULL CHECK (outcome IN ('new_version', 'superseded')),
  grid         TEXT    NOT NULL,
  completeness TEXT    NOT NULL,
  content_hash TEXT    NOT NULL,
  captured_at  INTEGER NOT NULL,
  received_at  INTEGER NOT NULL,
  webhook_id   TEXT    NOT NULL,
  PRIMARY KEY (tenant, grid_id, version),
  FOREIGN KEY (tenant, grid_id) REFERENCES grids (tenant, grid_id)
);

-- Signals are stored once per sender id; doc is the signal as received.
CREATE TABLE signals (
  tenant         TEXT    NOT NULL,
  signal_id      TEXT    NOT NULL,
  type           TEXT    NOT NULL,
  account_domain TEXT    NOT NULL,
  occurred_at    INTEGER NOT NULL,
  doc            TEXT    NOT NULL,
  received_at    INTEGER NOT NULL,
  PRIMARY KEY (tenant, signal_id)
);
CREATE INDEX signals_by_account ON signals (tenant, account_domain, occurred_at);

-- Latest signal time per account: "active accounts since" without a second index on the hot signals table.
CREATE TABLE account_activity (
  tenant           TEXT    NOT NULL,
  account_domain   TEXT    NOT NULL,
  last_occurred_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, account_domain)
);
CREATE INDEX account_activity_by_time ON account_activity (tenant, last_occurred_at);

CREATE TABLE jobs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  kind         TEXT    NOT NULL,
  tenant       TEXT    NOT NULL,
  key          TEXT    NOT NULL,
  payload      TEXT    NOT NULL,
  state        TEXT    NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'dead')),
  once         INTEGER NOT NULL CHECK (once IN (0, 1)),
  attempts     INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_at       INTEGER NOT NULL,
  lease_until  INTEGER,
  locked_by    TEXT,
  last_error   TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX jobs_by_key ON jobs (tenant, key, state);
CREATE INDEX jobs_pending ON jobs (run_at, id) WHERE state = 'pending';
CREATE INDEX jobs_running ON jobs (lease_until) WHERE state = 'running';
-- once: a key enqueued with once=true exists at most one time, whatever its state (cron ticks of N replicas).
CREATE UNIQUE INDEX jobs_once_key ON jobs (tenant, key) WHERE once = 1;

-- The answer each webhook delivery got, replayed for a repeated webhook-id.
CREATE TABLE deliveries (
  tenant      TEXT    NOT NULL,
  webhook_id  TEXT    NOT NULL,
  kind        TEXT    NOT NULL CHECK (kind IN ('grid', 'signals')),
  status      INTEGER NOT NULL,
  body        TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, webhook_id)
);

CREATE TABLE grid_sync_state (
  tenant     TEXT    NOT NULL,
  grid_id    TEXT    NOT NULL,
  doc        TEXT    NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, grid_id)
);

CREATE TABLE account_state (
  tenant         TEXT    NOT NULL,
  account_domain TEXT    NOT NULL,
  doc            TEXT    NOT NULL,
  updated_at     INTEGER NOT NULL,
  PRIMARY KEY (tenant, account_domain)
);

-- Change detection: fingerprint of the value gridsync last wrote, per CRM object, record and field.
CREATE TABLE written_fields (
  tenant      TEXT    NOT NULL,
  object_type TEXT    NOT NULL,
  record_key  TEXT    NOT NULL,
  field       TEXT    NOT NULL,
  fingerprint TEXT    NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (tenant, object_type, record_key, field)
);

-- At most one AE task per grid: the row exists before the CRM call ('creating') and records its result.
CREATE TABLE ae_task_ledger (
  tenant      TEXT    NOT NULL,
  grid_id     TEXT    NOT NULL,
  marker      TEXT    NOT NULL,
  state       TEXT    NOT NULL CHECK (state IN ('creating', 'created')),
  crm_task_id TEXT,
  details     TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (tenant, grid_id)
);
