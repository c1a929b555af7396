-- Membership and budget shares of the running replicas (see ReplicaLeases): one row per replica,
-- renewed every tenantgate.budget.lease.renew. Times are the registry's clock.
CREATE TABLE replica_lease (
    replica_id VARCHAR(200) PRIMARY KEY,
    started_at TIMESTAMPTZ  NOT NULL,
    renewed_at TIMESTAMPTZ  NOT NULL,
    -- per server "host:port": {"share": n, "floor": n, "budget": n, "active": bool}
    shares     JSONB        NOT NULL
);

-- Bumped by every write to replica_lease, only if unchanged since the writer read the table: a
-- write computed from a stale read changes nothing (compare-and-set, no lock held between reads).
CREATE TABLE replica_lease_epoch (
    version BIGINT NOT NULL
);
INSERT INTO replica_lease_epoch (version) VALUES (0);
