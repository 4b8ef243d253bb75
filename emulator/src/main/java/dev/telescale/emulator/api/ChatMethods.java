package dev.telescale.emulator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.sim.Simulator;
import dev.telescale.emulator.state.BotChat;
import dev.telescale.emulator.state.EmulatorState;
import dev.telescale.emulator.state.FileStore.StoredFile;
import dev.telescale.emulator.state.SimGroup;
import dev.telescale.emulator.state.SimUser;
import java.util.regex.Pattern;

/** getMe, getChat, getChatMember, the command menu, the menu button, getFile. Stateless; thread-safe. */
public final class ChatMethods {
    private static final Pattern COMMAND = Pattern.compile("[a-z0-9_]+");

    private final EmulatorState state;
    private final MediaFiles media;

    public ChatMethods(EmulatorState state, MediaFiles media, Simulator simulator) {
        this.state = state;
        this.media = media;
    }

    public void register(MethodRegistry registry) {
        registry.add("getMe", this::getMe);
        registry.add("getChat", this::getChat);
        registry.add("getChatMember", this::getChatMember);
        registry.add("setMyCommands", this::setMyCommands);
        registry.add("getMyCommands", this::getMyCommands);
        registry.add("deleteMyCommands", this::deleteMyCommands);
        registry.add("getFile", this::getFile);
        registry.add("setChatMenuButton", this::setChatMenuButton);
        registry.add("getChatMenuButton", this::getChatMenuButton);
    }

    private JsonNode getMe(ApiCall call) {
        ObjectNode me = call.bot().userJson();
        me.put("can_join_groups", true);
        me.put("can_read_all_group_messages", false);
        me.put("supports_inline_queries", false);
        me.put("can_connect_to_business", false);
        me.put("has_main_web_app", false);
        return me;
    }

    private JsonNode getChat(ApiCall call) {
        long chatId = state.resolveChatId(call.arg("chat_id"));
        BotChat chat = state.knownChat(call.bot(), chatId);
        ObjectNode full = chat.chatJson().deepCopy();
        full.put("accent_color_id", (int) (Math.abs(chatId) % 7));
        full.put("max_reaction_count", 11);
        if (chatId > 0) {
            SimUser user = state.user(chatId);
            if (user != null && user.deactivated()) {
                full.put("first_name", "Deleted Account");
            }
        }
        return full;
    }

    private JsonNode getChatMember(ApiCall call) {
        long chatId = state.resolveChatId(call.arg("chat_id"));
        long userId = call.longArg("user_id", 0);
        if (userId <= 0) {
            throw BotApiException.badRequest("invalid user_id specified");
        }
        ObjectNode userJson;
        if (userId == call.bot().id()) {
            userJson = call.bot().userJson();
        } else {
            SimUser user = state.user(userId);
            if (user == null) {
                throw BotApiException.badRequest("user not found");
            }
            userJson = user.userJson();
        }
        String status;
        if (chatId > 0) {
            state.knownChat(call.bot(), chatId);
            if (userId != chatId && userId != call.bot().id()) {
                throw BotApiException.badRequest("user not found");
            }
            status = "member";
        } else {
            SimGroup group = state.group(chatId);
            if (group == null) {
                throw BotApiException.chatNotFound();
            }
            state.knownChat(call.bot(), chatId);
            status = group.status(userId);
        }
        ObjectNode member = Json.object();
        member.put("status", status);
        member.set("user", userJson);
        switch (status) {
            case "creator" -> member.put("is_anonymous", false);
            case "administrator" -> {
                member.put("can_be_edited", false);
                member.put("is_anonymous", false);
                member.put("can_manage_chat", true);
                member.put("can_delete_messages", true);
                member.put("can_manage_video_chats", true);
                member.put("can_restrict_members", true);
                member.put("can_promote_members", false);
                member.put("can_change_info", true);
                member.put("can_invite_users", true);
                member.put("can_post_stories", false);
                member.put("can_edit_stories", false);
                member.put("can_delete_stories", false);
            }
            case "kicked" -> member.put("until_date", 0);
            default -> {
            }
        }
        return member;
    }

    private static String scopeKey(ApiCall call) {
        JsonNode scope = call.jsonArg("scope", "can't parse BotCommandScope JSON object");
        String scopeText = scope == null ? "default" : scope.toString();
        return scopeText + "|" + call.arg("language_code", "");
    }

    private JsonNode setMyCommands(ApiCall call) {
        JsonNode commands = call.jsonArg("commands", "can't parse commands JSON object");
        if (commands == null) {
            throw BotApiException.badRequest("parameter \"commands\" is required");
        }
        if (!commands.isArray()) {
            throw BotApiException.badRequest("expected an Array of BotCommand");
        }
        if (commands.size() > 100) {
            throw BotApiException.badRequest("too many commands specified");
        }
        ArrayNode normalized = Json.array();
        for (JsonNode command : commands) {
            String name = command.path("command").asText("");
            String description = command.path("description").asText("");
            if (name.startsWith("/")) {
                name = name.substring(1);
            }
            name = name.toLowerCase();
            if (name.isEmpty()) {
                throw BotApiException.badRequest("command must be non-empty");
            }
            if (name.length() > 32) {
                throw BotApiException.badRequest("command is too long");
            }
            if (!COMMAND.matcher(name).matches()) {
                throw BotApiException.badRequest("BOT_COMMAND_INVALID");
            }
            if (description.isBlank()) {
                throw BotApiException.badRequest("command description must be non-empty");
            }
            if (description.length() > 256) {
                throw BotApiException.badRequest("command description is too long");
            }
            ObjectNode entry = normalized.addObject();
            entry.put("command", name);
            entry.put("description", description);
        }
        call.bot().commandsByScope().put(scopeKey(call), normalized);
        return BooleanNode.TRUE;
    }

    private JsonNode getMyCommands(ApiCall call) {
        JsonNode commands = call.bot().commandsByScope().get(scopeKey(call));
        return commands == null ? Json.array() : commands;
    }

    private JsonNode deleteMyCommands(ApiCall call) {
        call.bot().commandsByScope().remove(scopeKey(call));
        return BooleanNode.TRUE;
    }

    /**
     * setChatMenuButton, checked in the real server's order: the menu_button JSON (absent means
     * the default button), then chat_id (a user the bot knows), then TDLib's text and Web App URL
     * checks.
     */
    private JsonNode setChatMenuButton(ApiCall call) {
        ObjectNode button = menuButtonArg(call);
        long chatId = menuChat(call);
        if (button.path("type").asText().equals("web_app")) {
            String text = button.path("text").asText();
            if (text.isEmpty()) {
                throw BotApiException.badRequest("menu button text must be non-empty");
            }
            ReplyMarkup.checkWebAppUrl(button.path("web_app").path("url").asText(), "menu button Web App");
        }
        call.bot().setMenuButton(chatId, button);
        return BooleanNode.TRUE;
    }

    private JsonNode getChatMenuButton(ApiCall call) {
        return call.bot().menuButton(menuChat(call));
    }

    /** The private chat of the call's chat_id, or 0 (the bot-wide default) when it has none. */
    private long menuChat(ApiCall call) {
        String raw = call.arg("chat_id");
        if (raw == null) {
            return 0;
        }
        long userId;
        try {
            userId = Math.max(Long.parseLong(raw.trim()), 0);
        } catch (NumberFormatException e) {
            userId = 0;
        }
        if (userId == 0) {
            throw BotApiException.badRequest("invalid chat_id specified");
        }
        if (state.user(userId) == null) {
            throw BotApiException.badRequest("user not found");
        }
        return userId;
    }

    /** The menu_button argument as the Bot API server parses it, normalised to what getChatMenuButton returns. */
    private static ObjectNode menuButtonArg(ApiCall call) {
        String raw = call.arg("menu_button");
        if (raw == null) {
            return Json.object().put("type", "default");
        }
        JsonNode value = Json.parseOrNull(raw);
        if (value == null) {
            throw BotApiException.badRequest("can't parse menu button JSON object");
        }
        if (!value.isObject()) {
            throw menuButtonError("MenuButton must be an Object");
        }
        String type = requiredString(value, "type");
        switch (type) {
            case "default", "commands" -> {
                return Json.object().put("type", type);
            }
            case "web_app" -> {
                String text = requiredString(value, "text");
                JsonNode webApp = value.get("web_app");
                if (webApp == null || webApp.isNull()) {
                    throw menuButtonError("Can't find field \"web_app\"");
                }
                if (!webApp.isObject()) {
                    throw menuButtonError("Field \"web_app\" must be of type Object");
                }
                String url = requiredString(webApp, "url");
                ObjectNode button = Json.object().put("type", "web_app").put("text", text);
                button.putObject("web_app").put("url", url);
                return button;
            }
            default -> throw menuButtonError("MenuButton has unsupported type");
        }
    }

    private static String requiredString(JsonNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            throw menuButtonError("Can't find field \"" + field + "\"");
        }
        if (!value.isTextual()) {
            throw menuButtonError("Field \"" + field + "\" must be of type String");
        }
        return value.asText();
    }

    private static BotApiException menuButtonError(String detail) {
        return BotApiException.badRequest("can't parse menu button: " + detail);
    }

    private JsonNode getFile(ApiCall call) {
        String fileId = call.arg("file_id");
        if (fileId == null) {
            throw BotApiException.badRequest("file_id not specified");
        }
        StoredFile file;
        try {
            file = state.files().resolve(call.bot().id(), fileId);
        } catch (BotApiException e) {
            throw BotApiException.badRequest("invalid file_id");
        }
        if (file.size() > MediaFiles.MAX_DOWNLOAD_BYTES) {
            throw BotApiException.badRequest("file is too big");
        }
        ObjectNode result = Json.object();
        result.put("file_id", fileId.trim());
        result.put("file_unique_id", file.uniqueId());
        result.put("file_size", file.size());
        result.put("file_path", media.store().pathFor(file));
        return result;
    }
}
