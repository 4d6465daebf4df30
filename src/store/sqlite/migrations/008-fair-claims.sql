-- Fair claims (src/store/fair-shares.ts): a claim lists the tenants with pending jobs by a skip scan and takes
-- each tenant's oldest due jobs, both from this index, so a claim costs what it takes, not the backlog.
CREATE INDEX jobs_pending_by_tenant ON jobs (tenant, run_at, id) WHERE state = 'pending';
