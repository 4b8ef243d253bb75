package dev.telescale.runtime.webapp;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Mini App's init data that {@link InitDataValidator} verified. {@link #toString()} shows neither
 * the hash, nor the fields, nor the user object: together they are a credential until the data is
 * stale, and the user object is personal data.
 *
 * @param botId      the bot whose token signed it
 * @param userId     {@code user.id}, above 0
 * @param user       the {@code user} field parsed: a JSON object (treat it as read-only)
 * @param authDate   when Telegram signed it
 * @param queryId    {@code query_id}, for answerWebAppQuery; null when absent
 * @param startParam {@code start_param} from a direct link; null when absent
 * @param hash       the {@code hash} field as received
 * @param fields     every field except {@code hash}, percent-decoded, sorted by name (the signed fields;
 *                   {@code signature} among them when the client sent it)
 */
public record WebAppInitData(long botId, long userId, JsonNode user, Instant authDate, String queryId,
                             String startParam, String hash, Map<String, String> fields) {

    public WebAppInitData {
        fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
    }

    @Override
    public String toString() {
        return "WebAppInitData[botId=" + botId + ", userId=" + userId + ", authDate=" + authDate
                + ", queryId=" + queryId + ", startParam=" + startParam + ", fields=" + fields.keySet() + "]";
    }
}
