package io.tenantgate.registry;

/** The tenant database engines tenantgate speaks. {@code MYSQL} covers MariaDB. */
public enum DatabaseKind {
    MYSQL,
    POSTGRESQL
}
