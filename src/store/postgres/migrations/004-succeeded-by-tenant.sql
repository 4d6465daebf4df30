-- A tenant's last successful sync (GET /v1/tenants/{tenant}/status) is the newest succeeded job of a kind: this
-- partial index answers it with one index seek instead of reading the tenant's whole job history.
CREATE INDEX jobs_succeeded ON jobs (tenant, kind, updated_at) WHERE state = 'succeeded';
