-- Every change to a tenant, however it is made (admin API on any replica, or SQL by an operator),
-- leaves a row here; every replica polls it and drops its cached route and, where the tenant is
-- gone or suspended, its pool. Rows are purged after a day by the replicas.
CREATE TABLE tenant_change (
    seq        BIGSERIAL    PRIMARY KEY,
    tenant_key VARCHAR(63)  NOT NULL,
    changed_at TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX tenant_change_at_idx ON tenant_change (changed_at);

CREATE FUNCTION tenant_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO tenant_change (tenant_key) VALUES (OLD.tenant_key);
    ELSE
        INSERT INTO tenant_change (tenant_key) VALUES (NEW.tenant_key);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tenant_changed AFTER INSERT OR UPDATE OR DELETE ON tenant
    FOR EACH ROW EXECUTE FUNCTION tenant_changed();
