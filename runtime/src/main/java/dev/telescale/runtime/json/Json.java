package dev.telescale.runtime.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Object mappers for Telescale's code, built on one JSON factory whose parse and write buffers
 * come from a shared, bounded pool.
 *
 * <p>Why not {@code new ObjectMapper()}: Jackson's default pool keeps a buffer set per thread.
 * Telescale parses and writes JSON on virtual threads, which are new for every request and every
 * task, so that pool never reuses anything: each parse and write allocated fresh 4 to 16 KB
 * buffers (about a tenth of everything the bot allocated in the PostgreSQL + Redis memory
 * benchmark, docs/benchmarks.md). The bounded pool hands the same buffers to whichever thread
 * asks next and holds at most 100 sets; when they are all in use a thread gets new buffers, which
 * the pool then drops. Thread-safe.
 */
public final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.sharedBoundedPool())
            .build();

    private Json() {
    }

    /** A new mapper with Jackson's default settings on the pooled factory; configure it as usual. */
    public static ObjectMapper newMapper() {
        return new ObjectMapper(FACTORY.copy());
    }
}
