package dev.telescale.runtime.state;

import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.List;

/**
 * Token buckets as Redis hashes {@code <prefix>rl:<key> = {tokens, ts, blocked}}, decided by one
 * Lua script per call so the all-or-nothing take over several buckets is atomic on the server.
 * "Now" is Redis {@code TIME} (milliseconds with microsecond fraction), so instances with skewed
 * clocks agree. Numbers are stored with {@code %.17g} so repeated rounding cannot mint tokens. A
 * bucket expires once it would have refilled completely (burst / rate, plus a second), which
 * equals a full bucket, so idle keys cost nothing. Penalize sets {@code blocked} and an empty
 * bucket that gets one token at the end of the block. Stateless apart from the connection;
 * thread-safe.
 *
 * <p>All keys of one call must live on one node (this targets a single Redis or a primary with
 * replicas; under Redis Cluster they would need a common hash tag).
 */
final class RedisRateLimiter implements RateLimiter {
    /** KEYS: buckets; ARGV: rate per millisecond and burst, for each bucket in order. */
    private static final LuaScript TAKE = LuaScript.of("""
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
            local wait = 0
            local levels = {}
            for i = 1, #KEYS do
              local rate = tonumber(ARGV[2 * i - 1])
              local burst = tonumber(ARGV[2 * i])
              local state = redis.call('HMGET', KEYS[i], 'tokens', 'ts', 'blocked')
              local tokens = tonumber(state[1])
              local ts = tonumber(state[2])
              local blocked = tonumber(state[3])
              if blocked ~= nil and now < blocked then
                wait = math.max(wait, blocked - now)
              else
                if tokens == nil or ts == nil then
                  tokens = burst
                else
                  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
                end
                levels[i] = tokens
                if tokens < 1 then
                  wait = math.max(wait, (1 - tokens) / rate)
                end
              end
            end
            if wait > 0 then
              return math.max(1, math.ceil(wait - 0.000001))
            end
            local stamp = string.format('%.17g', now)
            for i = 1, #KEYS do
              local rate = tonumber(ARGV[2 * i - 1])
              local burst = tonumber(ARGV[2 * i])
              redis.call('HSET', KEYS[i], 'tokens', string.format('%.17g', levels[i] - 1), 'ts', stamp)
              redis.call('PEXPIRE', KEYS[i], math.ceil(burst / rate) + 1000)
            end
            return 0
            """);
    /** KEYS: the bucket; ARGV: pause in milliseconds. */
    private static final LuaScript PENALIZE = LuaScript.of("""
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
            local pause = tonumber(ARGV[1])
            local untilAt = now + pause
            local blocked = tonumber(redis.call('HGET', KEYS[1], 'blocked'))
            if blocked == nil or untilAt > blocked then
              local stamp = string.format('%.17g', untilAt)
              redis.call('HSET', KEYS[1], 'tokens', '1', 'ts', stamp, 'blocked', stamp)
            end
            local keep = math.ceil(pause) + 60000
            if redis.call('PTTL', KEYS[1]) < keep then
              redis.call('PEXPIRE', KEYS[1], keep)
            end
            return 0
            """);

    private final RedisCalls redis;

    RedisRateLimiter(RedisCalls redis) {
        this.redis = redis;
    }

    @Override
    public long tryAcquire(List<Bucket> buckets) {
        Checks.buckets(buckets);
        String[] keys = new String[buckets.size()];
        String[] args = new String[buckets.size() * 2];
        for (int i = 0; i < buckets.size(); i++) {
            Bucket bucket = buckets.get(i);
            keys[i] = redis.key("rl", bucket.key());
            args[2 * i] = Double.toString(bucket.ratePerSecond() / 1000.0);
            args[2 * i + 1] = Integer.toString(bucket.burst());
        }
        Long wait = redis.eval("rate limit", TAKE, ScriptOutputType.INTEGER, keys, args);
        return wait == null ? 1 : wait;
    }

    @Override
    public void penalize(String key, Duration pause) {
        long pauseMillis = Checks.pauseMillis(pause);
        redis.<Long>eval("rate limit penalize", PENALIZE, ScriptOutputType.INTEGER,
                new String[] {redis.key("rl", key)}, Long.toString(pauseMillis));
    }
}
