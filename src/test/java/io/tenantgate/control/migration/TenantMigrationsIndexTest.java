package io.tenantgate.control.migration;

import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.testing.BothKinds;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every tenant migration is listed once and exists for both database kinds. */
class TenantMigrationsIndexTest {

    @BothKinds
    void indexListsExactlyTheMigrationFilesOfEachKind(DatabaseKind kind) throws IOException {
        Path dir = Path.of("src/main/resources", TenantMigrations.location(kind));
        try (Stream<Path> files = Files.list(dir)) {
            List<String> onDisk = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(onDisk, TenantMigrations.names().stream().sorted().toList());
        }
    }
}
