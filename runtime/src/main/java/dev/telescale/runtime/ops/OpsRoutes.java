package dev.telescale.runtime.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.json.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * The operations endpoints: {@code GET /health/live}, {@code GET /health/ready} (503 when not
 * ready, with every check's name, ok and detail) and {@code GET /metrics} (Prometheus text format
 * 0.0.4). Thread-safe.
 */
public final class OpsRoutes {
    private static final ObjectMapper JSON = Json.newMapper();
    private final Health health;
    private final Metrics metrics;

    public OpsRoutes(Health health, Metrics metrics) {
        this.health = health;
        this.metrics = metrics;
    }

    public void register(RoutesConfig routes) {
        routes.get("/health/live", this::live);
        routes.get("/health/ready", this::ready);
        routes.get("/metrics", this::metrics);
    }

    private void live(Context ctx) {
        ObjectNode body = JSON.createObjectNode().put("status", health.live() ? "up" : "down");
        json(ctx, health.live() ? 200 : 503, body);
    }

    private void ready(Context ctx) {
        Health.Report report = health.ready();
        ObjectNode body = JSON.createObjectNode().put("status", report.ready() ? "up" : "down");
        ArrayNode checks = body.putArray("checks");
        for (Health.Check check : report.checks()) {
            checks.addObject().put("name", check.name()).put("ok", check.ok()).put("detail", check.detail());
        }
        json(ctx, report.ready() ? 200 : 503, body);
    }

    private void metrics(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        ctx.contentType(Metrics.contentType()).result(metrics.scrape());
    }

    private static void json(Context ctx, int status, ObjectNode body) {
        ctx.header("Cache-Control", "no-store");
        ctx.status(status).contentType("application/json").result(body.toString());
    }
}
