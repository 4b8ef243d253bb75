package dev.telescale.runtime.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telescale.runtime.admin.AdminRoutes;
import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.app.WebError;
import dev.telescale.runtime.app.WebRequest;
import dev.telescale.runtime.app.WebRoutes;
import dev.telescale.runtime.bot.BotToken;
import dev.telescale.runtime.dispatch.PeriodicTasks;
import dev.telescale.runtime.json.Json;
import dev.telescale.runtime.state.RateLimiter;
import dev.telescale.runtime.state.StateUnavailableException;
import dev.telescale.runtime.webapp.ClientAddresses;
import dev.telescale.runtime.webapp.InitDataCheck;
import dev.telescale.runtime.webapp.InitDataValidator;
import dev.telescale.runtime.webapp.WebAppSessions;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers one application's {@link WebRoutes} on the instance's Javalin server and gives its
 * handlers a {@link WebRequest}. Stateless apart from the registration: transactions go through
 * {@link PeriodicTasks} (the same kind of transaction as a task run), rate limits through the
 * deployment's shared {@link RateLimiter} (Redis in a cluster, so a limit holds across instances),
 * sessions are MACs keyed by the bot's token, so any instance accepts what another issued.
 * Errors: {@link WebError} and {@link IllegalArgumentException} become one-line JSON answers; any
 * other exception is logged and answered 500 without its details.
 */
public final class ApplicationWebRoutes implements WebRoutes {
    private static final Logger log = LoggerFactory.getLogger(ApplicationWebRoutes.class);
    private static final ObjectMapper JSON = Json.newMapper();

    private final BotApplication application;
    private final RoutesConfig routes;
    private final AdminRoutes admin;
    private final Services services;
    private final String publicPrefix;
    private final String adminPrefix;

    /** What every application's routes share on this instance. */
    public record Services(PeriodicTasks tasks, RateLimiter rateLimiter, ClientAddresses clientAddresses,
                           WebAppSessions sessions, Map<Long, BotToken> tokens, InstantSource clock) {
    }

    public ApplicationWebRoutes(BotApplication application, RoutesConfig routes, AdminRoutes admin, Services services) {
        this.application = application;
        this.routes = routes;
        this.admin = admin;
        this.services = services;
        this.publicPrefix = "/apps/" + application.name();
        this.adminPrefix = "/admin/apps/" + application.name();
    }

    /** Asks the application for its routes and registers them. */
    public void register() {
        application.webRoutes(this);
    }

    @Override
    public void get(String path, WebHandler handler) {
        routes.get(join(publicPrefix, path), wrap(handler));
    }

    @Override
    public void post(String path, WebHandler handler) {
        routes.post(join(publicPrefix, path), wrap(handler));
    }

    @Override
    public void adminGet(String path, WebHandler handler) {
        routes.get(join(adminPrefix, path), admin.applicationRoute(wrap(handler)));
    }

    @Override
    public void adminPost(String path, WebHandler handler) {
        routes.post(join(adminPrefix, path), admin.applicationRoute(wrap(handler)));
    }

    @Override
    public void adminPage(String title, String path) {
        admin.addApplicationPage(title, join(adminPrefix, path));
    }

    private static String join(String prefix, String path) {
        if (path.isEmpty()) {
            return prefix;
        }
        return prefix + (path.startsWith("/") ? path : "/" + path);
    }

    private Handler wrap(WebHandler handler) {
        return ctx -> {
            try {
                handler.handle(new Request(ctx));
            } catch (WebError e) {
                if (e.retryAfterSeconds() > 0) {
                    ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
                }
                error(ctx, e.status(), e.getMessage());
            } catch (IllegalArgumentException e) {
                error(ctx, 400, e.getMessage());
            } catch (Exception e) {
                log.warn("{} {} of application {} failed", ctx.method(), ctx.path(), application.name(), e);
                error(ctx, 500, "the request failed on the server; try again later");
            }
        };
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).contentType("application/json")
                .result(JSON.createObjectNode().put("ok", false).put("error", message).toString());
    }

    private final class Request implements WebRequest {
        private final Context ctx;

        Request(Context ctx) {
            this.ctx = ctx;
        }

        @Override
        public Context http() {
            return ctx;
        }

        @Override
        public String clientAddress() {
            return services.clientAddresses().resolve(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
        }

        @Override
        public <T> T inTransaction(Work<T> work) {
            return services.tasks().inTransaction(application, work::run);
        }

        @Override
        public <T> T read(Work<T> work) {
            return services.tasks().readOnly(application, work::run);
        }

        @Override
        public void limit(String key, int permits, Duration window) {
            if (permits < 1 || window.toMillis() < 1) {
                throw new IllegalArgumentException("a limit allows at least one request per positive window");
            }
            double perSecond = permits * 1000.0 / window.toMillis();
            long waitMillis;
            try {
                waitMillis = services.rateLimiter().tryAcquire(List.of(new RateLimiter.Bucket(
                        "web:" + application.name() + ":" + key, perSecond, permits)));
            } catch (StateUnavailableException e) {
                return; // the shared state is down and nothing in-process stands in: serve rather than refuse everyone
            }
            if (waitMillis > 0) {
                long seconds = Math.max(1, (waitMillis + 999) / 1000);
                throw new WebError(429, "too many requests; try again in " + seconds + " s", seconds);
            }
        }

        @Override
        public InitDataCheck checkInitData(String initData, Duration maxAge) {
            InitDataValidator validator = new InitDataValidator(maxAge, services.clock());
            InitDataCheck last = null;
            for (long botId : botIds()) {
                InitDataCheck check = validator.check(initData, services.tokens().get(botId));
                if (check instanceof InitDataCheck.Valid || last == null
                        || ((InitDataCheck.Invalid) check).reason() != InitDataCheck.Reason.BAD_SIGNATURE) {
                    last = check;
                }
                if (check instanceof InitDataCheck.Valid) {
                    return check;
                }
            }
            return last == null ? new InitDataCheck.Invalid(InitDataCheck.Reason.BAD_SIGNATURE,
                    "no bot of this application is hosted here") : last;
        }

        @Override
        public String issueSession(long botId, long userId) {
            BotToken token = services.tokens().get(botId);
            if (token == null || !botIds().contains(botId)) {
                throw new IllegalArgumentException("bot " + botId + " does not run " + application.name());
            }
            return services.sessions().issue(token, userId);
        }

        @Override
        public Optional<Session> session(String token) {
            if (token == null) {
                return Optional.empty();
            }
            OptionalLong botId = WebAppSessions.botIdOf(token);
            if (botId.isEmpty() || !botIds().contains(botId.getAsLong())) {
                return Optional.empty();
            }
            OptionalLong userId = services.sessions().verify(services.tokens().get(botId.getAsLong()), token);
            return userId.isPresent() ? Optional.of(new Session(botId.getAsLong(), userId.getAsLong())) : Optional.empty();
        }

        @Override
        public Set<Long> botIds() {
            return services.tasks().botIdsOf(application);
        }
    }
}
