-- Which permissions each role has in this tenant. Role names are the token's groups.
CREATE TABLE role_permission (
    role       VARCHAR(64) CHARACTER SET ascii NOT NULL,
    permission VARCHAR(64) CHARACTER SET ascii NOT NULL,
    PRIMARY KEY (role, permission)
) ENGINE = InnoDB;

INSERT INTO role_permission (role, permission) VALUES
    ('user', 'customers:read'), ('user', 'customers:write'), ('user', 'reports:read'), ('user', 'reports:write'),
    ('viewer', 'customers:read'), ('viewer', 'reports:read');

CREATE TABLE report_template (
    id          CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
    name        VARCHAR(200)  NOT NULL,
    description VARCHAR(1000),
    created_at  DATETIME(6)   NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

INSERT INTO report_template (id, name, description, created_at) VALUES
    ('00000000-0000-4000-8000-000000000001', 'Customer list', 'Every customer with contact details', NOW(6)),
    ('00000000-0000-4000-8000-000000000002', 'New customers', 'Customers created in a period', NOW(6)),
    ('00000000-0000-4000-8000-000000000003', 'Activity summary', 'Counts per month', NOW(6));

CREATE TABLE report_request (
    id          CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
    template_id CHAR(36) CHARACTER SET ascii NOT NULL,
    title       VARCHAR(200) NOT NULL,
    status      VARCHAR(16)  NOT NULL,
    version     BIGINT       NOT NULL,
    created_at  DATETIME(6)  NOT NULL,
    updated_at  DATETIME(6)  NOT NULL,
    CONSTRAINT report_request_template_fk FOREIGN KEY (template_id) REFERENCES report_template (id),
    INDEX report_request_created_idx (created_at, id),
    INDEX report_request_status_idx (status, created_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Optimistic concurrency for customers: the ETag of a customer is its version.
ALTER TABLE customer ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
