package dev.telescale.server;

import dev.telescale.emulator.Emulator;
import dev.telescale.emulator.EmulatorConfig;
import dev.telescale.emulator.FloodLimits;
import dev.telescale.runtime.TelescaleRuntime;
import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.config.TelescaleConfig;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo a newcomer gets from {@code telescale run} without BOT_TOKENS: a Telegram emulator in
 * the process (Telegram's flood limits on) with two bots of the anonymous chat sharing one
 * matching pool and a bot of the airdrop (its Mini App opens in the sandbox), its browser
 * sandbox, and the admin dashboard. Without ADMIN_PASSWORD the demo
 * makes up a random one and prints it, so the dashboard is never open without a password.
 */
final class Demo implements AutoCloseable {
    /** The demo's anonymous chat bots: well-formed tokens that exist only in the built-in emulator. */
    static final List<String> TOKENS = List.of("1000001:DEMOdemoDEMOdemoDEMOdemoDEMOdemo01",
            "1000002:DEMOdemoDEMOdemoDEMOdemoDEMOdemo02");
    /** The demo's airdrop bot. */
    static final String AIRDROP_TOKEN = "1000003:DEMOdemoDEMOdemoDEMOdemoDEMOdemo03";

    private final Emulator emulator;
    private final TelescaleRuntime runtime;
    private final String adminPassword;
    private final boolean passwordMadeUp;

    private Demo(Emulator emulator, TelescaleRuntime runtime, String adminPassword, boolean passwordMadeUp) {
        this.emulator = emulator;
        this.runtime = runtime;
        this.adminPassword = adminPassword;
        this.passwordMadeUp = passwordMadeUp;
    }

    /**
     * Starts the demo with the given environment (BOT_TOKENS and TELEGRAM_API_URL are set by the
     * demo); null after printing the problems when the environment is invalid.
     */
    static Demo start(int emulatorPort, Map<String, String> environment, PrintWriter err) {
        Emulator emulator = Emulator.start(EmulatorConfig.defaults().withFlood(FloodLimits.telegramDefaults())
                .withPort(emulatorPort));
        try {
            Map<String, String> demo = new HashMap<>(environment);
            demo.put("BOT_TOKENS", String.join(",", TOKENS.stream().map(token -> "anonchat:" + token).toList())
                    + ",airdrop:" + AIRDROP_TOKEN);
            demo.put("TELEGRAM_API_URL", emulator.baseUrl());
            demo.putIfAbsent("ANONCHAT_NEW_USER_MEDIA_DELAY", "0s"); // a sandbox's newcomers try pictures at once
            TelescaleConfig config = Configurations.load(demo, err);
            boolean madeUp = config != null && config.admin().password().isEmpty(); // neither environment nor .env
            if (madeUp) {
                demo.put("ADMIN_PASSWORD", randomPassword());
                config = Configurations.load(demo, err);
            }
            if (config == null) {
                emulator.close();
                return null;
            }
            Map<String, BotApplication> applications = Applications.available(config, demo, err);
            if (applications == null) {
                emulator.close();
                return null;
            }
            TelescaleRuntime runtime = TelescaleRuntime.start(config, applications, InstantSource.system());
            return new Demo(emulator, runtime, config.admin().password().orElseThrow(), madeUp);
        } catch (RuntimeException e) {
            emulator.close();
            throw e;
        }
    }

    private static String randomPassword() {
        String alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            password.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return password.toString();
    }

    Emulator emulator() {
        return emulator;
    }

    TelescaleRuntime runtime() {
        return runtime;
    }

    String adminPassword() {
        return adminPassword;
    }

    String sandboxUrl() {
        return emulator.baseUrl() + "/sandbox";
    }

    String adminUrl() {
        return "http://127.0.0.1:" + runtime.httpPort() + "/admin";
    }

    /** The one line the demo prints: where to play, where to watch, and how to log in. */
    String banner() {
        return "Telescale demo (no BOT_TOKENS): try the anonymous chat and the airdrop in your browser at " + sandboxUrl()
                + " (two chat bots sharing one matching pool and an airdrop bot with its Mini App, on a built-in Telegram emulator); admin dashboard at "
                + adminUrl() + " (password " + (passwordMadeUp ? adminPassword + ", made up for this run; set ADMIN_PASSWORD to choose one"
                : "from ADMIN_PASSWORD") + "); Ctrl-C stops it.";
    }

    @Override
    public void close() {
        runtime.close();
        emulator.close();
    }
}
