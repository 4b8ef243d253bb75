package dev.telescale.runtime.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jdbi.v3.core.statement.Query;

/**
 * Builds "the first rows of these shards, merged in one order" as one statement: a UNION ALL of
 * one ordered, limited subquery per shard, merged and limited again. Each subquery walks its
 * shard's index in order and stops at the limit, so the cost is shards × limit however long the
 * backlog, where a single {@code shard IN (...)} query would sort every matching row. The text for
 * each number of shards is built once and kept: an instance asks for the same shards on every poll.
 * Thread-safe.
 */
final class PerShardQuery {
    static final String LIMIT = "limit";

    private final Function<String, String> shardSelect;
    private final String mergeOrder;
    private final Map<Integer, String> byShardCount = new ConcurrentHashMap<>();

    /**
     * @param shardSelect given the name of the shard parameter, the ordered subquery for that shard,
     *                    ending in {@code LIMIT :limit}
     * @param mergeOrder  the ORDER BY list of the merged result, naming result columns
     */
    PerShardQuery(Function<String, String> shardSelect, String mergeOrder) {
        this.shardSelect = shardSelect;
        this.mergeOrder = mergeOrder;
    }

    /** The shards once each, in a stable order (so the statement text repeats for the same set). */
    static List<Integer> distinct(Collection<Integer> shards) {
        return List.copyOf(new TreeSet<>(shards));
    }

    /** The statement over {@code shardCount} shards, bound by {@link #bindShards}. */
    String sql(int shardCount) {
        return byShardCount.computeIfAbsent(shardCount, count -> IntStream.range(0, count)
                .mapToObj(index -> "SELECT * FROM (" + shardSelect.apply("shard" + index) + ") AS shard_" + index)
                .collect(Collectors.joining(" UNION ALL ", "", " ORDER BY " + mergeOrder + " LIMIT :" + LIMIT)));
    }

    static Query bindShards(Query query, List<Integer> shards) {
        for (int index = 0; index < shards.size(); index++) {
            query.bind("shard" + index, shards.get(index).intValue());
        }
        return query;
    }
}
