package dev.telescale.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telescale.runtime.ingress.InboundUpdate;
import dev.telescale.runtime.outbound.OutboundMessage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs every method of UpdateJournal and Outbox once, records each statement they send, and
 * EXPLAINs it: no statement may scan a whole table. Recording what runs, rather than listing SQL
 * here, keeps the check complete as the classes change.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class DatabaseQueryPlanTest {
    private static final List<String> TABLES = List.of("inbound_updates", "outbox", "outbox_failed");
    /** A SQLite plan line reading all of a table: "SCAN outbox" or "SCAN outbox AS head", without an index. */
    private static final Pattern SQLITE_TABLE_SCAN = Pattern.compile("^SCAN (\\w+)(?: AS (\\w+))?$");

    @Parameter
    Dialect dialect;
    @TempDir
    Path tempDir;

    private TestDatabase testDatabase;
    private final Map<String, Integer> parametersBySql = new LinkedHashMap<>();

    @BeforeEach
    void openDatabase() {
        testDatabase = TestDatabase.create(dialect, tempDir);
        testDatabase.database().jdbi().setSqlLogger(new SqlLogger() {
            @Override
            public void logBeforeExecution(StatementContext context) {
                synchronized (parametersBySql) {
                    parametersBySql.put(context.getParsedSql().getSql(),
                            context.getParsedSql().getParameters().getParameterCount());
                }
            }
        });
    }

    @AfterEach
    void closeDatabase() {
        testDatabase.close();
    }

    @Test
    void explain_everyJournalAndOutboxStatement_usesAnIndex() throws SQLException {
        exerciseEveryQuery();
        assertThat(parametersBySql).hasSizeGreaterThanOrEqualTo(20);

        List<String> scans = new ArrayList<>();
        try (Connection connection = testDatabase.rawConnection()) {
            if (dialect == Dialect.POSTGRESQL) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SET enable_seqscan = off");
                }
            }
            for (Map.Entry<String, Integer> statement : parametersBySql.entrySet()) {
                List<String> plan = explain(connection, statement.getKey(), statement.getValue());
                System.out.println(statement.getKey().replaceAll("\\s+", " ") + "\n    " + String.join("\n    ", plan));
                scans.addAll(fullScans(plan).stream().map(scan -> scan + " in: " + statement.getKey()).toList());
            }
        }

        assertThat(scans).isEmpty();
    }

    private void exerciseEveryQuery() {
        Database db = testDatabase.database();
        ManualClock clock = new ManualClock(1_000);
        UpdateJournal journal = new UpdateJournal(db, clock);
        journal.accept(List.of(new InboundUpdate(1, 1, "c:1", 0, "message", "{}", 1, 0),
                new InboundUpdate(1, 2, "c:1", 1, "message", "{}", 1, 0)));
        journal.pending(List.of(0), 10);
        journal.pending(List.of(0, 1, 2), 10);
        journal.pendingForChat(1, "c:1", 10);
        journal.recordAttempt(1, 1);
        db.useTransaction(handle -> journal.markDone(handle, 1, 1));
        journal.markDone(1, 2);
        journal.markFailed(1, 2, "boom");
        journal.countPending();
        journal.countPendingInShards(List.of(0, 1));
        journal.purgeHandledBefore(2_000);

        Outbox outbox = new Outbox(db, clock);
        OutboundMessage message = new OutboundMessage(0, 1, 1, 0, 0, "sendMessage", "{}", 0, 0, "test");
        db.useTransaction(handle -> outbox.enqueue(handle, List.of(message, message)));
        OutboundMessage stored = outbox.enqueue(message);
        outbox.heads(List.of(0), 1_000, 10);
        outbox.heads(List.of(0, 1, 2), 1_000, 10);
        outbox.nextForChat(1, 1, 10);
        outbox.reschedule(stored.id(), 5_000, 1);
        outbox.markFailed(stored.id(), "boom");
        outbox.markSent(stored.id());
        outbox.countPending(0);
        outbox.oldestPendingAgeMillis(2_000);
    }

    private List<String> explain(Connection connection, String sql, int parameterCount) throws SQLException {
        String explain = (dialect == Dialect.SQLITE ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + sql;
        List<String> plan = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(explain)) {
            for (int parameter = 1; parameter <= parameterCount; parameter++) {
                if (dialect == Dialect.SQLITE) {
                    statement.setLong(parameter, 1);
                } else {
                    statement.setString(parameter, "1");
                }
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    plan.add(rows.getString(dialect == Dialect.SQLITE ? "detail" : "QUERY PLAN"));
                }
            }
        }
        return plan;
    }

    private List<String> fullScans(List<String> plan) {
        return plan.stream().map(String::strip).filter(line -> switch (dialect) {
            case SQLITE -> {
                var scan = SQLITE_TABLE_SCAN.matcher(line);
                yield scan.matches() && TABLES.contains(scan.group(1));
            }
            case POSTGRESQL -> line.contains("Seq Scan");
        }).toList();
    }
}
