-- A counter per cached kind of record, raised in the same transaction as
-- every change to such a record. Each instance reads it (one row, by key)
-- at most once a second and drops its cache when it moved: a change made
-- on one instance is seen by all within a second, whatever the clocks say.
CREATE TABLE cache_versions (
    name    TEXT   PRIMARY KEY,
    version BIGINT NOT NULL
);

-- Clients, their secrets and their web origins.
INSERT INTO cache_versions (name, version) VALUES ('clients', 0);
