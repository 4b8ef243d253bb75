package dev.telescale.emulator.api;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Method name to handler. Names are case-insensitive, as in the real server. Filled once at
 * start, read-only afterwards (safe to share between request threads).
 */
public final class MethodRegistry {
    private final Map<String, MethodHandler> handlers = new HashMap<>();
    public MethodRegistry add(String name, MethodHandler handler) {
        String key = name.toLowerCase(Locale.ROOT);
        if (handlers.putIfAbsent(key, handler) != null) {
            throw new IllegalStateException("method registered twice: " + name);
        }
        return this;
    }

    public MethodHandler handler(String lowerCaseName) {
        return handlers.get(lowerCaseName);
    }

    public Set<String> names() {
        return handlers.keySet();
    }
}
