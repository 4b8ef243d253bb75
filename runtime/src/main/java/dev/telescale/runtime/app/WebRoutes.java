package dev.telescale.runtime.app;

/**
 * The HTTP routes an application serves on the instance's {@code HTTP_PORT} (a Mini App's page
 * and API, say), given to {@link BotApplication#webRoutes} once at start. Public routes live under
 * {@code /apps/<application>/}, admin routes under {@code /admin/apps/<application>/} behind the
 * dashboard's login. Every instance serves the same routes, so a load balancer may send any
 * request anywhere: handlers keep no state of their own and work through {@link WebRequest}.
 * Paths use Javalin's syntax ({@code users/{number}}); "" is the prefix itself.
 */
public interface WebRoutes {
    void get(String path, WebHandler handler);

    void post(String path, WebHandler handler);

    /** A GET route only a logged-in admin reaches; a browser that is not logged in is sent to the login form. */
    void adminGet(String path, WebHandler handler);

    /** A POST route only a logged-in admin reaches; its body must be JSON (a cross-site form cannot send that). */
    void adminPost(String path, WebHandler handler);

    /** A page of the application's that the dashboard links to ({@code path} under {@code /admin/apps/<application>/}). */
    void adminPage(String title, String path);

    /** One request's handler. {@link WebError} and {@link IllegalArgumentException} become clear 4xx answers. */
    @FunctionalInterface
    interface WebHandler {
        void handle(WebRequest request) throws Exception;
    }
}
