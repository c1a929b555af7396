-- Fleet-wide admin actions (see FleetActions): the replica an operator's call reached writes the
-- action here; every replica polls this table, performs each action once and writes its
-- acknowledgement with what it did, which the issuing replica waits for (bounded by
-- tenantgate.admin.fleet-wait). Times are the registry's clock. Purged after a day by the replicas.
CREATE TABLE admin_action (
    seq        BIGSERIAL    PRIMARY KEY,
    action     VARCHAR(40)  NOT NULL,
    -- NULL for actions on every tenant (evict-idle)
    tenant_key VARCHAR(63),
    issued_by  VARCHAR(200) NOT NULL,
    issued_at  TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX admin_action_at_idx ON admin_action (issued_at);

CREATE TABLE admin_action_ack (
    seq        BIGINT       NOT NULL REFERENCES admin_action (seq) ON DELETE CASCADE,
    replica_id VARCHAR(200) NOT NULL,
    -- what the replica did, e.g. {"evicted": true} or {"evicted": ["acme"]}
    result     JSONB        NOT NULL,
    acked_at   TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (seq, replica_id)
);
