package dev.telescale.runtime.state;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.time.Duration;
import java.util.Optional;

/**
 * Leases as Redis strings {@code <prefix>lease:<name> = owner} with a PX expiry, so Redis's clock
 * decides expiry for every instance. Acquire is {@code SET NX PX}; when the key exists, the
 * compare-and-set renew script lets the same owner re-acquire. Renew and release are Lua
 * compare-and-set scripts, atomic on the server. Stateless apart from the connection; thread-safe.
 */
final class RedisLeases implements Leases {
    private static final LuaScript RENEW = LuaScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0
            """);
    private static final LuaScript RELEASE = LuaScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """);

    private final RedisCalls redis;

    RedisLeases(RedisCalls redis) {
        this.redis = redis;
    }

    @Override
    public boolean tryAcquire(String name, String owner, Duration ttl) {
        long ttlMillis = Checks.ttlMillis(ttl);
        String key = redis.key("lease", name);
        String set = redis.call("lease acquire", commands -> commands.set(key, owner, SetArgs.Builder.nx().px(ttlMillis)));
        return "OK".equals(set) || renew(name, owner, ttl);
    }

    @Override
    public boolean renew(String name, String owner, Duration ttl) {
        long ttlMillis = Checks.ttlMillis(ttl);
        Long renewed = redis.eval("lease renew", RENEW, ScriptOutputType.INTEGER,
                new String[] {redis.key("lease", name)}, owner, Long.toString(ttlMillis));
        return renewed != null && renewed == 1L;
    }

    @Override
    public void release(String name, String owner) {
        redis.<Long>eval("lease release", RELEASE, ScriptOutputType.INTEGER, new String[] {redis.key("lease", name)}, owner);
    }

    @Override
    public Optional<String> holder(String name) {
        return Optional.ofNullable(redis.call("lease holder", commands -> commands.get(redis.key("lease", name))));
    }
}
