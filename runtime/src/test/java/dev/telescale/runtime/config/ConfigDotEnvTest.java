package dev.telescale.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code .env} file: syntax, precedence of the real environment, problems without secrets. */
class ConfigDotEnvTest {
    @TempDir
    Path directory;

    private Path dotEnv(String... lines) throws IOException {
        return Files.write(directory.resolve(".env"), List.of(lines));
    }

    @Test
    void load_withADotEnvFile_readsEverySyntax() throws IOException {
        Path file = dotEnv(
                "# a comment",
                "",
                "BOT_TOKENS=" + ConfigLoaderTest.TOKEN + "   # the bot",
                "export HTTP_PORT=9090",
                "ADMIN_PASSWORD='it is # literal \\n'",
                "WEBHOOK_SECRET=\"abcdefgh\\\"ijklmnop\"",
                "  INSTANCE_ID = spaced-1  ",
                "LOG_LEVEL=warn",
                "LOG_LEVEL=error");

        DotEnv.Contents contents = DotEnv.read(file);

        assertThat(contents.problems()).isEmpty();
        assertThat(contents.values()).containsExactly(
                Map.entry("BOT_TOKENS", ConfigLoaderTest.TOKEN),
                Map.entry("HTTP_PORT", "9090"),
                Map.entry("ADMIN_PASSWORD", "it is # literal \\n"),
                Map.entry("WEBHOOK_SECRET", "abcdefgh\"ijklmnop"),
                Map.entry("INSTANCE_ID", "spaced-1"),
                Map.entry("LOG_LEVEL", "error"));
    }

    @Test
    void parse_withQuotedValues_keepsHashesAndEscapes() {
        DotEnv.Contents contents = DotEnv.parse(".env", List.of(
                "A='single # kept \\n literally'  # comment",
                "B=\"line\\nbreak \\\\ # kept\"",
                "C=unquoted#kept # dropped",
                "D="));

        assertThat(contents.problems()).isEmpty();
        assertThat(contents.values()).containsExactly(
                Map.entry("A", "single # kept \\n literally"),
                Map.entry("B", "line\nbreak \\ # kept"),
                Map.entry("C", "unquoted#kept"),
                Map.entry("D", ""));
    }

    @Test
    void load_withTheSameNameInEnvironmentAndFile_environmentWins() throws IOException {
        Path file = dotEnv("HTTP_PORT=9090", "HTTP_HOST=127.0.0.1", "LOG_FORMAT=json");

        ConfigResult result = ConfigLoader.load(Map.of("HTTP_PORT", "7070", "LOG_FORMAT", ""), file);

        TelescaleConfig config = ((ConfigResult.Valid) result).config();
        assertThat(config.http()).isEqualTo(new TelescaleConfig.Http("127.0.0.1", 7070));
        assertThat(config.logging().format()).isEqualTo(TelescaleConfig.LogFormat.TEXT);
    }

    @Test
    void load_withMalformedLines_reportsLineNumbersWithoutContent() throws IOException {
        Path file = dotEnv(
                "HTTP_PORT=abc",
                "this line has s3cret words",
                "ADMIN_PASSWORD=\"unterminated s3cret",
                "WEBHOOK_SECRET='s3cret' trailing",
                "1BAD=x",
                "TELESCALE_LOG=x");

        ConfigResult result = ConfigLoader.load(Map.of(), file);

        assertThat(result).isInstanceOf(ConfigResult.Invalid.class);
        List<String> problems = ((ConfigResult.Invalid) result).problems();
        assertThat(problems).containsExactly(
                ".env line 2: expected NAME=value (a name of letters, digits and _)",
                ".env line 3: the value's double quote is not closed",
                ".env line 4: unexpected text after the quoted value",
                ".env line 5: expected NAME=value (a name of letters, digits and _)",
                "HTTP_PORT: \"abc\" is not a port number (1-65535)",
                "TELESCALE_LOG: unknown variable (Telescale's variables have no TELESCALE_ prefix; see docs/configuration.md)");
        assertThat(String.join("\n", problems)).doesNotContain("s3cret");
    }

    @Test
    void load_withoutADotEnvFile_usesTheEnvironmentOnly() {
        ConfigResult result = ConfigLoader.load(Map.of("HTTP_PORT", "9999"), directory.resolve("missing.env"));

        assertThat(((ConfigResult.Valid) result).config().http().port()).isEqualTo(9999);
        assertThat(ConfigLoader.load(Map.of(), null)).isInstanceOf(ConfigResult.Valid.class);
    }

    @Test
    void load_withADirectoryAsTheFile_reportsItCannotBeRead() {
        ConfigResult result = ConfigLoader.load(Map.of(), directory);

        assertThat(((ConfigResult.Invalid) result).problems()).singleElement().asString()
                .startsWith(directory + ": cannot be read");
    }
}
