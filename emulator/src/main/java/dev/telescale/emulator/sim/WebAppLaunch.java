package dev.telescale.emulator.sim;

/**
 * A Mini App as a client opens it.
 *
 * @param url       the Mini App's URL (the button's, the menu button's, or the one given)
 * @param initData  the signed query string the Mini App receives (Telegram.WebApp.initData), raw
 * @param launchUrl the URL to load in the frame: {@code url} with Telegram's launch parameters in the fragment
 * @param queryId   the session's query_id, for answerWebAppQuery
 */
public record WebAppLaunch(String url, String initData, String launchUrl, String queryId) {
}
