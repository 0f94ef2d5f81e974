-- Where a batch job's file goes inside the folder its batch is run into (`--out`), e.g.
-- `veo-3.1-1-{task_id}.mp4`: a batch is its lines whatever the folder, and each worker
-- that takes a job puts its file in its own folder. NULL for a job outside a batch, and for
-- one recorded before; a run of its list gives it its name.
ALTER TABLE jobs ADD COLUMN output_name TEXT;
-- The batch lines without a name (recorded before, or whose file goes outside their
-- folder): a run looks for them, by this index, before it looks its lines up under the
-- keys of an earlier videohub.
CREATE INDEX jobs_unnamed ON jobs (batch) WHERE batch IS NOT NULL AND output_name IS NULL;
