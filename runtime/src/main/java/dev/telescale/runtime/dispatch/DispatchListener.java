package dev.telescale.runtime.dispatch;

import dev.telescale.runtime.ingress.InboundUpdate;

/** What the dispatcher reports, for metrics and logs. Implementations must be fast and thread-safe. */
public interface DispatchListener {
    void handled(InboundUpdate update, String application, long handleNanos);

    void handlerFailed(InboundUpdate update, String application, Throwable error, int attempt);

    void gaveUp(InboundUpdate update, String application, String reason);

    DispatchListener NONE = new DispatchListener() {
        @Override
        public void handled(InboundUpdate update, String application, long handleNanos) {
        }

        @Override
        public void handlerFailed(InboundUpdate update, String application, Throwable error, int attempt) {
        }

        @Override
        public void gaveUp(InboundUpdate update, String application, String reason) {
        }
    };
}
