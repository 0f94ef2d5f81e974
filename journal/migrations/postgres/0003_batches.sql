-- A batch: one list of lines, recorded once. Its id is a SHA-256 of the list's line keys;
-- its jobs carry it, so that claiming, counting and listing them never name the lines.
CREATE TABLE batches (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    lines      BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
-- Jobs recorded before batches had rows keep a NULL batch id until their list is run
-- again, which gives them its id.
ALTER TABLE jobs ADD COLUMN batch_id TEXT;
-- Until when (ms) the hub asked a pending job's submit to wait: it refused it with 429 (or
-- 503 with Retry-After), so the job was not taken and is sent again after that.
ALTER TABLE jobs ADD COLUMN hub_limit_until BIGINT;
-- The unfinished jobs of each batch, in the order they are claimed: a finished job leaves
-- this index, so a claim visits only jobs still to do, whatever the batch's size.
CREATE INDEX jobs_batch_open ON jobs (batch_id, created_at, id)
    WHERE state IN ('pending', 'submitting', 'submitted', 'completed');
-- A batch's counts by state (and of jobs waiting on the hub's limit), from the index alone.
CREATE INDEX jobs_batch_state ON jobs (batch_id, state, hub_limit_until);
-- The jobs some process holds: few, whatever the journal's size.
CREATE INDEX jobs_owner ON jobs (owner) WHERE owner IS NOT NULL;
