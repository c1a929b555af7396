-- One fleet upgrade at a time across all replicas: the replica named in `runner` holds the claim,
-- renews it while it runs and publishes its progress here, so any replica answers
-- GET /admin/migrations the same. A claim not renewed within tenantgate.migration.claim-timeout
-- belongs to a dead runner and is taken over by another replica. One row, always.
CREATE TABLE fleet_upgrade (
    id               SMALLINT     PRIMARY KEY CHECK (id = 1),
    runner           VARCHAR(200),
    expected_version INTEGER      NOT NULL DEFAULT 0,
    renewed_at       TIMESTAMPTZ,
    progress         JSONB
);
INSERT INTO fleet_upgrade (id) VALUES (1);
