package dev.telescale.runtime.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.RecyclerPool;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void buffersReleasedOnOneVirtualThread_areReusedOnTheNext() throws Exception {
        RecyclerPool<BufferRecycler> pool = Json.newMapper().getFactory()._getRecyclerPool();

        BufferRecycler first = useOnNewVirtualThread(pool);
        BufferRecycler second = useOnNewVirtualThread(pool);

        assertThat(second).as("the same buffers, although each virtual thread is new").isSameAs(first);
    }

    @Test
    void everyMapper_sharesThePool_andStillParsesAndWrites() throws Exception {
        ObjectMapper one = Json.newMapper();
        ObjectMapper two = Json.newMapper();

        assertThat(one.getFactory()._getRecyclerPool()).isSameAs(two.getFactory()._getRecyclerPool());
        assertThat(one.getFactory().getCodec()).isSameAs(one);
        assertThat(two.getFactory().getCodec()).isSameAs(two);
        JsonNode node = one.readTree("{\"text\":\"привет\",\"n\":1}");
        assertThat(two.writeValueAsString(node)).isEqualTo("{\"text\":\"привет\",\"n\":1}");
    }

    private static BufferRecycler useOnNewVirtualThread(RecyclerPool<BufferRecycler> pool) throws InterruptedException {
        AtomicReference<BufferRecycler> used = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            BufferRecycler recycler = pool.acquireAndLinkPooled();
            recycler.allocCharBuffer(BufferRecycler.CHAR_TOKEN_BUFFER);
            used.set(recycler);
            recycler.releaseToPool();
        }).join();
        return used.get();
    }
}
