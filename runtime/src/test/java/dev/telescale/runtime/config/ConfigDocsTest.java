package dev.telescale.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md shows exactly the variables {@link Setting} declares, with the same
 * defaults and meanings. When it fails, paste the table from the failure message into the doc.
 */
class ConfigDocsTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern TABLE = Pattern.compile("<!-- settings:begin -->\\n(.*?)<!-- settings:end -->",
            Pattern.DOTALL);
    private static final Pattern ROW_NAME = Pattern.compile("^\\| `([A-Z0-9_]+)` \\|", Pattern.MULTILINE);

    private static String documentedTable() throws IOException {
        return tableIn(DOC);
    }

    private static String tableIn(Path file) throws IOException {
        String doc = Files.readString(file, StandardCharsets.UTF_8);
        Matcher matcher = TABLE.matcher(doc);
        assertThat(matcher.find()).as("%s has a table between settings:begin and settings:end", file).isTrue();
        return matcher.group(1);
    }

    @Test
    void readme_tableEqualsTheGeneratedOne() throws IOException {
        String expected = Setting.markdownTable();

        assertThat(tableIn(README))
                .as("README.md's configuration table is out of date; replace it with:%n%s", expected)
                .isEqualTo(expected);
    }

    @Test
    void configurationDoc_documentsExactlyTheLoadersVariables() throws IOException {
        List<String> documented = ROW_NAME.matcher(documentedTable()).results().map(match -> match.group(1)).toList();

        assertThat(documented).containsExactlyElementsOf(Arrays.stream(Setting.values()).map(Enum::name).toList());
    }

    @Test
    void configurationDoc_tableEqualsTheGeneratedOne() throws IOException {
        String expected = Setting.markdownTable();

        assertThat(documentedTable())
                .as("docs/configuration.md is out of date; replace its table with:%n%s", expected)
                .isEqualTo(expected);
    }

    @Test
    void everySetting_defaultIsValid() {
        for (Setting setting : Setting.values()) {
            if (setting.defaultValue().isEmpty()) {
                continue;
            }
            assertThat(setting.meaning()).isNotBlank();
            try {
                assertThat(setting.parse(setting.defaultValue())).as(setting.name()).isNotNull();
            } catch (InvalidValue e) {
                throw new AssertionError(setting + " default: " + e.getMessage(), e);
            }
        }
    }
}
