package dev.telescale.emulator.state;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.api.Json;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A simulated group, supergroup or channel with members and their statuses
 * ("creator", "administrator", "member", "restricted", "left", "kicked"). Thread-safe.
 */
public final class SimGroup {
    private final long id;
    private final String title;
    private final String type;
    private final String username;
    private final Map<Long, String> memberStatus = new ConcurrentHashMap<>();

    public SimGroup(long id, String title, String type, String username) {
        this.id = id;
        this.title = title;
        this.type = type;
        this.username = username;
    }

    public long id() {
        return id;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public String username() {
        return username;
    }

    public boolean isChannel() {
        return type.equals("channel");
    }

    public void setStatus(long userId, String status) {
        memberStatus.put(userId, status);
    }

    /** The member's status, "left" when the user never joined. */
    public String status(long userId) {
        return memberStatus.getOrDefault(userId, "left");
    }

    public Map<Long, String> members() {
        return Map.copyOf(memberStatus);
    }

    public ObjectNode chatJson() {
        ObjectNode chat = Json.object();
        chat.put("id", id);
        chat.put("title", title);
        if (username != null) {
            chat.put("username", username);
        }
        chat.put("type", type);
        return chat;
    }
}
