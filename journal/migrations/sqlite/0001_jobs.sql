-- One row per generation asked for, written before its submit is sent.
CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    hub             TEXT NOT NULL,
    model           TEXT NOT NULL,
    endpoint        TEXT NOT NULL,
    input           TEXT NOT NULL,
    output_path     TEXT NOT NULL,
    state           TEXT NOT NULL,
    task_id         TEXT,
    result          TEXT,
    error           TEXT,
    file_path       TEXT,
    file_size       INTEGER,
    sha256          TEXT,
    task_elapsed_ms INTEGER,
    submits         INTEGER NOT NULL DEFAULT 0,
    owner           TEXT,
    lease_until     INTEGER,
    batch           TEXT,
    line_key        TEXT UNIQUE,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX jobs_state ON jobs (state);
CREATE INDEX jobs_created_at ON jobs (created_at);
CREATE INDEX jobs_batch ON jobs (batch, state);

-- Every change of a job's state, in order: what happened to it and when.
CREATE TABLE job_events (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    at     INTEGER NOT NULL,
    state  TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX job_events_job_id ON job_events (job_id, id);

-- How long tasks took, per hub and model: what learned poll schedules are fitted to.
CREATE TABLE task_durations (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    hub     TEXT NOT NULL,
    model   TEXT NOT NULL,
    seconds REAL NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX task_durations_hub_model ON task_durations (hub, model, id);
