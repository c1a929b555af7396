CREATE TABLE tenant (
    tenant_key         VARCHAR(63)  PRIMARY KEY CHECK (tenant_key ~ '^[a-z][a-z0-9-]{1,62}$'),
    display_name       VARCHAR(200) NOT NULL,
    status             VARCHAR(16)  NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED')),
    db_kind            VARCHAR(16)  NOT NULL CHECK (db_kind IN ('MYSQL', 'POSTGRESQL')),
    host               VARCHAR(255) NOT NULL,
    port               INTEGER      NOT NULL CHECK (port BETWEEN 1 AND 65535),
    database_name      VARCHAR(64)  NOT NULL,
    username           VARCHAR(64)  NOT NULL,
    password_encrypted VARCHAR(1024),
    password_ref       VARCHAR(255),
    tls_mode           VARCHAR(16)  NOT NULL CHECK (tls_mode IN ('DISABLED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_FULL')),
    max_pool_size      INTEGER CHECK (max_pool_size BETWEEN 1 AND 1000),
    version            BIGINT       NOT NULL DEFAULT 0,
    created_at         TIMESTAMPTZ  NOT NULL,
    updated_at         TIMESTAMPTZ  NOT NULL,
    -- A password is either encrypted here or referenced elsewhere, never both, never missing.
    CONSTRAINT tenant_one_password CHECK ((password_encrypted IS NULL) <> (password_ref IS NULL))
);

CREATE INDEX tenant_status_idx ON tenant (status);
