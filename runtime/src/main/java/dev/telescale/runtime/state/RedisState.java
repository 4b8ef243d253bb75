package dev.telescale.runtime.state;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared state in Redis, for many instances: {@link RedisLeases}, {@link RedisRateLimiter},
 * {@link RedisPubSub}, {@link RedisCache}, all keys under one prefix ({@value #DEFAULT_KEY_PREFIX}
 * by default) so several deployments or test runs can share a server.
 *
 * <p>Connections: one multiplexed command connection shared by all threads, and one dedicated
 * pub/sub connection. Lettuce reconnects both by itself (back-off 10 ms doubling to 1 s).
 *
 * <p>Failing fast: commands time out after {@value #COMMAND_TIMEOUT_MILLIS} ms and are rejected at
 * once while disconnected ({@code REJECT_COMMANDS}, not queued), so a caller waits at most about
 * half a second and gets {@link StateUnavailableException}. Callers that must keep working
 * during an outage use {@link DegradingState}.
 *
 * <p>Health: a virtual thread PINGs both connections every second, and at once when Lettuce
 * reports a connection lost or regained. It alone flips {@link #isHealthy()} and calls
 * {@code onHealthChange} exactly once per transition, on that thread (never on an I/O thread).
 * Before reporting healthy again it re-subscribes every pub/sub channel. The state starts healthy
 * ({@link #connect} fails if Redis is unreachable), so the first call reports a loss.
 *
 * <p>Time: expiries and refills use Redis's own clock ({@code PX}, {@code TIME}) so instances
 * agree; the injected clock only dates health changes for {@link #describe()}.
 */
public final class RedisState implements SharedState {
    public static final String DEFAULT_KEY_PREFIX = "telescale:";
    static final long COMMAND_TIMEOUT_MILLIS = 500;
    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(COMMAND_TIMEOUT_MILLIS);
    private static final long PROBE_INTERVAL_MILLIS = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(RedisState.class);

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final StatefulRedisPubSubConnection<String, String> pubSubConnection;
    private final String where;
    private final String keyPrefix;
    private final InstantSource clock;
    private final Consumer<Boolean> onHealthChange;
    private final StateCounters counters = new StateCounters();
    private final RedisCalls calls;
    private final RedisLeases leases;
    private final RedisRateLimiter rateLimiter;
    private final RedisPubSub pubSub;
    private final RedisCache cache;
    private final Semaphore wakeProbe = new Semaphore(0);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread probe;
    private volatile boolean healthy = true;
    private volatile Instant since;

    private RedisState(ClientResources resources, RedisClient client, StatefulRedisConnection<String, String> connection,
            StatefulRedisPubSubConnection<String, String> pubSubConnection, String where, String keyPrefix,
            InstantSource clock, Consumer<Boolean> onHealthChange) {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.pubSubConnection = pubSubConnection;
        this.where = where;
        this.keyPrefix = keyPrefix;
        this.clock = clock;
        this.onHealthChange = onHealthChange;
        this.since = clock.instant();
        this.calls = new RedisCalls(connection.sync(), keyPrefix);
        this.leases = new RedisLeases(calls);
        this.rateLimiter = new RedisRateLimiter(calls);
        this.pubSub = new RedisPubSub(calls, pubSubConnection, counters);
        this.cache = new RedisCache(calls);
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                wakeProbe.release();
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                wakeProbe.release();
            }
        });
        this.probe = Thread.ofVirtual().name("telescale-redis-health").start(this::probeLoop);
    }

    /** Connects with the default key prefix; see {@link #connect(String, String, InstantSource, Consumer)}. */
    public static RedisState connect(String redisUrl, InstantSource clock, Consumer<Boolean> onHealthChange) {
        return connect(redisUrl, DEFAULT_KEY_PREFIX, clock, onHealthChange);
    }

    /**
     * Connects to {@code redis://host:port[/db]} (also {@code rediss://}, user and password as
     * Lettuce parses them).
     *
     * @param onHealthChange called with false when Redis becomes unreachable and true when it is
     *     back, once per transition, on the health thread; exceptions are logged
     * @throws StateUnavailableException if Redis cannot be reached now
     */
    public static RedisState connect(String redisUrl, String keyPrefix, InstantSource clock, Consumer<Boolean> onHealthChange) {
        RedisURI uri = RedisURI.create(redisUrl);
        uri.setTimeout(COMMAND_TIMEOUT);
        ClientResources resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .socketOptions(SocketOptions.builder().connectTimeout(COMMAND_TIMEOUT).keepAlive(true).build())
                .build());
        String where = uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
        StatefulRedisConnection<String, String> connection = null;
        try {
            connection = client.connect(StringCodec.UTF8);
            StatefulRedisPubSubConnection<String, String> pubSubConnection = client.connectPubSub(StringCodec.UTF8);
            return new RedisState(resources, client, connection, pubSubConnection, where, keyPrefix, clock, onHealthChange);
        } catch (RedisException e) {
            if (connection != null) {
                connection.close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            resources.shutdown(0, 1, TimeUnit.SECONDS);
            throw new StateUnavailableException("cannot connect to Redis at " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Leases leases() {
        return leases;
    }

    @Override
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    @Override
    public PubSub pubSub() {
        return pubSub;
    }

    @Override
    public SharedCache cache() {
        return cache;
    }

    @Override
    public boolean isHealthy() {
        return healthy;
    }

    @Override
    public String describe() {
        return "redis " + where + " prefix " + keyPrefix + (healthy ? " (healthy)" : " (unreachable since " + since + ")");
    }

    @Override
    public StateCounters counters() {
        return counters;
    }

    public String keyPrefix() {
        return keyPrefix;
    }

    /** Deletes every cache entry under this prefix; see {@link DegradingState}. */
    void clearCache() {
        cache.clear();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        probe.interrupt();
        pubSub.close();
        pubSubConnection.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private void probeLoop() {
        while (!closed.get()) {
            boolean reachable = probeOnce();
            if (!closed.get()) {
                report(reachable);
            }
            try {
                wakeProbe.tryAcquire(PROBE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
                wakeProbe.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean probeOnce() {
        try {
            calls.call("ping", commands -> commands.ping());
            pubSub.ping();
            pubSub.resubscribeIfNeeded();
            return true;
        } catch (StateException e) {
            return false;
        }
    }

    private void report(boolean reachable) {
        if (reachable == healthy) {
            return;
        }
        healthy = reachable;
        since = clock.instant();
        if (!reachable) {
            pubSub.markResubscribeNeeded();
            LOG.warn("Redis at {} is unreachable", where);
        } else {
            LOG.info("Redis at {} is reachable again", where);
        }
        try {
            onHealthChange.accept(reachable);
        } catch (RuntimeException e) {
            LOG.warn("health listener failed", e);
        }
    }
}
