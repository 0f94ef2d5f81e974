-- The W3C `traceparent` of each job's trace (`00-<trace id>-<span id>-<flags>`), written
-- by the process that first drives the job, before its submit is sent: a later process
-- that follows, downloads or resumes the job opens its spans in that trace. Empty when
-- no tracing exporter was on.
ALTER TABLE jobs ADD COLUMN traceparent TEXT;
