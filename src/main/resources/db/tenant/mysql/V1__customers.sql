CREATE TABLE customer (
    id         CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
    name       VARCHAR(200) NOT NULL,
    email      VARCHAR(254) NOT NULL,
    phone      VARCHAR(40),
    created_at DATETIME(6)  NOT NULL,
    updated_at DATETIME(6)  NOT NULL,
    CONSTRAINT customer_email_uk UNIQUE (email),
    INDEX customer_created_idx (created_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
-- utf8mb4_bin, not a _ci collation: uniqueness and search must mean the same as on PostgreSQL
-- (emails are stored lower-case; searches compare LOWER(...) on both kinds).
