-- Fair claims (src/store/fair-shares.ts): a claim lists the tenants with pending jobs by a skip scan and takes
-- each tenant's oldest due jobs, both from this index, so a claim costs what it takes, not the backlog.
CREATE INDEX jobs_pending_by_tenant ON jobs (tenant, run_at, id) WHERE state = 'pending';

-- One CRM request budget per tenant for the whole deployment (src/store/postgres/postgres-request-slots.ts):
-- a budget of N requests per window is N rows; a request takes a row that is free, holds it while in flight and
-- frees it one window after its answer, so all replicas together never let the CRM count more than N.
CREATE TABLE crm_request_slots (
  budget  TEXT        NOT NULL,
  slot    INTEGER     NOT NULL,
  free_at TIMESTAMPTZ NOT NULL,
  holder  TEXT,
  PRIMARY KEY (budget, slot)
);
CREATE INDEX crm_request_slots_free ON crm_request_slots (budget, free_at);
