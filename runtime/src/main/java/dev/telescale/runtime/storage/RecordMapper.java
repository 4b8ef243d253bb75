package dev.telescale.runtime.storage;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Maps a row to a record by column name: component {@code userId} reads column {@code user_id}
 * (case-insensitive), whatever the column order. Components may be {@code long}, {@code int},
 * {@code boolean}, {@code double}, {@code String}, or the nullable {@code Long}, {@code Integer},
 * {@code Boolean}, {@code Double}.
 *
 * <p>Why not JDBI's {@code ConstructorMapper}: it resolves the constructor's parameters again for
 * every result set (annotations, qualifiers, nested mappers, all through reflection), which was the
 * largest single cost of the anonymous chat's handlers in a relay profile. Here the record is
 * inspected once, when the mapper is built; the columns are found once per result set
 * ({@link #specialize}), and each row costs its reads and the constructor call. A column missing from the result fails that row with a clear message.
 * Immutable and thread-safe.
 */
public final class RecordMapper<T extends Record> implements RowMapper<T> {
    private enum Kind { LONG, INT, BOOLEAN, DOUBLE, STRING, NULLABLE_LONG, NULLABLE_INT, NULLABLE_BOOLEAN, NULLABLE_DOUBLE }

    private final Class<T> type;
    private final Constructor<T> constructor;
    private final String[] columns;
    private final Kind[] kinds;

    private RecordMapper(Class<T> type) {
        this.type = type;
        RecordComponent[] components = type.getRecordComponents();
        if (components == null) {
            throw new IllegalArgumentException(type + " is not a record");
        }
        columns = new String[components.length];
        kinds = new Kind[components.length];
        Class<?>[] parameterTypes = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            columns[i] = snakeCase(components[i].getName());
            kinds[i] = kindOf(type, components[i]);
            parameterTypes[i] = components[i].getType();
        }
        try {
            constructor = type.getDeclaredConstructor(parameterTypes);
            constructor.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(type + " has no canonical constructor", e);
        }
    }

    /** A mapper for this record type; build it once and keep it. */
    public static <T extends Record> RecordMapper<T> of(Class<T> type) {
        return new RecordMapper<>(type);
    }

    /** JDBI calls this once per result set: the columns are looked up once, then each row reads by index. */
    @Override
    public RowMapper<T> specialize(ResultSet rows, StatementContext context) throws SQLException {
        int[] indexes = new int[columns.length];
        for (int i = 0; i < columns.length; i++) {
            indexes[i] = indexOf(rows, columns[i]);
        }
        return (row, ignored) -> build(row, indexes);
    }

    @Override
    public T map(ResultSet row, StatementContext context) throws SQLException {
        return specialize(row, context).map(row, context);
    }

    private T build(ResultSet row, int[] indexes) throws SQLException {
        Object[] values = new Object[indexes.length];
        for (int i = 0; i < indexes.length; i++) {
            values[i] = read(row, indexes[i], kinds[i]);
        }
        try {
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("building a " + type.getSimpleName() + " from a row failed: "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("building a " + type.getSimpleName() + " from a row failed", e);
        }
    }

    private int indexOf(ResultSet row, String column) throws SQLException {
        ResultSetMetaData meta = row.getMetaData();
        for (int index = 1, count = meta.getColumnCount(); index <= count; index++) {
            if (column.equalsIgnoreCase(meta.getColumnLabel(index))) {
                return index;
            }
        }
        throw new SQLException("the result has no column " + column + " for " + type.getSimpleName()
                + " (columns: " + Arrays.toString(labels(meta)) + ")");
    }

    private static String[] labels(ResultSetMetaData meta) throws SQLException {
        String[] labels = new String[meta.getColumnCount()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = meta.getColumnLabel(i + 1);
        }
        return labels;
    }

    private static Object read(ResultSet row, int index, Kind kind) throws SQLException {
        return switch (kind) {
            case LONG -> row.getLong(index);
            case INT -> row.getInt(index);
            case BOOLEAN -> row.getBoolean(index);
            case DOUBLE -> row.getDouble(index);
            case STRING -> row.getString(index);
            case NULLABLE_LONG -> orNull(row, row.getLong(index));
            case NULLABLE_INT -> orNull(row, row.getInt(index));
            case NULLABLE_BOOLEAN -> orNull(row, row.getBoolean(index));
            case NULLABLE_DOUBLE -> orNull(row, row.getDouble(index));
        };
    }

    private static Object orNull(ResultSet row, Object value) throws SQLException {
        return row.wasNull() ? null : value;
    }

    private static final Map<Class<?>, Kind> KINDS = Map.of(long.class, Kind.LONG, int.class, Kind.INT,
            boolean.class, Kind.BOOLEAN, double.class, Kind.DOUBLE, String.class, Kind.STRING,
            Long.class, Kind.NULLABLE_LONG, Integer.class, Kind.NULLABLE_INT, Boolean.class, Kind.NULLABLE_BOOLEAN,
            Double.class, Kind.NULLABLE_DOUBLE);

    private static Kind kindOf(Class<?> record, RecordComponent component) {
        Kind kind = KINDS.get(component.getType());
        if (kind == null) {
            throw new IllegalArgumentException(record.getSimpleName() + "." + component.getName() + " is a "
                    + component.getType().getSimpleName()
                    + "; RecordMapper reads long, int, boolean, double, String and their boxes");
        }
        return kind;
    }

    private static String snakeCase(String camel) {
        StringBuilder out = new StringBuilder(camel.length() + 4);
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }
}
