-- One row per Idempotency-Key a client sent with a write: the first result, replayed to repeats.
CREATE TABLE idempotency_key (
    idem_key     VARCHAR(255) NOT NULL PRIMARY KEY,
    request_hash CHAR(64)     NOT NULL,
    status       INT          NOT NULL,
    location     VARCHAR(500),
    body         TEXT         NOT NULL,
    created_at   TIMESTAMPTZ  NOT NULL
);

CREATE INDEX idempotency_key_created_idx ON idempotency_key (created_at);
