package dev.telescale.airdrop;

import dev.telescale.runtime.app.AppSettings;
import dev.telescale.runtime.app.AppSettings.Option;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The airdrop application's settings, from AIRDROP_* variables (and ADMIN_IDS). Validated at
 * start; every problem is reported at once.
 *
 * @param webAppUrl the Mini App's public address (its page is served at /apps/airdrop/webapp on HTTP_PORT)
 */
public record AirdropSettings(
        Set<Long> adminIds,
        String webAppUrl,
        Duration initDataMaxAge,
        long verifyPoints,
        long referralPoints,
        long referralSecondLevelPercent,
        long checkinPoints,
        long maxAccountsPerDevice,
        long maxAccountsPerAddress,
        String farmAction,
        long webAppRequests,
        Duration webAppWindow,
        Duration walletCooldown,
        List<String> walletChains,
        long claimMinPoints,
        long captchaAttempts) {

    public static final List<Option> OPTIONS = List.of(
            new Option("AIRDROP_WEBAPP_URL", "", "The Mini App's public https address, as Telegram clients open it: WEBHOOK_BASE_URL + `/apps/airdrop/webapp` behind a proxy (empty: `http://127.0.0.1:<HTTP_PORT>/apps/airdrop/webapp`, for the emulator's sandbox)."),
            new Option("AIRDROP_INITDATA_MAX_AGE", "1h", "How old a Mini App's initData (its auth_date) may be when the page signs in."),
            new Option("AIRDROP_VERIFY_POINTS", "100", "Points for passing the human verification."),
            new Option("AIRDROP_REFERRAL_POINTS", "50", "Points an inviter gets once per invitee who passes verification."),
            new Option("AIRDROP_REFERRAL_L2_PERCENT", "10", "Share (percent) of the referral points that the inviter's own inviter gets (0: no second level)."),
            new Option("AIRDROP_CHECKIN_POINTS", "10", "Points of a daily check-in task when the task sets none; a streak adds 10 % per day in a row, up to double."),
            new Option("AIRDROP_MAX_ACCOUNTS_PER_DEVICE", "3", "Accounts that may share one device fingerprint; the next one flags them all."),
            new Option("AIRDROP_MAX_ACCOUNTS_PER_ADDRESS", "10", "Accounts that may share one client address; the next one flags them all."),
            new Option("AIRDROP_FARM_ACTION", "review", "What flagging does: `review` holds the accounts until an admin decides, `block` blocks them."),
            new Option("AIRDROP_WEBAPP_RATE_LIMIT", "200/5m", "Mini App API requests allowed per client address, shared by every instance: count/window."),
            new Option("AIRDROP_WALLET_COOLDOWN", "24h", "How long after setting a wallet a user must wait to change it."),
            new Option("AIRDROP_WALLET_CHAINS", "evm,ton,solana", "The chains whose addresses are accepted, comma-separated."),
            new Option("AIRDROP_CLAIM_MIN_POINTS", "1000", "The fewest points a claim may request."),
            new Option("AIRDROP_CAPTCHA_ATTEMPTS", "5", "Wrong captcha answers allowed before verification is refused (an admin can reset it)."));

    /** Defaults with the given admins and Mini App address (tests, the demo). */
    public static AirdropSettings defaults(Set<Long> adminIds, String webAppUrl) {
        return switch (fromEnvironment(Map.of("AIRDROP_WEBAPP_URL", webAppUrl), adminIds, 8080)) {
            case Valid valid -> valid.settings();
            case Invalid invalid -> throw new IllegalStateException("the defaults are invalid: " + invalid.problems());
        };
    }

    public boolean isAdmin(long userId) {
        return adminIds.contains(userId);
    }

    public AirdropSettings withFarmLimits(long perDevice, long perAddress, String action) {
        return new AirdropSettings(adminIds, webAppUrl, initDataMaxAge, verifyPoints, referralPoints,
                referralSecondLevelPercent, checkinPoints, perDevice, perAddress, action, webAppRequests, webAppWindow,
                walletCooldown, walletChains, claimMinPoints, captchaAttempts);
    }

    public AirdropSettings withWebAppRateLimit(long requests, Duration window) {
        return new AirdropSettings(adminIds, webAppUrl, initDataMaxAge, verifyPoints, referralPoints,
                referralSecondLevelPercent, checkinPoints, maxAccountsPerDevice, maxAccountsPerAddress, farmAction, requests,
                window, walletCooldown, walletChains, claimMinPoints, captchaAttempts);
    }

    public sealed interface Result permits Valid, Invalid {
    }

    public record Valid(AirdropSettings settings) implements Result {
    }

    public record Invalid(List<String> problems) implements Result {
    }

    /** Reads the AIRDROP_* variables; {@code httpPort} makes the default Mini App address. */
    public static Result fromEnvironment(Map<String, String> env, Set<Long> adminIds, int httpPort) {
        AppSettings read = new AppSettings(OPTIONS, env);
        String url = read.text("AIRDROP_WEBAPP_URL");
        if (url.isEmpty()) {
            url = "http://127.0.0.1:" + httpPort + "/apps/airdrop/webapp";
        } else {
            try {
                URI uri = URI.create(url);
                boolean local = "127.0.0.1".equals(uri.getHost()) || "localhost".equals(uri.getHost());
                if (!"https".equals(uri.getScheme()) && !(local && "http".equals(uri.getScheme()))) {
                    read.problem("AIRDROP_WEBAPP_URL", "'" + url + "' must be an https address (Telegram opens Mini Apps only over https; http only for localhost)");
                }
            } catch (IllegalArgumentException e) {
                read.problem("AIRDROP_WEBAPP_URL", "'" + url + "' is not an address");
            }
        }
        String rate = read.text("AIRDROP_WEBAPP_RATE_LIMIT");
        long requests = 200;
        Duration window = Duration.ofMinutes(5);
        int slash = rate.indexOf('/');
        try {
            if (slash < 1) {
                throw new IllegalArgumentException("x");
            }
            requests = Long.parseLong(rate.substring(0, slash));
            window = AppSettings.parseDuration(rate.substring(slash + 1));
            if (requests < 1 || requests > 1_000_000 || window.isZero()) {
                throw new IllegalArgumentException("x");
            }
        } catch (IllegalArgumentException e) {
            read.problem("AIRDROP_WEBAPP_RATE_LIMIT", "'" + rate + "' is not count/window such as 200/5m");
        }
        List<String> chains = List.of(read.text("AIRDROP_WALLET_CHAINS").toLowerCase().split("\\s*,\\s*"));
        for (String chain : chains) {
            if (!List.of("evm", "ton", "solana").contains(chain)) {
                read.problem("AIRDROP_WALLET_CHAINS", "'" + chain + "' is not one of evm, ton, solana");
            }
        }
        AirdropSettings settings = new AirdropSettings(Set.copyOf(adminIds), url,
                read.duration("AIRDROP_INITDATA_MAX_AGE", Duration.ofMinutes(1), Duration.ofDays(7)),
                read.integer("AIRDROP_VERIFY_POINTS", 0, 1_000_000_000),
                read.integer("AIRDROP_REFERRAL_POINTS", 0, 1_000_000_000),
                read.integer("AIRDROP_REFERRAL_L2_PERCENT", 0, 100),
                read.integer("AIRDROP_CHECKIN_POINTS", 0, 1_000_000_000),
                read.integer("AIRDROP_MAX_ACCOUNTS_PER_DEVICE", 1, 1_000_000),
                read.integer("AIRDROP_MAX_ACCOUNTS_PER_ADDRESS", 1, 1_000_000),
                read.choice("AIRDROP_FARM_ACTION", List.of("review", "block")),
                requests, window,
                read.duration("AIRDROP_WALLET_COOLDOWN", Duration.ZERO, Duration.ofDays(365)),
                chains,
                read.integer("AIRDROP_CLAIM_MIN_POINTS", 1, Long.MAX_VALUE / 4),
                read.integer("AIRDROP_CAPTCHA_ATTEMPTS", 1, 1000));
        return read.problems().isEmpty() ? new Valid(settings) : new Invalid(read.problems());
    }

    public static String markdownTable() {
        return AppSettings.markdownTable(OPTIONS);
    }
}
