package dev.telescale.server;

import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.config.TelescaleConfig;
import dev.telescale.runtime.storage.Database;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code telescale migrate}: brings the configured database's schema up to date, then exits. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Applies the database migrations of the runtime and of every application (DATABASE_URL).")
final class MigrateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        TelescaleConfig config = Configurations.load(err);
        if (config == null) {
            return 2;
        }
        List<String> locations = new ArrayList<>();
        for (BotApplication application : Applications.withDefaults().values()) {
            locations.addAll(application.migrationLocations());
        }
        try (Database database = Database.open(dev.telescale.runtime.TelescaleRuntime.databaseUrl(config.database()),
                config.database().poolSize())) {
            database.migrate(locations);
            spec.commandLine().getOut().println("telescale: " + database.describe() + " is up to date");
        }
        return 0;
    }
}
