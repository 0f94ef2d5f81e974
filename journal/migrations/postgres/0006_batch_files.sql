-- The batch files a run recorded, by a SHA-256 of their bytes and of the options that give
-- their lines their keys: `batch status` of a file run before finds its batch and its line
-- counts here, without reading and checking every line again.
CREATE TABLE batch_files (
    digest   TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL,
    lines    BIGINT NOT NULL,
    invalid  BIGINT NOT NULL,
    keys     BIGINT NOT NULL
);
