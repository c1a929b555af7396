-- Which permissions each role has in this tenant. Role names are the token's groups.
CREATE TABLE role_permission (
    role       VARCHAR(64) NOT NULL,
    permission VARCHAR(64) NOT NULL,
    PRIMARY KEY (role, permission)
);

INSERT INTO role_permission (role, permission) VALUES
    ('user', 'customers:read'), ('user', 'customers:write'), ('user', 'reports:read'), ('user', 'reports:write'),
    ('viewer', 'customers:read'), ('viewer', 'reports:read');

CREATE TABLE report_template (
    id          UUID          NOT NULL PRIMARY KEY,
    name        VARCHAR(200)  NOT NULL,
    description VARCHAR(1000),
    created_at  TIMESTAMPTZ   NOT NULL
);

INSERT INTO report_template (id, name, description, created_at) VALUES
    ('00000000-0000-4000-8000-000000000001', 'Customer list', 'Every customer with contact details', now()),
    ('00000000-0000-4000-8000-000000000002', 'New customers', 'Customers created in a period', now()),
    ('00000000-0000-4000-8000-000000000003', 'Activity summary', 'Counts per month', now());

CREATE TABLE report_request (
    id          UUID         NOT NULL PRIMARY KEY,
    template_id UUID         NOT NULL REFERENCES report_template (id),
    title       VARCHAR(200) NOT NULL,
    status      VARCHAR(16)  NOT NULL,
    version     BIGINT       NOT NULL,
    created_at  TIMESTAMPTZ  NOT NULL,
    updated_at  TIMESTAMPTZ  NOT NULL
);

CREATE INDEX report_request_created_idx ON report_request (created_at, id);
CREATE INDEX report_request_status_idx ON report_request (status, created_at, id);

-- Optimistic concurrency for customers: the ETag of a customer is its version.
ALTER TABLE customer ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
