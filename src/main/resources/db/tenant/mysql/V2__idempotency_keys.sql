-- One row per Idempotency-Key a client sent with a write: the first result, replayed to repeats.
CREATE TABLE idempotency_key (
    idem_key     VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    request_hash CHAR(64) CHARACTER SET ascii NOT NULL,
    status       INT          NOT NULL,
    location     VARCHAR(500),
    body         MEDIUMTEXT   NOT NULL,
    created_at   DATETIME(6)  NOT NULL,
    INDEX idempotency_key_created_idx (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
