package dev.telescale.anonchat;

import static dev.telescale.anonchat.Keyboards.button;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.app.AdminPanel;
import dev.telescale.runtime.app.BotStartContext;
import dev.telescale.runtime.app.BundleTranslations;
import dev.telescale.runtime.app.Delivery;
import dev.telescale.runtime.app.DeliveryContext;
import dev.telescale.runtime.app.PeriodicTask;
import dev.telescale.runtime.app.TaskContext;
import dev.telescale.runtime.app.Translations;
import dev.telescale.runtime.app.Update;
import dev.telescale.runtime.app.UpdateContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The anonymous chat: onboarding, matching, relay, safety, VIP and admin tools, for any number of
 * bots sharing one matching pool. Everything it knows lives in the database (tables ac_*), read and
 * written in the transaction of the update being handled, so any instance can handle any update and
 * a restart loses nothing. Stateless apart from the bots' usernames (for invite links) and
 * thread-safe.
 */
public final class AnonChatApplication implements BotApplication {
    public static final String NAME = "anonchat";
    private static final List<String> USER_COMMANDS = List.of("search", "next", "stop", "profile", "vip", "invite", "report", "help");

    private final AnonChatSettings settings;
    private final BundleTranslations translations = new BundleTranslations("anonchat/messages",
            AnonChatApplication.class.getClassLoader(), Keyboards.LANGUAGES);
    private final Session.TextSource texts = translations::text;
    private final Keyboards keyboards = new Keyboards(texts);
    private final Map<Long, String> botUsernames = new ConcurrentHashMap<>();
    private final AnonChatAdminPanel adminPanel;

    public AnonChatApplication(AnonChatSettings settings) {
        this.settings = settings;
        this.adminPanel = new AnonChatAdminPanel(settings, keyboards, texts);
    }

    @Override
    public Optional<dev.telescale.runtime.app.BroadcastAudience> broadcastAudience() {
        return Optional.of(new Audience());
    }

    @Override
    public Optional<AdminPanel> adminPanel() {
        return Optional.of(adminPanel);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> migrationLocations() {
        return List.of("classpath:anonchat/db/{dialect}");
    }

    @Override
    public Translations translations() {
        return translations;
    }

    /** The command menu per language, and the bot's username for invite links. */
    @Override
    public void onStart(BotStartContext bot) {
        bot.callNow("getMe", JsonNodeFactory.instance.objectNode())
                .ifPresent(me -> botUsernames.put(bot.botId(), me.path("username").asText("")));
        for (String lang : Keyboards.LANGUAGES) {
            ObjectNode params = JsonNodeFactory.instance.objectNode();
            ArrayNode commands = params.putArray("commands");
            for (String command : USER_COMMANDS) {
                commands.addObject().put("command", command).put("description", texts.text(lang, "menu." + command));
            }
            if (!lang.equals("en")) {
                params.put("language_code", lang);
            }
            bot.callNow("setMyCommands", params);
        }
    }

    @Override
    public List<PeriodicTask> periodicTasks() {
        return List.of(
                new PeriodicTask("search-timeouts", Duration.ofSeconds(2), task -> {
                    Store store = task.dao(Store.class);
                    Chats.expireSearches(texts, store, settings, keyboards, task, task.clock().millis());
                }),
                new PeriodicTask("albums", Duration.ofMillis(500), this::flushSettledAlbums),
                new PeriodicTask("purge", Duration.ofMinutes(10), task -> {
                    Store store = task.dao(Store.class);
                    long now = task.clock().millis();
                    store.purgeMessages(now - settings.messageMapTtl().toMillis());
                    store.purgeRecent(now);
                }));
    }

    /** Records which message a relayed copy became, for replies, edits, reactions and /delete. */
    @Override
    public void onDelivered(Delivery delivery, DeliveryContext context) {
        Optional<Relay.Tag> parsed = Relay.Tag.parse(delivery.tag());
        if (parsed.isEmpty()) {
            return;
        }
        Relay.Tag tag = parsed.get();
        Store store = context.dao(Store.class);
        long now = context.clock().millis();
        JsonNode result = delivery.result();
        for (int i = 0; i < tag.messageIds().size(); i++) {
            JsonNode copy = result.isArray() ? result.path(i) : result;
            JsonNode copyId = copy.path("message_id");
            if (copyId.isNumber()) {
                store.mapMessages(tag.botId(), tag.chatId(), tag.messageIds().get(i), delivery.viaBotId(), delivery.chatId(),
                        copyId.asLong(), tag.conversation(), now);
            }
        }
    }

    @Override
    public void handle(UpdateContext context) {
        Update update = context.update();
        if (update.type().equals("telescale_delivery_failed")) {
            deliveryFailed(context, update.body());
            return;
        }
        long userId = update.fromUserId();
        if (userId == 0) {
            return;
        }
        if (!update.type().equals("pre_checkout_query") && !update.isPrivateChat()) {
            return; // groups and channels (the moderation chat among them) are not conversations
        }
        Session s = new Session(context.dao(Store.class), settings, keyboards, context.send(), context.clock().millis(),
                context.botId(), userId, texts);
        switch (update.type()) {
            case "message" -> message(s, update);
            case "edited_message" -> {
                if (s.profile != null) {
                    Relay.edited(s, update.body());
                }
            }
            case "callback_query" -> callback(s, update.body());
            case "message_reaction" -> {
                if (s.profile != null) {
                    Relay.reaction(s, update.body());
                }
            }
            case "my_chat_member" -> memberChanged(s, update.body());
            case "pre_checkout_query" -> preCheckout(s, update.body());
            default -> {
            }
        }
    }

    private void message(Session s, Update update) {
        JsonNode message = update.body();
        String command = update.command();
        if (command == null) {
            command = keyboards.commandFor(update.text());
        }
        if (message.has("successful_payment")) {
            ensureProfile(s, message, null);
            Vip.paid(s, message.get("successful_payment"));
            return;
        }
        if (message.has("refunded_payment")) {
            if (s.profile != null) {
                Vip.refunded(s, message.get("refunded_payment"));
            }
            return;
        }
        if ("start".equals(command)) {
            start(s, message, update.commandArgument());
            return;
        }
        if (s.profile == null) {
            ensureProfile(s, message, null);
            Onboarding.ask(s);
            return;
        }
        s.store.touch(s.userId, s.botId, s.now);
        if (command != null && settings.isAdmin(s.userId) && Admin.handle(s, command, update.commandArgument(), message)) {
            return;
        }
        if (!s.profile.onboarded()) {
            Onboarding.answer(s, message);
            return;
        }
        Optional<Store.Active> active = s.active();
        if (command != null) {
            active.ifPresent(a -> Relay.flushAlbums(s, a));
            command(s, command, message);
            return;
        }
        if (active.isPresent()) {
            Relay.message(s, active.get(), message);
            return;
        }
        s.sayWithKeyboard(s.text(s.store.isWaiting(s.userId) ? "search.still_waiting" : "idle.hint"));
    }

    private void command(Session s, String command, JsonNode message) {
        switch (command) {
            case "search" -> Chats.search(s);
            case "next" -> Chats.next(s);
            case "stop" -> Chats.stop(s);
            case "profile" -> Onboarding.profile(s);
            case "language" -> Onboarding.askLanguage(s);
            case "filter" -> Onboarding.filters(s);
            case "vip" -> Vip.menu(s, inviteLink(s));
            case "invite" -> s.say(s.text("invite.text", inviteLink(s), settings.referralInvites(), settings.referralVipDays(),
                    s.profile.invites()));
            case "age" -> Onboarding.changeAge(s, Session.argument(message));
            case "report" -> Moderation.report(s);
            case "delete" -> Relay.delete(s, message);
            case "help" -> s.sayWithKeyboard(s.text("help"));
            default -> s.sayWithKeyboard(s.text("unknown_command"));
        }
    }

    private String inviteLink(Session s) {
        String username = botUsernames.getOrDefault(s.botId, "");
        return "https://t.me/" + username + "?start=r" + s.profile.no();
    }

    private void start(Session s, JsonNode message, String payload) {
        boolean isNew = s.profile == null;
        Long referrer = null;
        if (isNew && payload.matches("r\\d{1,18}")) {
            referrer = Long.parseLong(payload.substring(1));
        }
        ensureProfile(s, message, referrer);
        s.store.touch(s.userId, s.botId, s.now);
        if (!s.profile.onboarded()) {
            s.say(s.text("welcome"));
            Onboarding.ask(s);
            return;
        }
        s.sayWithKeyboard(s.text("welcome_back"));
    }

    private static void ensureProfile(Session s, JsonNode message, Long referrer) {
        if (s.profile != null) {
            return;
        }
        String code = message.path("from").path("language_code").asText("");
        String lang = code.toLowerCase().startsWith("ru") || code.toLowerCase().startsWith("uk")
                || code.toLowerCase().startsWith("be") ? "ru" : "en";
        s.profile = s.store.createProfile(s.userId, s.botId, lang, referrer, s.now);
    }

    private void callback(Session s, JsonNode query) {
        String data = query.path("data").asText("");
        String answer = null;
        if (s.profile == null) {
            answer = "/start";
        } else {
            String[] parts = data.split(":");
            try {
                answer = switch (parts[0]) {
                    case "g", "lang", "p", "f" -> Onboarding.callback(s, parts, query);
                    case "buy" -> {
                        Vip.sendInvoice(s, Integer.parseInt(parts[1]));
                        yield null;
                    }
                    case "rate" -> Moderation.rate(s, Long.parseLong(parts[1]), Integer.parseInt(parts[2]));
                    case "rep" -> {
                        Moderation.askReason(s, Long.parseLong(parts[1]));
                        yield null;
                    }
                    case "rr" -> Moderation.recordReport(s, Long.parseLong(parts[1]), parts[2]);
                    default -> s.text("report.invalid");
                };
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                answer = s.text("report.invalid");
            }
        }
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("callback_query_id", query.path("id").asText());
        if (answer != null) {
            params.put("text", answer);
        }
        s.out.call(s.botId, s.userId, "answerCallbackQuery", params);
    }

    private static void memberChanged(Session s, JsonNode change) {
        String status = change.path("new_chat_member").path("status").asText("");
        if (s.profile == null) {
            return;
        }
        if (status.equals("kicked")) {
            Chats.userGone(s, s.userId, "blocked");
        } else if (status.equals("member")) {
            s.store.update(s.userId, "blocked = 0");
        }
    }

    private static void preCheckout(Session s, JsonNode query) {
        String refusal = Vip.checkout(s, query);
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("pre_checkout_query_id", query.path("id").asText());
        params.put("ok", refusal == null);
        if (refusal != null) {
            params.put("error_message", refusal);
        }
        s.out.call(s.botId, s.userId, "answerPreCheckoutQuery", params);
    }

    /**
     * A call made for this chat failed for good. If the partner cannot be reached, the chat ends
     * and this user is told; if this user cannot be reached, they leave; if a relayed message was
     * refused, this user learns which one.
     */
    private void deliveryFailed(UpdateContext context, JsonNode failure) {
        long recipient = failure.path("chat_id").asLong();
        long originChat = failure.path("origin_chat_id").asLong();
        String reason = failure.path("reason").asText("");
        if (originChat <= 0) {
            return;
        }
        Session s = new Session(context.dao(Store.class), settings, keyboards, context.send(), context.clock().millis(),
                context.botId(), originChat, texts);
        if (s.profile == null) {
            return;
        }
        boolean unreachable = List.of("blocked", "deactivated", "not_started", "kicked").contains(reason);
        if (unreachable) {
            if (recipient == originChat) {
                Chats.userGone(s, originChat, reason);
                return;
            }
            Optional<Store.Active> active = s.active();
            if (active.isPresent() && active.get().partnerId() == recipient) {
                if (s.store.endConversation(active.get().conversation(), recipient, "partner_" + reason, s.now,
                        Chats.recentUntil(s))) {
                    s.sayWithKeyboard(s.text("chat.partner_unreachable"));
                }
                s.store.update(recipient, "blocked = 1");
                s.store.dequeue(recipient);
                return;
            }
            if (recipient > 0) {
                s.store.dequeue(recipient);
                s.store.update(recipient, "blocked = 1");
            }
            return;
        }
        Relay.Tag.parse(failure.path("tag").asText(null)).ifPresent(tag -> {
            if (tag.chatId() == originChat && recipient != originChat) {
                for (long messageId : tag.messageIds()) {
                    s.sayReplying(s.text("relay.failed"), messageId);
                }
            }
        });
    }

    /** The album task: albums quiet for a while go out; albums whose chat ended are reported to the sender. */
    private void flushSettledAlbums(TaskContext task) {
        Store store = task.dao(Store.class);
        long now = task.clock().millis();
        for (long[] owner : store.settledAlbums(now - Relay.ALBUM_QUIET_MILLIS, 100)) {
            long botId = owner[0];
            long userId = owner[1];
            Session s = new Session(store, settings, keyboards, task.send(botId, userId), now, botId, userId, texts);
            Optional<Store.Active> active = s.active();
            if (active.isPresent()) {
                Relay.flushAlbums(s, active.get());
            } else {
                store.deleteAlbumParts(botId, userId);
                s.say(s.text("relay.album_chat_ended"));
            }
        }
    }

    /** The buttons of the VIP filter menu, for tests and the profile screen. */
    static JsonNode filterKeyboard(Session s) {
        return Keyboards.inline(List.of(
                List.of(button(s.text("filter.gender_any"), "f:g:any"), button(s.text("filter.gender_m"), "f:g:m"),
                        button(s.text("filter.gender_f"), "f:g:f")),
                List.of(button(s.text("filter.age_any"), "f:a:any"), button("18-25", "f:a:18-25"),
                        button("26-35", "f:a:26-35"), button("36+", "f:a:36-99"))));
    }
}
