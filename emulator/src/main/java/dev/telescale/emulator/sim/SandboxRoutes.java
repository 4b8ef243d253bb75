package dev.telescale.emulator.sim;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The browser sandbox: {@code GET /sandbox} is a page that plays several simulated users side by
 * side through the {@code /sim} API, and {@code /sandbox/<file>} its script and style sheet. The
 * files are classpath resources under {@code sandbox/} (plain HTML, CSS and JavaScript, no build
 * step), read once and kept in memory. Thread-safe.
 */
public final class SandboxRoutes {
    private static final String RESOURCE_FOLDER = "sandbox/";
    /** Plain file names only: no folders, no dot files, so nothing outside the folder is reachable. */
    private static final Pattern FILE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*\\.(html|js|css|svg|png|ico)");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");
    private static final byte[] MISSING = new byte[0];

    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    public void register(RoutesConfig routes) {
        routes.get("/sandbox", ctx -> serve(ctx, "index.html"));
        routes.get("/sandbox/{file}", ctx -> serve(ctx, ctx.pathParam("file")));
    }

    private void serve(Context ctx, String name) {
        byte[] bytes = FILE_NAME.matcher(name).matches() ? cache.computeIfAbsent(name, SandboxRoutes::load) : MISSING;
        if (bytes == MISSING) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("no sandbox file " + name);
            return;
        }
        String extension = name.substring(name.lastIndexOf('.') + 1);
        // the page is small and changes with the emulator: always revalidated, never stale
        ctx.header("Cache-Control", "no-cache").contentType(CONTENT_TYPES.get(extension)).result(bytes);
    }

    private static byte[] load(String name) {
        try (InputStream in = SandboxRoutes.class.getClassLoader().getResourceAsStream(RESOURCE_FOLDER + name)) {
            return in == null ? MISSING : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sandbox resource " + name, e);
        }
    }
}
