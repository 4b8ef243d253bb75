package dev.telescale.runtime.app;

import java.text.MessageFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translations from UTF-8 {@code .properties} resource bundles ({@code <baseName>_<lang>.properties},
 * with {@code <baseName>.properties} as the fallback language). A language without a bundle, or
 * a key missing from its bundle, falls back to the fallback text; a key missing everywhere is
 * answered with the key itself and logged once, so a forgotten text never breaks a handler.
 *
 * <p>Thread-safe: bundles are loaded once per language and cached in a concurrent map.
 */
public final class BundleTranslations implements Translations {
    private static final Logger log = LoggerFactory.getLogger(BundleTranslations.class);

    private final String baseName;
    private final ClassLoader loader;
    private final Set<Locale> languages;
    private final Map<String, ResourceBundle> bundles = new ConcurrentHashMap<>();
    private final Set<String> reportedMissing = ConcurrentHashMap.newKeySet();

    /**
     * @param languages the languages that have their own bundle, e.g. "en", "ru"; the first is the
     *                  language of the fallback bundle {@code <baseName>.properties}
     */
    public BundleTranslations(String baseName, ClassLoader loader, List<String> languages) {
        this.baseName = baseName;
        this.loader = loader;
        Set<Locale> locales = new LinkedHashSet<>();
        languages.forEach(language -> locales.add(Locale.forLanguageTag(language)));
        this.languages = Set.copyOf(locales);
        bundle("");
    }

    @Override
    public String text(String languageCode, String key, Object... arguments) {
        String pattern = lookup(languageCode == null ? "" : languageCode, key);
        if (pattern == null) {
            if (reportedMissing.add(key)) {
                log.warn("no text for key '{}' in {}", key, baseName);
            }
            return key;
        }
        return arguments.length == 0 ? pattern : new MessageFormat(pattern, Locale.ROOT).format(arguments);
    }

    @Override
    public Set<Locale> languages() {
        return languages;
    }

    private String lookup(String languageCode, String key) {
        String language = Locale.forLanguageTag(languageCode.replace('_', '-')).getLanguage();
        for (String candidate : new String[] {language, ""}) {
            ResourceBundle bundle = bundle(candidate);
            if (bundle != null && bundle.containsKey(key)) {
                return bundle.getString(key);
            }
        }
        return null;
    }

    private ResourceBundle bundle(String language) {
        String cacheKey = language.isEmpty() || languages.stream().noneMatch(l -> l.getLanguage().equals(language))
                ? "" : language;
        return bundles.computeIfAbsent(cacheKey, lang -> {
            try {
                return ResourceBundle.getBundle(baseName, lang.isEmpty() ? Locale.ROOT : Locale.forLanguageTag(lang),
                        loader, ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
            } catch (MissingResourceException e) {
                if (lang.isEmpty()) {
                    throw new IllegalArgumentException("no resource bundle " + baseName + ".properties", e);
                }
                return bundle("");
            }
        });
    }
}
