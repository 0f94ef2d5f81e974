-- Outputs saved as objects (`s3://bucket/key`, `gs://…`, `az://…`): the store's entity tag
-- of the object saved, and the multipart upload under way. An upload's object is the job's
-- `part_path` (its URL) and its id is recorded before the first part is sent, so that a
-- process killed mid-upload leaves an upload the next one aborts (uploads cost storage).
ALTER TABLE jobs ADD COLUMN etag TEXT;
ALTER TABLE jobs ADD COLUMN upload_id TEXT;
