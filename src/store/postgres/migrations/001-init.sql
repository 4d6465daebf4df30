-- gridsync store, PostgreSQL. Tables land in the first schema of the connection's search_path (openStore's
-- `schema` option sets it). Same tables as the SQLite store; see src/store/sqlite/migrations/001-init.sql.
-- Documents read back whole (grids, answers, worker state) are json, which keeps the sender's key order, so a
-- replayed answer is the very same text; jsonb only where SQL looks inside (job payloads, signals).

-- The current version of each grid; the full content is in grid_versions. latest_version counts superseded
-- versions too, so the next version number is latest + 1.
CREATE TABLE grids (
  tenant          text        NOT NULL,
  grid_id         text        NOT NULL,
  current_version integer     NOT NULL,
  latest_version  integer     NOT NULL,
  content_hash    text        NOT NULL,
  captured_at     timestamptz NOT NULL,
  account_domain  text,
  complete        boolean     NOT NULL,
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (tenant, grid_id)
);
CREATE INDEX grids_by_account ON grids (tenant, account_domain);

CREATE TABLE grid_versions (
  tenant       text        NOT NULL,
  grid_id      text        NOT NULL,
  version      integer     NOT NULL,
  outcome      text        NOT NULL CHECK (outcome IN ('new_version', 'superseded')),
  grid         json        NOT NULL,
  completeness json        NOT NULL,
  content_hash text        NOT NULL,
  captured_at  timestamptz NOT NULL,
  received_at  timestamptz NOT NULL,
  webhook_id   text        NOT NULL,
  PRIMARY KEY (tenant, grid_id, version),
  FOREIGN KEY (tenant, grid_id) REFERENCES grids (tenant, grid_id)
);

CREATE TABLE signals (
  tenant         text        NOT NULL,
  signal_id      text        NOT NULL,
  type           text        NOT NULL,
  account_domain text        NOT NULL,
  occurred_at    timestamptz NOT NULL,
  doc            jsonb       NOT NULL,
  received_at    timestamptz NOT NULL,
  PRIMARY KEY (tenant, signal_id)
);
CREATE INDEX signals_by_account ON signals (tenant, account_domain, occurred_at);

-- Latest signal time per account: "active accounts since" without a second index on the hot signals table.
CREATE TABLE account_activity (
  tenant           text        NOT NULL,
  account_domain   text        NOT NULL,
  last_occurred_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, account_domain)
);
CREATE INDEX account_activity_by_time ON account_activity (tenant, last_occurred_at);

CREATE TABLE jobs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind         text        NOT NULL,
  tenant       text        NOT NULL,
  key          text        NOT NULL,
  payload      jsonb       NOT NULL,
  state        text        NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'dead')),
  once         boolean     NOT NULL,
  attempts     integer     NOT NULL DEFAULT 0,
  max_attempts integer     NOT NULL,
  run_at       timestamptz NOT NULL,
  lease_until  timestamptz,
  locked_by    text,
  last_error   text,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX jobs_by_key ON jobs (tenant, key, state);
CREATE INDEX jobs_pending ON jobs (run_at, id) WHERE state = 'pending';
CREATE INDEX jobs_running ON jobs (lease_until) WHERE state = 'running';
-- once: a key enqueued with once=true exists at most one time, whatever its state (cron ticks of N replicas).
CREATE UNIQUE INDEX jobs_once_key ON jobs (tenant, key) WHERE once;

CREATE TABLE deliveries (
  tenant      text        NOT NULL,
  webhook_id  text        NOT NULL,
  kind        text        NOT NULL CHECK (kind IN ('grid', 'signals')),
  status      integer     NOT NULL,
  body        json        NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, webhook_id)
);

CREATE TABLE grid_sync_state (
  tenant     text        NOT NULL,
  grid_id    text        NOT NULL,
  doc        json        NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, grid_id)
);

CREATE TABLE account_state (
  tenant         text        NOT NULL,
  account_domain text        NOT NULL,
  doc            json        NOT NULL,
  updated_at     timestamptz NOT NULL,
  PRIMARY KEY (tenant, account_domain)
);

CREATE TABLE written_fields (
  tenant      text        NOT NULL,
  object_type text        NOT NULL,
  record_key  text        NOT NULL,
  field       text        NOT NULL,
  fingerprint text        NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant, object_type, record_key, field)
);

CREATE TABLE ae_task_ledger (
  tenant      text        NOT NULL,
  grid_id     text        NOT NULL,
  marker      text        NOT NULL,
  state       text        NOT NULL CHECK (state IN ('creating', 'created')),
  crm_task_id text,
  details     json,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant, grid_id)
);
