-- A download's part file, recorded when the download starts so that another process
-- continues it (and removes it when the job ends), with the validator (ETag or
-- Last-Modified) of the answer its bytes came from.
ALTER TABLE jobs ADD COLUMN part_path TEXT;
ALTER TABLE jobs ADD COLUMN part_validator TEXT;
-- The job whose task (and file) a job reuses instead of paying for a new one.
ALTER TABLE jobs ADD COLUMN reused_from TEXT;
CREATE INDEX jobs_model_state ON jobs (model, state);
