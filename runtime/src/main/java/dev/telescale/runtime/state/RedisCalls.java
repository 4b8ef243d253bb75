package dev.telescale.runtime.state;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.function.Function;

/**
 * Runs commands on the shared Lettuce connection and translates failures: an error answered by
 * Redis (a bug or a misconfiguration) becomes {@link StateException}; anything else (timeout,
 * rejected while disconnected, connection lost) becomes {@link StateUnavailableException}. The
 * connection is thread-safe and multiplexed, so calls from many threads need no locking here.
 */
final class RedisCalls {
    private final RedisCommands<String, String> commands;
    private final String keyPrefix;

    RedisCalls(RedisCommands<String, String> commands, String keyPrefix) {
        this.commands = commands;
        this.keyPrefix = keyPrefix;
    }

    String key(String namespace, String name) {
        return keyPrefix + namespace + ":" + name;
    }

    String keyPrefix() {
        return keyPrefix;
    }

    <T> T call(String operation, Function<RedisCommands<String, String>, T> command) {
        try {
            return command.apply(commands);
        } catch (RedisCommandExecutionException e) {
            throw new StateException("Redis refused " + operation + ": " + e.getMessage(), e);
        } catch (RedisException e) {
            throw new StateUnavailableException("Redis unavailable for " + operation + ": " + e.getMessage(), e);
        }
    }

    /** EVALSHA, loading the script with EVAL when Redis does not know it (e.g. after a restart). */
    <T> T eval(String operation, LuaScript script, ScriptOutputType type, String[] keys, String... args) {
        return call(operation, redis -> {
            try {
                return redis.<T>evalsha(script.sha(), type, keys, args);
            } catch (RedisNoScriptException e) {
                return redis.<T>eval(script.text(), type, keys, args);
            }
        });
    }
}
