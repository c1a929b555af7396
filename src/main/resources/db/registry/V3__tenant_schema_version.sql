-- The tenant-schema version each tenant's database was last migrated to. A build that expects a
-- newer one does not serve the tenant (503 tenant-schema-behind) until the fleet upgrade reaches it.
ALTER TABLE tenant ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 0;
