package dev.telescale.emulator.state;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.api.Json;

/**
 * A simulated Telegram user. Profile fields are fixed at creation; deactivation is the only
 * mutable global state (per-bot state such as "started" or "blocked" lives in {@link BotChat}).
 * Thread-safe.
 */
public final class SimUser {
    private final long id;
    private final String firstName;
    private final String lastName;
    private final String username;
    private final String languageCode;
    private final boolean premium;
    private volatile boolean deactivated;

    public SimUser(long id, String firstName, String lastName, String username, String languageCode, boolean premium) {
        this.id = id;
        this.firstName = firstName;
        this.lastName = lastName;
        this.username = username;
        this.languageCode = languageCode;
        this.premium = premium;
    }

    public long id() {
        return id;
    }

    public String firstName() {
        return firstName;
    }

    public String username() {
        return username;
    }

    public boolean deactivated() {
        return deactivated;
    }

    public void setDeactivated(boolean deactivated) {
        this.deactivated = deactivated;
    }

    /** The User object as the Bot API shows it. */
    public ObjectNode userJson() {
        ObjectNode user = Json.object();
        user.put("id", id);
        user.put("is_bot", false);
        user.put("first_name", deactivated ? "Deleted Account" : firstName);
        if (!deactivated) {
            if (lastName != null) {
                user.put("last_name", lastName);
            }
            if (username != null) {
                user.put("username", username);
            }
            if (languageCode != null) {
                user.put("language_code", languageCode);
            }
            if (premium) {
                user.put("is_premium", true);
            }
        }
        return user;
    }

    /** The private Chat object of this user. */
    public ObjectNode privateChatJson() {
        ObjectNode chat = Json.object();
        chat.put("id", id);
        chat.put("first_name", deactivated ? "Deleted Account" : firstName);
        if (!deactivated) {
            if (lastName != null) {
                chat.put("last_name", lastName);
            }
            if (username != null) {
                chat.put("username", username);
            }
        }
        chat.put("type", "private");
        return chat;
    }
}
