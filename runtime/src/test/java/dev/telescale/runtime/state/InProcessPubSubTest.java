package dev.telescale.runtime.state;

import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;

class InProcessPubSubTest extends PubSubContract {
    private final InProcessState state = new InProcessState(InstantSource.system());

    @Override
    SharedState publisherSide() {
        return state;
    }

    @Override
    SharedState subscriberSide() {
        return state;
    }

    @AfterEach
    void close() {
        state.close();
    }
}
