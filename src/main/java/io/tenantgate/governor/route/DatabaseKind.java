package io.tenantgate.governor.route;

/** The tenant database engines tenantgate speaks. {@code MYSQL} covers MariaDB. */
public enum DatabaseKind {
    MYSQL,
    POSTGRESQL
}
