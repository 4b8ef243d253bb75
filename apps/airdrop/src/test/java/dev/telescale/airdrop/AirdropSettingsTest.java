package dev.telescale.airdrop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The AIRDROP_* settings: validation, their documentation, and the texts of both languages. */
class AirdropSettingsTest {
    private static final Pattern TABLE = Pattern.compile("<!-- airdrop-settings:begin -->\\n(.*?)<!-- airdrop-settings:end -->",
            Pattern.DOTALL);

    @Test
    void defaults_areValidAndPointTheMiniAppAtThisInstance() {
        AirdropSettings.Valid valid = (AirdropSettings.Valid) AirdropSettings.fromEnvironment(Map.of(), Set.of(5L), 9090);
        AirdropSettings settings = valid.settings();
        assertThat(settings.webAppUrl()).isEqualTo("http://127.0.0.1:9090/apps/airdrop/webapp");
        assertThat(settings.webAppRequests()).isEqualTo(200);
        assertThat(settings.webAppWindow()).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.walletChains()).containsExactly("evm", "ton", "solana");
        assertThat(settings.isAdmin(5)).isTrue();
    }

    @Test
    void fromEnvironment_reportsEveryBadValueOnItsOwnLine() {
        AirdropSettings.Result result = AirdropSettings.fromEnvironment(Map.of(
                "AIRDROP_WEBAPP_URL", "http://example.org/app",
                "AIRDROP_WEBAPP_RATE_LIMIT", "lots",
                "AIRDROP_WALLET_CHAINS", "evm,bitcoin",
                "AIRDROP_FARM_ACTION", "shrug",
                "AIRDROP_REFERRAL_L2_PERCENT", "150",
                "AIRDROP_INITDATA_MAX_AGE", "forever"), Set.of(), 8080);
        assertThat(result).isInstanceOf(AirdropSettings.Invalid.class);
        assertThat(((AirdropSettings.Invalid) result).problems()).containsExactlyInAnyOrder(
                "AIRDROP_WEBAPP_URL: 'http://example.org/app' must be an https address (Telegram opens Mini Apps only over https; http only for localhost)",
                "AIRDROP_WEBAPP_RATE_LIMIT: 'lots' is not count/window such as 200/5m",
                "AIRDROP_WALLET_CHAINS: 'bitcoin' is not one of evm, ton, solana",
                "AIRDROP_FARM_ACTION: 'shrug' is not one of review, block",
                "AIRDROP_REFERRAL_L2_PERCENT: 150 is outside 0..100",
                "AIRDROP_INITDATA_MAX_AGE: 'forever' is not a duration such as 30s, 10m, 24h or 7d");
    }

    @Test
    void configurationDoc_showsTheGeneratedTable() throws IOException {
        Path doc = Path.of("..", "..", "docs", "configuration.md");
        Matcher matcher = TABLE.matcher(Files.readString(doc, StandardCharsets.UTF_8));
        assertThat(matcher.find()).as("docs/configuration.md has the airdrop-settings table").isTrue();
        assertThat(matcher.group(1)).as("docs/configuration.md is out of date; its airdrop table should be:%n%s",
                AirdropSettings.markdownTable()).isEqualTo(AirdropSettings.markdownTable());
    }

    @Test
    void englishAndRussian_haveTheSameTextsAndPlaceholdersAndEveryPatternFormats() throws IOException {
        Properties en = load("airdrop/messages.properties");
        Properties ru = load("airdrop/messages_ru.properties");
        assertThat(ru.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(en.stringPropertyNames());
        Pattern placeholder = Pattern.compile("\\{\\d}");
        for (String key : en.stringPropertyNames()) {
            assertThat(placeholder.matcher(ru.getProperty(key)).results().map(java.util.regex.MatchResult::group).sorted().toList())
                    .as("placeholders of %s", key)
                    .isEqualTo(placeholder.matcher(en.getProperty(key)).results().map(java.util.regex.MatchResult::group).sorted().toList());
            for (Properties texts : new Properties[] {en, ru}) {
                String formatted = new MessageFormat(texts.getProperty(key), Locale.ROOT).format(new Object[] {"A", "B", "C"});
                assertThat(formatted).as("%s formats without a stray apostrophe", key).doesNotContain("{");
            }
        }
    }

    private static Properties load(String resource) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = AirdropSettingsTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return properties;
    }
}
