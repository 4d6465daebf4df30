-- Dead jobs are listed and counted by operators (gridsync deadletters, /metrics): a partial index keeps that
-- off the succeeded rows.
CREATE INDEX jobs_dead ON jobs (tenant, updated_at) WHERE state = 'dead';
