package dev.telescale.runtime.app;

import dev.telescale.runtime.webapp.InitDataCheck;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * One HTTP request to an application's route, with what a handler may use: the request and
 * response ({@link #http()}), the client's address, transactions of the application's own
 * (exactly like a periodic task run: writes and queued calls commit together), the deployment's
 * shared rate limiter, and Telegram Mini App authentication against the application's bots.
 * Valid only during the handler.
 */
public interface WebRequest {
    /** The request and response. */
    Context http();

    /** The client's address: the peer's, or from X-Forwarded-For when the peer is one of TRUSTED_PROXIES. */
    String clientAddress();

    /** Work in one transaction with a {@link TaskContext}; a thrown exception rolls it back and reaches the handler. */
    <T> T inTransaction(Work<T> work);

    /** Read-only work without a transaction (never holds SQLite's writer lock); it may queue no calls. */
    <T> T read(Work<T> work);

    /**
     * Takes one request from the shared bucket {@code key} (the same on every instance) that allows
     * {@code permits} requests per {@code window}: throws a 429 {@link WebError} with Retry-After
     * when it is empty.
     */
    void limit(String key, int permits, Duration window);

    /**
     * Checks a Mini App's initData against the application's bots (HMAC with the "WebAppData" key,
     * constant time, auth_date no older than {@code maxAge}). Replay protection is the caller's.
     */
    InitDataCheck checkInitData(String initData, Duration maxAge);

    /** A short-lived session token for a user of a bot after their initData was accepted; valid on every instance. */
    String issueSession(long botId, long userId);

    /** The session a request's token names, when it is valid and unexpired for one of the application's bots. */
    Optional<Session> session(String token);

    /** The application's bots on this deployment. */
    Set<Long> botIds();

    /** A Mini App session: a user of one bot. */
    record Session(long botId, long userId) {
    }

    /** Work given a {@link TaskContext}. */
    @FunctionalInterface
    interface Work<T> {
        T run(TaskContext context) throws Exception;
    }
}
