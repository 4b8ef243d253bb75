package dev.telescale.runtime.storage;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jdbi.v3.core.statement.Query;

/**
 * Builds "the first rows of these shards, merged in one order" as one statement: a UNION ALL of
 * one ordered, limited subquery per shard, merged and limited again. Each subquery walks its
 * shard's index in order and stops at the limit, so the cost is shards × limit however long the
 * backlog, where a single {@code shard IN (...)} query would sort every matching row. Stateless.
 */
final class PerShardQuery {
    static final String LIMIT = "limit";

    private PerShardQuery() {
    }

    /** The shards once each, in a stable order (so the statement text repeats for the same set). */
    static List<Integer> distinct(Collection<Integer> shards) {
        return List.copyOf(new TreeSet<>(shards));
    }

    /**
     * @param shardSelect given the name of the shard parameter, the ordered subquery for that shard,
     *                    ending in {@code LIMIT :limit}
     * @param mergeOrder  the ORDER BY list of the merged result, naming result columns
     */
    static String sql(int shardCount, Function<String, String> shardSelect, String mergeOrder) {
        return IntStream.range(0, shardCount)
                .mapToObj(index -> "SELECT * FROM (" + shardSelect.apply("shard" + index) + ") AS shard_" + index)
                .collect(Collectors.joining(" UNION ALL ", "", " ORDER BY " + mergeOrder + " LIMIT :" + LIMIT));
    }

    static Query bindShards(Query query, List<Integer> shards) {
        for (int index = 0; index < shards.size(); index++) {
            query.bind("shard" + index, shards.get(index).intValue());
        }
        return query;
    }
}
