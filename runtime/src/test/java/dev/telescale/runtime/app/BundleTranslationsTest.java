package dev.telescale.runtime.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class BundleTranslationsTest {
    private final BundleTranslations translations = new BundleTranslations("i18n/test",
            BundleTranslationsTest.class.getClassLoader(), List.of("en", "ru"));

    @Test
    void text_russianUser_getsRussianWithArguments() {
        assertThat(translations.text("ru", "greeting", "Анна")).isEqualTo("Привет, Анна!");
    }

    @Test
    void text_regionalTag_usesTheLanguage() {
        assertThat(translations.text("ru-RU", "greeting", "Анна")).isEqualTo("Привет, Анна!");
    }

    @Test
    void text_unknownLanguageOrNone_fallsBackToTheDefault() {
        assertThat(translations.text("de", "greeting", "Anna")).isEqualTo("Hello, Anna!");
        assertThat(translations.text(null, "greeting", "Anna")).isEqualTo("Hello, Anna!");
    }

    @Test
    void text_keyMissingInTheLanguage_fallsBackToTheDefaultText() {
        assertThat(translations.text("ru", "only.english")).isEqualTo("Only in English");
    }

    @Test
    void text_keyMissingEverywhere_answersTheKey() {
        assertThat(translations.text("ru", "no.such.key")).isEqualTo("no.such.key");
    }

    @Test
    void languages_areTheConfiguredOnes() {
        assertThat(translations.languages()).containsExactlyInAnyOrder(Locale.ENGLISH, Locale.forLanguageTag("ru"));
    }

    @Test
    void constructor_withoutTheDefaultBundle_fails() {
        assertThatThrownBy(() -> new BundleTranslations("i18n/none", getClass().getClassLoader(), List.of("en")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("i18n/none.properties");
    }
}
