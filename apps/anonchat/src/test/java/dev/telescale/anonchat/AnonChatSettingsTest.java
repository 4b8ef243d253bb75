package dev.telescale.anonchat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The ANONCHAT_* settings: validation, their documentation, and the texts of both languages. */
class AnonChatSettingsTest {
    private static final Pattern TABLE = Pattern.compile("<!-- anonchat-settings:begin -->\\n(.*?)<!-- anonchat-settings:end -->",
            Pattern.DOTALL);

    @Test
    void defaultsAreValidAndSensible() {
        AnonChatSettings settings = AnonChatSettings.defaults(Set.of(5L));
        assertThat(settings.isAdmin(5)).isTrue();
        assertThat(settings.messageMapTtl()).isGreaterThanOrEqualTo(Duration.ofHours(48));
        assertThat(settings.moderationChatId()).isEmpty();
        assertThat(settings.linksAllowed()).isFalse();
    }

    @Test
    void everyBadValueIsReportedOnItsOwnLine() {
        AnonChatSettings.Result result = AnonChatSettings.fromEnvironment(Map.of(
                "ANONCHAT_SEARCH_TIMEOUT", "soon",
                "ANONCHAT_MESSAGE_MAP_TTL", "1h",
                "ANONCHAT_LINKS_ALLOWED", "maybe",
                "ANONCHAT_MIN_AGE", "0",
                "ANONCHAT_MODERATION_CHAT_ID", "@channel"), Set.of());
        assertThat(result).isInstanceOf(AnonChatSettings.Invalid.class);
        assertThat(((AnonChatSettings.Invalid) result).problems()).containsExactlyInAnyOrder(
                "ANONCHAT_MODERATION_CHAT_ID: '@channel' is not a chat id (a whole number such as -1001234567890)",
                "ANONCHAT_SEARCH_TIMEOUT: 'soon' is not a duration such as 30s, 10m, 24h or 7d",
                "ANONCHAT_MESSAGE_MAP_TTL: 1h is outside 2d..30d",
                "ANONCHAT_LINKS_ALLOWED: 'maybe' is not true or false",
                "ANONCHAT_MIN_AGE: 0 is outside 1..99");
    }

    @Test
    void configurationDocShowsTheGeneratedTable() throws IOException {
        Path doc = Path.of("..", "..", "docs", "configuration.md");
        Matcher matcher = TABLE.matcher(Files.readString(doc, StandardCharsets.UTF_8));
        assertThat(matcher.find()).as("docs/configuration.md has the anonchat-settings table").isTrue();
        assertThat(matcher.group(1)).as("docs/configuration.md is out of date; its anonchat table should be:%n%s",
                AnonChatSettings.markdownTable()).isEqualTo(AnonChatSettings.markdownTable());
    }

    @Test
    void englishAndRussianHaveTheSameTextsAndPlaceholders() throws IOException {
        Properties en = load("anonchat/messages.properties");
        Properties ru = load("anonchat/messages_ru.properties");
        assertThat(ru.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(en.stringPropertyNames());
        Pattern placeholder = Pattern.compile("\\{\\d}");
        for (String key : en.stringPropertyNames()) {
            assertThat(placeholder.matcher(ru.getProperty(key)).results().map(m -> m.group()).sorted().toList())
                    .as("placeholders of %s", key)
                    .isEqualTo(placeholder.matcher(en.getProperty(key)).results().map(m -> m.group()).sorted().toList());
        }
        for (String command : new String[]{"search", "next", "stop", "profile", "vip", "help", "invite"}) {
            assertThat(ru.getProperty("button." + command)).isNotEqualTo(en.getProperty("button." + command));
        }
    }

    private static Properties load(String resource) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = AnonChatSettingsTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return properties;
    }
}
