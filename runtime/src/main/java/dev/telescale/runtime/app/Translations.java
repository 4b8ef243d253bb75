package dev.telescale.runtime.app;

import java.util.Locale;
import java.util.Set;

/**
 * An application's texts in every language it speaks. Keys name a text; {@code {0}}-style
 * arguments are filled in with {@link java.text.MessageFormat}. Implementations are thread-safe.
 */
public interface Translations {
    /** The text for {@code key} in the language (an IETF tag such as "ru" or "pt-br"), else in the fallback. */
    String text(String languageCode, String key, Object... arguments);

    /** The languages with their own texts. */
    Set<Locale> languages();

    /** No texts: every key is answered with itself (for applications that have none). */
    Translations NONE = new Translations() {
        @Override
        public String text(String languageCode, String key, Object... arguments) {
            return key;
        }

        @Override
        public Set<Locale> languages() {
            return Set.of();
        }
    };
}
