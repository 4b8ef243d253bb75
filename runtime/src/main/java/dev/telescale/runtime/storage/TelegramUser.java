package dev.telescale.runtime.storage;

/**
 * A Telegram user's profile as last seen in an update ({@code from}).
 *
 * @param lastName     null when the user has none; likewise username and languageCode
 * @param premium      whether the user has Telegram Premium
 */
public record TelegramUser(long userId, String firstName, String lastName, String username, String languageCode,
                           boolean premium) {
}
