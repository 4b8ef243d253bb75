package dev.telescale.airdrop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.airdrop.wallet.Chain;
import dev.telescale.airdrop.wallet.WalletAddresses;
import dev.telescale.airdrop.wallet.WalletCheck;
import dev.telescale.runtime.app.AdminPanel;
import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.app.BotStartContext;
import dev.telescale.runtime.app.BundleTranslations;
import dev.telescale.runtime.app.Delivery;
import dev.telescale.runtime.app.DeliveryContext;
import dev.telescale.runtime.app.PeriodicTask;
import dev.telescale.runtime.app.Translations;
import dev.telescale.runtime.app.Update;
import dev.telescale.runtime.app.UpdateContext;
import dev.telescale.runtime.app.WebRoutes;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The airdrop and referral application: users join with /start (a referral code in the payload is
 * recorded once), prove they are human in the Mini App or in the chat, do the operator's tasks,
 * invite friends, collect points in an append-only ledger, climb the leaderboard, register a
 * wallet and claim. Everything lives in the database (ad_* tables), read and written in the
 * transaction of the update, task run or web request at hand, so any instance serves any user and
 * a crash loses nothing. Stateless apart from the bots' usernames (for invite links); thread-safe.
 */
public final class AirdropApplication implements BotApplication {
    public static final String NAME = "airdrop";
    static final List<String> LANGUAGES = List.of("en", "ru");
    private static final List<String> USER_COMMANDS = List.of("start", "tasks", "balance", "invite", "top", "wallet", "claim", "help");
    private static final String CODE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AirdropSettings settings;
    private final BundleTranslations translations = new BundleTranslations("airdrop/messages",
            AirdropApplication.class.getClassLoader(), LANGUAGES);
    private final Texts texts = translations::text;
    private final Map<Long, String> botUsernames = new ConcurrentHashMap<>();
    private final AirdropAdmin admin;

    public AirdropApplication(AirdropSettings settings) {
        this.settings = settings;
        this.admin = new AirdropAdmin(settings, texts);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> migrationLocations() {
        return List.of("classpath:airdrop/db/{dialect}");
    }

    @Override
    public Translations translations() {
        return translations;
    }

    @Override
    public Optional<AdminPanel> adminPanel() {
        return Optional.of(admin);
    }

    @Override
    public Optional<dev.telescale.runtime.app.BroadcastAudience> broadcastAudience() {
        return Optional.of(admin);
    }

    @Override
    public void webRoutes(WebRoutes routes) {
        new MiniApp(settings, texts, this).register(routes);
        admin.register(routes);
    }

    /** The command menu per language, the Mini App as the menu button, and the bot's username. */
    @Override
    public void onStart(BotStartContext bot) {
        bot.callNow("getMe", JsonNodeFactory.instance.objectNode())
                .ifPresent(me -> botUsernames.put(bot.botId(), me.path("username").asText("")));
        for (String lang : LANGUAGES) {
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
        ObjectNode menu = JsonNodeFactory.instance.objectNode();
        menu.putObject("menu_button").put("type", "web_app").put("text", "Airdrop")
                .putObject("web_app").put("url", settings.webAppUrl());
        bot.callNow("setChatMenuButton", menu);
    }

    @Override
    public List<PeriodicTask> periodicTasks() {
        return List.of(
                new PeriodicTask("ranks", Duration.ofSeconds(5), task -> {
                    Store store = task.dao(Store.class);
                    for (int i = 0; i < 10 && store.refreshRanks(5_000) == 5_000; i++) {
                        // a burst: catch up within this run, 5,000 users a statement batch
                    }
                }),
                new PeriodicTask("purge", Duration.ofMinutes(10), task -> task.dao(Store.class).purgeInitData(task.clock().millis())));
    }

    /** The answer of a membership check (getChatMember) made for a channel task. */
    @Override
    public void onDelivered(Delivery delivery, DeliveryContext context) {
        if (delivery.tag() == null || !delivery.tag().startsWith(Tasks.MEMBERSHIP_TAG)) {
            return;
        }
        String[] parts = delivery.tag().substring(Tasks.MEMBERSHIP_TAG.length()).split(":");
        if (parts.length != 2) {
            return;
        }
        Store store = context.dao(Store.class);
        Optional<Store.Member> member = store.memberByNo(Long.parseLong(parts[1]));
        Optional<Store.Task> task = store.task(Long.parseLong(parts[0]));
        if (member.isEmpty() || task.isEmpty()) {
            return;
        }
        Store.Member m = member.get();
        Turn turn = new Turn(store, settings, texts, context.send(delivery.viaBotId(), m.userId()), context.clock().millis(),
                delivery.viaBotId(), m.userId(), m.lang());
        Tasks.membershipChecked(turn, m, task.get(), delivery.result());
    }

    @Override
    public void handle(UpdateContext context) {
        Update update = context.update();
        Store store = context.dao(Store.class);
        long now = context.clock().millis();
        if (update.type().equals("telescale_delivery_failed")) {
            deliveryFailed(context, store, update.body(), now);
            return;
        }
        long userId = update.fromUserId();
        if (userId == 0 || !update.isPrivateChat()) {
            return; // groups and channels (a task's channel among them) are not conversations
        }
        JsonNode from = update.body().path("from");
        String lang = language(from.path("language_code").asText(""));
        Optional<Store.Member> existing = store.member(userId);
        Turn turn = new Turn(store, settings, texts, context.send(), now, context.botId(), update.chatId(),
                existing.map(Store.Member::lang).orElse(lang));
        if (update.type().equals("my_chat_member")) {
            String status = update.body().path("new_chat_member").path("status").asText("");
            store.setBlockedBot(userId, status.equals("kicked"));
            return;
        }
        boolean premium = from.path("is_premium").asBoolean(false);
        String command = update.command();
        Store.Member member;
        if (existing.isEmpty()) {
            String payload = "start".equals(command) ? update.commandArgument() : "";
            member = join(turn, userId, lang, premium, payload);
        } else {
            member = existing.get();
            store.touch(member.no(), context.botId(), premium, member.lang(), now);
        }
        if (command != null && settings.isAdmin(userId) && admin.command(turn, command, update.commandArgument())) {
            return;
        }
        if (member.banned()) {
            turn.sayKey("banned", member.banReason() == null ? "" : ": " + Turn.html(member.banReason()));
            answerCallback(turn, update);
            return;
        }
        if (maintenance(store) && !settings.isAdmin(userId)) {
            turn.sayKey("maintenance");
            answerCallback(turn, update);
            return;
        }
        switch (update.type()) {
            case "message" -> message(turn, member, update, command, existing.isEmpty());
            case "callback_query" -> callback(turn, member, update);
            default -> {
            }
        }
    }

    static boolean maintenance(Store store) {
        return store.setting("maintenance").map("on"::equals).orElse(false);
    }

    static String language(String languageCode) {
        String language = languageCode == null ? "" : languageCode.toLowerCase(Locale.ROOT);
        return language.startsWith("ru") ? "ru" : "en";
    }

    /**
     * Creates a user: a referral code of their own, and their inviter when the payload names a
     * known code that is not theirs (first touch wins: only here is a referrer ever recorded).
     */
    Store.Member join(Turn turn, long userId, String lang, boolean premium, String payload) {
        Long referrer = null;
        String code = payload == null ? "" : payload.trim().toLowerCase(Locale.ROOT);
        if (code.startsWith("r_")) {
            code = code.substring(2);
        }
        if (code.matches("[a-z0-9]{4,16}")) {
            referrer = turn.store.memberByCode(code).filter(inviter -> inviter.userId() != userId)
                    .map(Store.Member::no).orElse(null);
        }
        String own = newCode(turn.store);
        return turn.store.createMember(userId, turn.botId, lang, premium, referrer, own, turn.now).member();
    }

    private static String newCode(Store store) {
        while (true) {
            StringBuilder code = new StringBuilder(8);
            for (int i = 0; i < 8; i++) {
                code.append(CODE_ALPHABET.charAt(RANDOM.nextInt(CODE_ALPHABET.length())));
            }
            if (!store.codeTaken(code.toString())) {
                return code.toString();
            }
        }
    }

    private void message(Turn turn, Store.Member member, Update update, String command, boolean joinedNow) {
        if (command == null && member.awaitingProof() != null && member.verified()) {
            Tasks.proof(turn, member, update.body());
            return;
        }
        if (command == null) {
            turn.sayKey("unknown");
            return;
        }
        switch (command) {
            case "start" -> start(turn, member, joinedNow);
            case "help" -> turn.sayKey("help", settings.referralPoints());
            case "verify" -> verifyPrompt(turn, member);
            case "tasks", "balance", "invite", "top", "wallet", "claim" -> {
                if (!member.verified()) {
                    verifyPrompt(turn, member);
                    return;
                }
                switch (command) {
                    case "tasks" -> Tasks.list(turn, member);
                    case "balance" -> balance(turn, member);
                    case "invite" -> invite(turn, member);
                    case "top" -> top(turn, member);
                    case "wallet" -> wallet(turn, member, update.commandArgument());
                    default -> claim(turn, member);
                }
            }
            default -> turn.sayKey("unknown");
        }
    }

    private void start(Turn turn, Store.Member member, boolean joinedNow) {
        if (member.verified()) {
            turn.say(turn.text("welcome_back", member.points()), menu(turn));
            return;
        }
        if (!joinedNow && !member.status().equals(Store.NEW)) {
            turn.sayKey(member.status().equals(Store.BLOCKED) ? "blocked" : "held", Turn.html(member.flagReason()));
            return;
        }
        verifyPrompt(turn, member);
    }

    private void verifyPrompt(Turn turn, Store.Member member) {
        if (member.verified()) {
            turn.sayKey("verified_already");
            return;
        }
        if (!member.status().equals(Store.NEW)) {
            turn.sayKey(member.status().equals(Store.BLOCKED) ? "blocked" : "held", Turn.html(member.flagReason()));
            return;
        }
        ObjectNode keyboard = Turn.inlineKeyboard();
        Turn.webAppButton(Turn.row(keyboard), turn.text("button.verify"), settings.webAppUrl());
        Turn.callbackButton(Turn.row(keyboard), turn.text("button.verify_chat"), "cap:new");
        turn.say(turn.text("welcome"), keyboard);
    }

    ObjectNode menu(Turn turn) {
        ObjectNode keyboard = Turn.inlineKeyboard();
        ArrayNode first = Turn.row(keyboard);
        Turn.callbackButton(first, turn.text("button.tasks"), "m:tasks");
        Turn.callbackButton(first, turn.text("button.balance"), "m:balance");
        ArrayNode second = Turn.row(keyboard);
        Turn.callbackButton(second, turn.text("button.invite"), "m:invite");
        Turn.callbackButton(second, turn.text("button.top"), "m:top");
        ArrayNode third = Turn.row(keyboard);
        Turn.callbackButton(third, turn.text("button.wallet"), "m:wallet");
        Turn.callbackButton(third, turn.text("button.claim"), "m:claim");
        Turn.webAppButton(Turn.row(keyboard), "🌐 Mini App", settings.webAppUrl());
        return keyboard;
    }

    private void callback(Turn turn, Store.Member member, Update update) {
        String data = update.callbackData();
        answerCallback(turn, update);
        if (data == null) {
            return;
        }
        if (data.startsWith("cap:")) {
            chatCaptcha(turn, member, data.substring(4));
            return;
        }
        if (!member.verified()) {
            verifyPrompt(turn, member);
            return;
        }
        if (data.startsWith("task:")) {
            parseLong(data.substring(5)).ifPresent(id -> Tasks.press(turn, member, id));
            return;
        }
        switch (data) {
            case "m:tasks" -> Tasks.list(turn, member);
            case "m:balance" -> balance(turn, member);
            case "m:invite" -> invite(turn, member);
            case "m:top" -> top(turn, member);
            case "m:wallet" -> wallet(turn, member, "");
            case "m:claim" -> claim(turn, member);
            default -> {
            }
        }
    }

    private static void answerCallback(Turn turn, Update update) {
        if (!update.type().equals("callback_query")) {
            return;
        }
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("callback_query_id", update.body().path("id").asText());
        turn.out.call(turn.botId, turn.chatId, "answerCallbackQuery", params);
    }

    /** The in-chat fallback captcha for clients without Mini Apps: four answer buttons. */
    private void chatCaptcha(Turn turn, Store.Member member, String answer) {
        if (!member.status().equals(Store.NEW)) {
            verifyPrompt(turn, member);
            return;
        }
        if (member.captchaFailures() >= settings.captchaAttempts()) {
            turn.sayKey("captcha.too_many");
            return;
        }
        boolean pending = member.captchaAnswer() != null && member.captchaExpires() != null && member.captchaExpires() > turn.now;
        if (!answer.equals("new") && pending) {
            if (answer.equals(member.captchaAnswer())) {
                Verification.verify(turn, member, Verification.Via.CHAT, null, null,
                        (bot, chat) -> turn.out);
                return;
            }
            turn.store.countCaptchaFailure(member.no());
            if (member.captchaFailures() + 1 >= settings.captchaAttempts()) {
                turn.sayKey("captcha.too_many");
                return;
            }
            turn.sayKey("captcha.wrong");
        }
        Captcha.Challenge challenge = Captcha.next();
        turn.store.setCaptcha(member.no(), challenge.answer(), turn.now + Captcha.LIFETIME_MILLIS);
        ObjectNode keyboard = Turn.inlineKeyboard();
        ArrayNode row = Turn.row(keyboard);
        for (int option : challenge.options()) {
            Turn.callbackButton(row, Integer.toString(option), "cap:" + option);
        }
        turn.say(turn.text("captcha.question", challenge.question()), keyboard);
    }

    private void balance(Turn turn, Store.Member member) {
        StringBuilder lines = new StringBuilder();
        for (Store.Entry entry : turn.store.ledger(member.no(), 5)) {
            lines.append(entry.amount() > 0 ? "+" : "").append(entry.amount()).append(' ').append(entry.kind());
            if (entry.note() != null) {
                lines.append(" (").append(Turn.html(entry.note())).append(')');
            }
            lines.append('\n');
        }
        turn.say(turn.text("balance", member.points(), turn.store.rankOf(member.points()),
                lines.isEmpty() ? turn.text("balance.empty") : lines.toString().strip()), menu(turn));
    }

    private void invite(Turn turn, Store.Member member) {
        String username = botUsernames.getOrDefault(turn.botId, "");
        String link = "https://t.me/" + (username.isEmpty() ? "bot" : username) + "?start=" + member.referralCode();
        turn.sayKey("invite", link, settings.referralPoints(), member.invites());
    }

    private void top(Turn turn, Store.Member member) {
        StringBuilder text = new StringBuilder(turn.text("top.title"));
        int place = 1;
        for (Store.Leader leader : turn.store.top(10)) {
            text.append('\n').append(turn.text("top.line", place++, leader.no(), leader.points()));
        }
        text.append("\n\n").append(turn.text("top.you", member.no(), member.points(), turn.store.rankOf(member.points())));
        turn.say(text.toString());
    }

    private void wallet(Turn turn, Store.Member member, String argument) {
        String chains = String.join(", ", settings.walletChains());
        if (argument == null || argument.isBlank()) {
            if (member.wallet() == null) {
                turn.sayKey("wallet.none", chains);
            } else {
                turn.sayKey("wallet.current", member.walletChain(), Turn.html(member.wallet()));
            }
            return;
        }
        String outcome = setWallet(turn.store, settings, member, argument, turn.now);
        if (outcome != null) {
            turn.say(outcome.startsWith("wallet.") ? turn.text(outcome.split("\\|", 2)[0],
                    outcome.contains("|") ? outcome.split("\\|", 2)[1] : chains) : outcome);
            return;
        }
        Store.Member saved = turn.store.memberByNo(member.no()).orElseThrow();
        turn.sayKey("wallet.saved", saved.walletChain(), Turn.html(saved.wallet()));
    }

    /**
     * Validates and saves a wallet; null when saved, else a text key with its argument after '|'
     * (shared by the chat and the Mini App).
     */
    static String setWallet(Store store, AirdropSettings settings, Store.Member member, String address, long now) {
        WalletCheck check = WalletAddresses.check(address);
        if (check instanceof WalletCheck.Invalid invalid) {
            return "wallet.invalid|" + Turn.html(invalid.reason());
        }
        WalletCheck.Valid valid = (WalletCheck.Valid) check;
        String chain = valid.chain().name().toLowerCase(Locale.ROOT);
        if (!settings.walletChains().contains(chain)) {
            return "wallet.chain_not_accepted|" + String.join(", ", settings.walletChains());
        }
        if (valid.canonicalKey().equals(member.walletKey())) {
            return null;
        }
        if (member.walletChangedAt() != null && member.walletChangedAt() + settings.walletCooldown().toMillis() > now) {
            long left = member.walletChangedAt() + settings.walletCooldown().toMillis() - now;
            return "wallet.cooldown|" + dev.telescale.runtime.app.AppSettings.formatDuration(
                    Duration.ofMinutes(Math.max(1, (left + 59_999) / 60_000)));
        }
        if (store.walletTakenByOther(member.no(), valid.canonicalKey())
                || !store.setWallet(member.no(), valid.display(), valid.canonicalKey(), chain, now)) {
            return "wallet.taken|";
        }
        return null;
    }

    private void claim(Turn turn, Store.Member member) {
        if (!turn.store.setting("claims").map("open"::equals).orElse(false)) {
            turn.sayKey("claim.closed");
            return;
        }
        Optional<Store.Claim> open = turn.store.openClaim(member.no());
        if (open.isPresent()) {
            turn.sayKey("claim.open_exists", open.get().id(), open.get().points(), open.get().status());
            return;
        }
        if (member.wallet() == null) {
            turn.sayKey("claim.need_wallet");
            return;
        }
        if (member.points() < settings.claimMinPoints()) {
            turn.sayKey("claim.too_few", settings.claimMinPoints(), member.points());
            return;
        }
        Optional<Long> id = turn.store.openClaim(member.no(), member.points(), member.wallet(), member.walletChain(), turn.now);
        if (id.isEmpty()) {
            turn.sayKey("claim.open_exists", "?", member.points(), "open");
            return;
        }
        // the debit is keyed by the claim: a claim takes the points once; a rejection gives them back once
        turn.store.credit(member.no(), -member.points(), "claim", "claim:" + id.get(), "claim #" + id.get(), turn.now);
        turn.sayKey("claim.created", id.get(), member.points(), Turn.html(member.wallet()));
    }

    private void deliveryFailed(UpdateContext context, Store store, JsonNode failure, long now) {
        String tag = failure.path("tag").asText("");
        if (!tag.startsWith(Tasks.MEMBERSHIP_TAG)) {
            return;
        }
        String[] parts = tag.substring(Tasks.MEMBERSHIP_TAG.length()).split(":");
        if (parts.length != 2) {
            return;
        }
        parseLong(parts[1]).flatMap(store::memberByNo).ifPresent(member -> new Turn(store, settings, texts, context.send(), now,
                context.botId(), member.userId(), member.lang()).sayKey("task.check_failed"));
    }

    static Optional<Long> parseLong(String text) {
        try {
            return Optional.of(Long.parseLong(text.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    AirdropSettings settings() {
        return settings;
    }

    Texts texts() {
        return texts;
    }

    String botUsername(long botId) {
        return botUsernames.getOrDefault(botId, "");
    }

    static Chain chainOf(String name) {
        return Chain.valueOf(name.toUpperCase(Locale.ROOT));
    }
}
