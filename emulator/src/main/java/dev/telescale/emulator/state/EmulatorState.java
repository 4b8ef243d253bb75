package dev.telescale.emulator.state;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.EmulatorConfig;
import dev.telescale.emulator.api.BotApiException;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * All state of one emulator instance: bots, simulated users, groups, files, inboxes and the
 * trace. Thread-safe: every collection is concurrent; objects inside guard themselves.
 */
public final class EmulatorState {
    /** The secret part of a token: base64url, at least 24 characters. */
    private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]{24,}");

    private final EmulatorConfig config;
    private final Map<Long, Bot> bots = new ConcurrentHashMap<>();
    private final List<Bot> botsInOrder = new CopyOnWriteArrayList<>();
    private final Map<String, Bot> botsByToken = new ConcurrentHashMap<>();
    private final Map<Long, SimUser> users = new ConcurrentHashMap<>();
    private final Map<Long, SimGroup> groups = new ConcurrentHashMap<>();
    private final Map<String, SimGroup> groupsByUsername = new ConcurrentHashMap<>();
    private final AtomicLong nextUserId = new AtomicLong(7_000_000_000L);
    private final AtomicLong nextGroupId = new AtomicLong(1_000_000_000L);
    private final FileStore files;
    private final Inbox inbox;
    private final Trace trace;

    public EmulatorState(EmulatorConfig config) {
        this.config = config;
        this.files = new FileStore(config.seed());
        this.inbox = new Inbox(config.maxInboxEventsPerChat());
        this.trace = new Trace(config.traceCapacity());
    }

    public InstantSource clock() {
        return config.clock();
    }

    public FileStore files() {
        return files;
    }

    public Inbox inbox() {
        return inbox;
    }

    public Trace trace() {
        return trace;
    }

    /**
     * The bot a token belongs to, registering it on first sight, with the real server's checks in
     * its order: a token starting with '0', longer than 80, holding '/' or no ':' is 401 "invalid
     * token specified"; a non-numeric bot id is 421; a bot id out of range is 401 again; a secret
     * shorter than 24 characters or not base64url is plain 401 "Unauthorized", and so is a second
     * secret for a known bot id or a revoked token.
     */
    public Bot botForToken(String token) {
        Bot known = botsByToken.get(token);
        if (known != null) {
            if (known.revoked()) {
                throw BotApiException.unauthorized();
            }
            return known;
        }
        int colon = token.indexOf(':');
        if (token.isEmpty() || token.charAt(0) == '0' || token.length() > 80 || token.indexOf('/') >= 0 || colon < 0) {
            throw BotApiException.invalidToken();
        }
        long id;
        try {
            id = Long.parseLong(token.substring(0, colon));
        } catch (NumberFormatException e) {
            throw BotApiException.of(421, "Misdirected Request: unallowed token specified");
        }
        if (id <= 0 || id >= (1L << 54)) {
            throw BotApiException.invalidToken();
        }
        if (!SECRET.matcher(token.substring(colon + 1)).matches()) {
            throw BotApiException.unauthorized();
        }
        Bot bot = bots.computeIfAbsent(id, botId -> {
            Bot created = new Bot(botId, token, "emulated_" + botId + "_bot", "Bot " + botId, config.clock(),
                    config.seed(), config.maxStoredMessagesPerChat());
            botsInOrder.add(created);
            return created;
        });
        if (!bot.token().equals(token) || bot.revoked()) {
            throw BotApiException.unauthorized();
        }
        botsByToken.put(token, bot);
        return bot;
    }

    /** True when the token would register a bot. */
    public static boolean isWellFormedToken(String token) {
        int colon = token == null ? -1 : token.indexOf(':');
        return colon > 0 && token.charAt(0) != '0' && token.length() <= 80
                && token.substring(0, colon).chars().allMatch(Character::isDigit)
                && SECRET.matcher(token.substring(colon + 1)).matches();
    }

    public Bot bot(long id) {
        return bots.get(id);
    }

    /** Every bot, in the order they registered. */
    public Collection<Bot> bots() {
        return Collections.unmodifiableList(botsInOrder);
    }

    public SimUser createUser(String firstName, String lastName, String username, String languageCode, boolean premium) {
        long id = nextUserId.incrementAndGet();
        SimUser user = new SimUser(id, firstName, lastName, username, languageCode, premium);
        users.put(id, user);
        return user;
    }

    public SimUser user(long id) {
        return users.get(id);
    }

    public int userCount() {
        return users.size();
    }

    public SimGroup createGroup(String title, String type, String username) {
        long raw = nextGroupId.incrementAndGet();
        long id = type.equals("group") ? -raw : -(1_000_000_000_000L + raw);
        SimGroup group = new SimGroup(id, title, type, username);
        groups.put(id, group);
        if (username != null) {
            groupsByUsername.put(username.toLowerCase(), group);
        }
        return group;
    }

    public SimGroup group(long id) {
        return groups.get(id);
    }

    /** The Chat object for an id from the bot's point of view, or null when there is no such chat. */
    public ObjectNode chatJson(long chatId) {
        if (chatId > 0) {
            SimUser user = users.get(chatId);
            return user == null ? null : user.privateChatJson();
        }
        SimGroup group = groups.get(chatId);
        return group == null ? null : group.chatJson();
    }

    /** Resolves a chat_id argument (a number or @username of a public group or channel). */
    public long resolveChatId(String chatIdArg) {
        if (chatIdArg == null) {
            throw BotApiException.badRequest("chat_id is empty");
        }
        String value = chatIdArg.trim();
        if (value.startsWith("@")) {
            SimGroup group = groupsByUsername.get(value.substring(1).toLowerCase());
            if (group == null) {
                throw BotApiException.chatNotFound();
            }
            return group.id();
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw BotApiException.chatNotFound();
        }
    }

    /**
     * The chat a bot wants to send into, with the real refusals: unknown chat (400), a user who
     * is deactivated, blocked the bot or never started it (403), a group the bot is not in (403).
     */
    public BotChat sendTarget(Bot bot, long chatId) {
        if (chatId > 0) {
            SimUser user = users.get(chatId);
            if (user == null || chatId == bot.id()) {
                throw BotApiException.chatNotFound();
            }
            BotChat chat = bot.existingChat(chatId);
            if (user.deactivated()) {
                throw BotApiException.forbidden("user is deactivated");
            }
            if (chat == null || !chat.started()) {
                throw BotApiException.forbidden("bot can't initiate conversation with a user");
            }
            if (chat.blocked()) {
                throw BotApiException.forbidden("bot was blocked by the user");
            }
            return chat;
        }
        SimGroup group = groups.get(chatId);
        if (group == null) {
            throw BotApiException.chatNotFound();
        }
        String status = group.status(bot.id());
        if (status.equals("kicked")) {
            throw BotApiException.forbidden(group.isChannel() ? "bot was kicked from the channel chat"
                    : "bot was kicked from the " + (group.type().equals("group") ? "group" : "supergroup") + " chat");
        }
        if (status.equals("left")) {
            throw BotApiException.forbidden(group.isChannel() ? "bot is not a member of the channel chat"
                    : "bot is not a member of the " + (group.type().equals("group") ? "group" : "supergroup") + " chat");
        }
        return bot.chat(chatId, id -> group.chatJson());
    }

    /** The chat for reading (getChat, edits): known to the bot, or 400 chat not found. */
    public BotChat knownChat(Bot bot, long chatId) {
        BotChat chat = bot.existingChat(chatId);
        if (chat == null) {
            ObjectNode json = chatJson(chatId);
            if (json == null || (chatId < 0 && groups.get(chatId).status(bot.id()).equals("left"))) {
                throw BotApiException.chatNotFound();
            }
            chat = bot.chat(chatId, id -> json);
        }
        return chat;
    }
}
