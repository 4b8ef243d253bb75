package dev.telescale.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Dialect.class)
class RecordMapperTest {
    record Row(long id, int count, boolean flag, double score, String name, Long maybeLong, Integer maybeInt,
               Boolean maybeFlag, Double maybeScore) {
    }

    record Unsupported(long id, java.time.Instant at) {
    }

    @Parameter
    Dialect dialect;
    @TempDir
    Path tempDir;

    private TestDatabase testDatabase;

    @BeforeEach
    void open() {
        testDatabase = TestDatabase.create(dialect, tempDir);
    }

    @AfterEach
    void close() {
        testDatabase.close();
    }

    @Test
    void map_columnsInAnyOrderWithNulls_eachComponentFromItsSnakeCaseColumn() {
        List<Row> rows = testDatabase.database().withHandle(handle -> handle.createQuery("""
                        SELECT 'a' AS name, 7 AS count, 1 = 1 AS flag, 2.5 AS score, 9000000000 AS id,
                               NULL AS maybe_long, NULL AS maybe_int, NULL AS maybe_flag, NULL AS maybe_score
                        UNION ALL
                        SELECT 'b', 0, 1 = 0, 0.5, 2, 5, 6, 1 = 1, 1.5""")
                .map(RecordMapper.of(Row.class))
                .list());

        assertThat(rows).containsExactly(
                new Row(9_000_000_000L, 7, true, 2.5, "a", null, null, null, null),
                new Row(2, 0, false, 0.5, "b", 5L, 6, true, 1.5));
    }

    @Test
    void map_columnMissing_failsNamingTheColumn() {
        assertThatThrownBy(() -> testDatabase.database().withHandle(handle -> handle.createQuery("SELECT 1 AS id")
                .map(RecordMapper.of(Row.class))
                .list()))
                .hasStackTraceContaining("the result has no column count for Row");
    }

    @Test
    void of_componentOfAnUnsupportedType_failsAtOnce() {
        assertThatThrownBy(() -> RecordMapper.of(Unsupported.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unsupported.at is a Instant; RecordMapper reads long, int, boolean, double, String and their boxes");
    }
}
