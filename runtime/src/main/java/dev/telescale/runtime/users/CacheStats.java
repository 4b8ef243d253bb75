package dev.telescale.runtime.users;

/**
 * What the {@link UserCache} counted since it was created. A lookup counts in every tier it
 * reached: an L1 miss goes on to L2, an L2 miss to the database.
 *
 * @param databaseWrites profiles written because an observed user was new or changed
 */
public record CacheStats(Counts l1, Counts l2, Counts database, long databaseWrites) {
    /** Lookups of one tier. */
    public record Counts(long hits, long misses) {
        public long lookups() {
            return hits + misses;
        }

        /** Hits per lookup, 0 before the first lookup. */
        public double hitRate() {
            return lookups() == 0 ? 0 : (double) hits / lookups();
        }
    }
}
