-- A SHA-256 of each job's hub, model, endpoint and canonical input (its object keys
-- sorted): the jobs that asked for the same generation share it, so that finding an
-- earlier downloaded twin of a request reads those few rows, not every job of its model.
-- Jobs recorded before it get theirs when the journal is next opened.
ALTER TABLE jobs ADD COLUMN request_digest TEXT;
CREATE INDEX jobs_request_digest ON jobs (request_digest, state);
