package dev.telescale.airdrop;

/** The application's texts by language (a {@link dev.telescale.runtime.app.BundleTranslations} in production). */
@FunctionalInterface
interface Texts {
    String text(String lang, String key, Object... arguments);
}
