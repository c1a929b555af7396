CREATE TABLE customer (
    id         UUID         NOT NULL PRIMARY KEY,
    name       VARCHAR(200) NOT NULL,
    email      VARCHAR(254) NOT NULL,
    phone      VARCHAR(40),
    created_at TIMESTAMPTZ  NOT NULL,
    updated_at TIMESTAMPTZ  NOT NULL,
    CONSTRAINT customer_email_uk UNIQUE (email)
);

CREATE INDEX customer_created_idx ON customer (created_at, id);
