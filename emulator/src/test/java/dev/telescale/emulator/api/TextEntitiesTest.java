package dev.telescale.emulator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextEntitiesTest {
    private static final String CANT_PARSE = "Bad Request: can't parse entities: ";

    /** JSON written with single quotes, for readability. */
    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private static JsonNode node(String singleQuoted) {
        return Json.parseOrNull(json(singleQuoted));
    }

    private static String entities(TextEntities.Parsed parsed) {
        return Json.text(parsed.entities());
    }

    private static TextEntities.Parsed parse(String text, String mode) {
        return TextEntities.parse(text, mode, null);
    }

    private static void assertParsed(String text, String mode, String plain, String singleQuotedEntities) {
        TextEntities.Parsed parsed = parse(text, mode);
        assertThat(parsed.text()).isEqualTo(plain);
        assertThat(entities(parsed)).isEqualTo(json(singleQuotedEntities));
    }

    private static void assertFails(String text, String mode, String description) {
        assertThatThrownBy(() -> parse(text, mode))
                .isInstanceOfSatisfying(BotApiException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(400);
                    assertThat(e.description()).isEqualTo(description);
                });
    }

    private static void assertEntitiesFail(String text, String singleQuotedEntities, String description) {
        assertThatThrownBy(() -> TextEntities.parse(text, null, node(singleQuotedEntities)))
                .isInstanceOfSatisfying(BotApiException.class, e -> assertThat(e.description()).isEqualTo(description));
    }

    /** The detected entities, each given by the part of the text it covers. */
    private static void assertDetected(String text, String... partsAndTypes) {
        List<String> expected = new ArrayList<>();
        int from = 0;
        for (int k = 0; k < partsAndTypes.length; k += 2) {
            int offset = text.indexOf(partsAndTypes[k], from);
            assertThat(offset).as("part %s", partsAndTypes[k]).isNotNegative();
            expected.add("{'offset':" + offset + ",'length':" + partsAndTypes[k].length() + ",'type':'"
                    + partsAndTypes[k + 1] + "'}");
            from = offset + 1;
        }
        assertThat(Json.text(TextEntities.detect(text))).isEqualTo(json("[" + String.join(",", expected) + "]"));
    }

    // ---- utf16Length ----

    @Test
    void utf16Length_countsSurrogatePairsAsTwo() {
        assertThat(TextEntities.utf16Length("a😀")).isEqualTo(3);
        assertThat(TextEntities.utf16Length("é")).isEqualTo(1);
        assertThat(TextEntities.utf16Length("")).isZero();
        assertThat(TextEntities.utf16Length(null)).isZero();
    }

    // ---- parse_mode handling ----

    @Test
    void parse_unsupportedParseMode_isRejected() {
        assertFails("x", "XML", "Bad Request: unsupported parse_mode");
    }

    @Test
    void parse_parseMode_isCaseInsensitive() {
        assertParsed("<b>x</b>", "html", "x", "[{'offset':0,'length':1,'type':'bold'}]");
        assertParsed("*x*", "MARKDOWNV2", "x", "[{'offset':0,'length':1,'type':'bold'}]");
        assertParsed("*x*", "markdown", "x", "[{'offset':0,'length':1,'type':'bold'}]");
    }

    @Test
    void parse_noParseMode_keepsTextAsIs() {
        for (String mode : new String[] {null, "", "None"}) {
            assertParsed("<b>*x*</b> 1.0", mode, "<b>*x*</b> 1.0", "[]");
        }
    }

    @Test
    void parse_emptyText_isNotParsed() {
        assertParsed("", "HTML", "", "[]");
        assertParsed("", "XML", "", "[]");
    }

    @Test
    void parse_parseModeGiven_ignoresEntities() {
        TextEntities.Parsed parsed = TextEntities.parse("*x*", "MarkdownV2", node("[{'type':'shiny'}]"));
        assertThat(entities(parsed)).isEqualTo(json("[{'offset':0,'length':1,'type':'bold'}]"));
    }

    // ---- HTML ----

    @Test
    void parse_htmlNestedTags_giveNestedEntities() {
        assertParsed("<b>bold <i>both</i></b> plain", "HTML", "bold both plain",
                "[{'offset':0,'length':9,'type':'bold'},{'offset':5,'length':4,'type':'italic'}]");
    }

    @Test
    void parse_htmlTagAliases_mapToTheirTypes() {
        assertParsed("<strong>a</strong><em>b</em><ins>c</ins><u>d</u><s>e</s><strike>f</strike><del>g</del>"
                        + "<tg-spoiler>h</tg-spoiler><span class=\"tg-spoiler\">i</span><B CLASS=x>j</b>",
                "HTML", "abcdefghij",
                "[{'offset':0,'length':1,'type':'bold'},{'offset':1,'length':1,'type':'italic'},"
                        + "{'offset':2,'length':1,'type':'underline'},{'offset':3,'length':1,'type':'underline'},"
                        + "{'offset':4,'length':1,'type':'strikethrough'},{'offset':5,'length':1,'type':'strikethrough'},"
                        + "{'offset':6,'length':1,'type':'strikethrough'},{'offset':7,'length':1,'type':'spoiler'},"
                        + "{'offset':8,'length':1,'type':'spoiler'},{'offset':9,'length':1,'type':'bold'}]");
    }

    @Test
    void parse_htmlWithEmoji_countsUtf16Units() {
        assertParsed("😀 <b>é😀x</b>", "HTML", "😀 é😀x", "[{'offset':3,'length':4,'type':'bold'}]");
    }

    @Test
    void parse_htmlEntities_areDecoded() {
        assertParsed("&lt;b&gt; &amp; &quot;q&quot; &#65;&#x42; &copy; &amp", "HTML",
                "<b> & \"q\" AB &copy; &", "[]");
        assertParsed("&#128512;&lt;<b>x</b>", "HTML", "😀<x", "[{'offset':3,'length':1,'type':'bold'}]");
    }

    @Test
    void parse_htmlLinks_areCheckedAndNormalised() {
        assertParsed("<a href=\"https://example.com/path?q=1\">one</a> <a href='t.me/durov'>two</a> "
                        + "<a href=\"nodot\">three</a> <a>telegram.org</a> <a href=\"https://Example.COM\">x</a>",
                "HTML", "one two three telegram.org x",
                "[{'offset':0,'length':3,'type':'text_link','url':'https://example.com/path?q=1'},"
                        + "{'offset':4,'length':3,'type':'text_link','url':'http://t.me/durov'},"
                        + "{'offset':14,'length':12,'type':'text_link','url':'http://telegram.org/'},"
                        + "{'offset':27,'length':1,'type':'text_link','url':'https://example.com/'}]");
    }

    @Test
    void parse_htmlPreWithCode_givesPreWithLanguage() {
        assertParsed("<pre><code class=\"language-python\">print(1)</code></pre>", "HTML", "print(1)",
                "[{'offset':0,'length':8,'type':'pre','language':'python'}]");
        assertParsed("<code class=\"language-c\"><pre>x</pre></code>", "HTML", "x",
                "[{'offset':0,'length':1,'type':'pre','language':'c'}]");
        assertParsed("<pre><code>x</code></pre>", "HTML", "x", "[{'offset':0,'length':1,'type':'pre'}]");
        assertParsed("<pre>a<b>b</b></pre> <code class=\"language-x\">c</code>", "HTML", "ab c",
                "[{'offset':0,'length':2,'type':'pre'},{'offset':3,'length':1,'type':'code'}]");
    }

    @Test
    void parse_htmlBlockquotes_includeExpandable() {
        assertParsed("<blockquote>q</blockquote><blockquote expandable>e</blockquote>", "HTML", "qe",
                "[{'offset':0,'length':1,'type':'blockquote'},{'offset':1,'length':1,'type':'expandable_blockquote'}]");
    }

    @Test
    void parse_htmlCustomEmoji_keepsItsIdentifier() {
        assertParsed("<tg-emoji emoji-id=\"5368324170671202286\">👍</tg-emoji>", "HTML", "👍",
                "[{'offset':0,'length':2,'type':'custom_emoji','custom_emoji_id':'5368324170671202286'}]");
    }

    @Test
    void parse_htmlEmptyTags_giveNoEntities() {
        assertParsed("<b></b>x<i></i>", "HTML", "x", "[]");
    }

    @Test
    void parse_htmlErrors_matchTelegram() {
        assertFails("<foo>x</foo>", "HTML", CANT_PARSE + "Unsupported start tag \"foo\" at byte offset 0");
        assertFails("😀<foo>", "HTML", CANT_PARSE + "Unsupported start tag \"foo\" at byte offset 4");
        assertFails("<b>x", "HTML", CANT_PARSE + "Can't find end tag corresponding to start tag \"b\"");
        assertFails("<b>x</i>", "HTML",
                CANT_PARSE + "Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\"");
        assertFails("x</b>", "HTML", CANT_PARSE + "Unexpected end tag at byte offset 1");
        assertFails("<span>x</span>", "HTML",
                CANT_PARSE + "Tag \"span\" must have class \"tg-spoiler\" at byte offset 0");
        assertFails("a <b", "HTML", CANT_PARSE + "Unclosed start tag at byte offset 2");
        assertFails("<b>a</b", "HTML", CANT_PARSE + "Unclosed end tag at byte offset 4");
        assertFails("<b =x>", "HTML", CANT_PARSE + "Empty attribute name in the tag \"b\" at byte offset 0");
        assertFails("<tg-emoji emoji-id=\"abc\">x</tg-emoji>", "HTML",
                CANT_PARSE + "Invalid custom emoji identifier specified");
        assertFails("&#55357;", "HTML", CANT_PARSE + "Text contains invalid Unicode characters after decoding "
                + "HTML entities, check for unmatched surrogate code units");
    }

    // ---- MarkdownV2 ----

    @Test
    void parse_markdownV2Styles_giveEntities() {
        assertParsed("*b* _i_ __u__ ~s~ ||p|| `c`", "MarkdownV2", "b i u s p c",
                "[{'offset':0,'length':1,'type':'bold'},{'offset':2,'length':1,'type':'italic'},"
                        + "{'offset':4,'length':1,'type':'underline'},{'offset':6,'length':1,'type':'strikethrough'},"
                        + "{'offset':8,'length':1,'type':'spoiler'},{'offset':10,'length':1,'type':'code'}]");
    }

    @Test
    void parse_markdownV2Nested_givesNestedEntities() {
        assertParsed("*bold _italic bold ~strike~_ end*", "MarkdownV2", "bold italic bold strike end",
                "[{'offset':0,'length':27,'type':'bold'},{'offset':5,'length':18,'type':'italic'},"
                        + "{'offset':17,'length':6,'type':'strikethrough'}]");
    }

    @Test
    void parse_markdownV2WithEmoji_countsUtf16Units() {
        assertParsed("🏟 🏟_🏟 __🏟___", "MarkdownV2", "🏟 🏟🏟 🏟",
                "[{'offset':5,'length':5,'type':'italic'},{'offset':8,'length':2,'type':'underline'}]");
    }

    @Test
    void parse_markdownV2Escapes_giveLiteralCharacters() {
        assertParsed("1\\.0 \\- done\\! \\*not bold\\* \\\\ \\a", "MarkdownV2", "1.0 - done! *not bold* \\ a", "[]");
    }

    @Test
    void parse_markdownV2UnescapedReservedCharacter_isRejected() {
        assertFails("Version 1.0", "MarkdownV2",
                CANT_PARSE + "Character '.' is reserved and must be escaped with the preceding '\\'");
        for (char c : "]()>#+-=|{}.!".toCharArray()) {
            assertFails("a" + c, "MarkdownV2",
                    CANT_PARSE + "Character '" + c + "' is reserved and must be escaped with the preceding '\\'");
        }
    }

    @Test
    void parse_markdownV2PreAndCode_allowReservedCharacters() {
        assertParsed("```python\nprint(1)\n```", "MarkdownV2", "print(1)\n",
                "[{'offset':0,'length':9,'type':'pre','language':'python'}]");
        assertParsed("```\n1.0 - ok!```", "MarkdownV2", "1.0 - ok!", "[{'offset':0,'length':9,'type':'pre'}]");
        assertParsed("`a\\`b.`", "MarkdownV2", "a`b.", "[{'offset':0,'length':4,'type':'code'}]");
    }

    @Test
    void parse_markdownV2Links_areCheckedAndNormalised() {
        assertParsed("[Tele](https://telegram.org) and [bad](nodot) [t\\.me](t.me/x\\)y)", "MarkdownV2",
                "Tele and bad t.me",
                "[{'offset':0,'length':4,'type':'text_link','url':'https://telegram.org/'},"
                        + "{'offset':13,'length':4,'type':'text_link','url':'http://t.me/x)y'}]");
        assertParsed("[telegram\\.org]", "MarkdownV2", "telegram.org",
                "[{'offset':0,'length':12,'type':'text_link','url':'http://telegram.org/'}]");
    }

    @Test
    void parse_markdownV2CustomEmoji_keepsItsIdentifier() {
        assertParsed("![👍](tg://emoji?id=5368324170671202286)", "MarkdownV2", "👍",
                "[{'offset':0,'length':2,'type':'custom_emoji','custom_emoji_id':'5368324170671202286'}]");
    }

    @Test
    void parse_markdownV2Blockquotes_spanQuotedLines() {
        assertParsed(">line1\n>line2\nafter", "MarkdownV2", "line1\nline2\nafter",
                "[{'offset':0,'length':12,'type':'blockquote'}]");
        assertParsed("**>abc\n>def||", "MarkdownV2", "abc\ndef",
                "[{'offset':0,'length':7,'type':'expandable_blockquote'}]");
        assertParsed(">asd\n>q||e||w||\nasdad", "MarkdownV2", "asd\nqew\nasdad",
                "[{'offset':0,'length':8,'type':'expandable_blockquote'},{'offset':5,'length':1,'type':'spoiler'}]");
    }

    @Test
    void parse_markdownV2Errors_matchTelegram() {
        assertFails("*bold", "MarkdownV2", CANT_PARSE + "Can't find end of Bold entity at byte offset 0");
        assertFails("😀 _x", "MarkdownV2", CANT_PARSE + "Can't find end of Italic entity at byte offset 5");
        assertFails("```\ncode", "MarkdownV2", CANT_PARSE + "Can't find end of Pre entity at byte offset 0");
        assertFails("[a](http://x.com", "MarkdownV2", CANT_PARSE + "Can't find end of a URL at byte offset 4");
        assertFails("![x]", "MarkdownV2", CANT_PARSE + "Custom emoji entity must contain a tg://emoji URL");
        assertFails("![x](http://e.com)", "MarkdownV2", CANT_PARSE + "Custom emoji URL must have scheme tg");
        assertFails("![x](tg://emoji?id=025)", "MarkdownV2", CANT_PARSE + "Invalid custom emoji identifier specified");
        assertFails(">*b\n>ld \n>bo\nld*\nasd", "MarkdownV2", CANT_PARSE + "Can't find end of Bold entity at byte offset 1");
    }

    // ---- legacy Markdown ----

    @Test
    void parse_markdownStyles_giveEntities() {
        assertParsed("*bold* _italic_ `code` [link](http://example.com) ```js\nx = 1```", "Markdown",
                "bold italic code link x = 1",
                "[{'offset':0,'length':4,'type':'bold'},{'offset':5,'length':6,'type':'italic'},"
                        + "{'offset':12,'length':4,'type':'code'},"
                        + "{'offset':17,'length':4,'type':'text_link','url':'http://example.com/'},"
                        + "{'offset':22,'length':5,'type':'pre','language':'js'}]");
    }

    @Test
    void parse_markdownPlainPunctuation_needsNoEscaping() {
        assertParsed("Version 1.0 - ok! (yes) #tag", "Markdown", "Version 1.0 - ok! (yes) #tag", "[]");
        assertParsed("\\*not bold\\* snake\\_case 😀*b*", "Markdown", "*not bold* snake_case 😀b",
                "[{'offset':24,'length':1,'type':'bold'}]");
    }

    @Test
    void parse_markdownUnclosedEntity_isRejected() {
        assertFails("*unclosed", "Markdown", CANT_PARSE + "Can't find end of the entity starting at byte offset 0");
        assertFails("😀 _x", "Markdown", CANT_PARSE + "Can't find end of the entity starting at byte offset 5");
    }

    // ---- explicit entities ----

    @Test
    void parse_givenEntities_areSortedAndNormalised() {
        TextEntities.Parsed parsed = TextEntities.parse("Hello world 😀!", null, node("["
                + "{'type':'italic','offset':6,'length':5},{'type':'bold','offset':0,'length':11},"
                + "{'type':'underline','offset':3,'length':0},{'type':'mention','offset':0,'length':5},"
                + "{'type':'text_link','offset':12,'length':2,'url':'Example.com'}]"));
        assertThat(parsed.text()).isEqualTo("Hello world 😀!");
        assertThat(entities(parsed)).isEqualTo(json("[{'offset':0,'length':11,'type':'bold'},"
                + "{'offset':6,'length':5,'type':'italic'},"
                + "{'offset':12,'length':2,'type':'text_link','url':'http://example.com/'}]"));
    }

    @Test
    void parse_givenEntities_keepTheirArguments() {
        TextEntities.Parsed parsed = TextEntities.parse("code 👍", null, node("["
                + "{'type':'pre','offset':0,'length':4,'language':'java'},"
                + "{'type':'custom_emoji','offset':5,'length':2,'custom_emoji_id':5368324170671202286}]"));
        assertThat(entities(parsed)).isEqualTo(json("[{'offset':0,'length':4,'type':'pre','language':'java'},"
                + "{'offset':5,'length':2,'type':'custom_emoji','custom_emoji_id':'5368324170671202286'}]"));
        TextEntities.Parsed mention = TextEntities.parse("Bob", null,
                node("[{'type':'text_mention','offset':0,'length':3,'user':{'id':42,'is_bot':false,'first_name':'Bob'}}]"));
        assertThat(entities(mention)).isEqualTo(json("[{'offset':0,'length':3,'type':'text_mention',"
                + "'user':{'id':42,'is_bot':false,'first_name':'Bob'}}]"));
    }

    @Test
    void parse_givenZeroLengthEntity_isDroppedEvenPastTheEnd() {
        assertThat(entities(TextEntities.parse("hi", null, node("[{'type':'bold','offset':10,'length':0}]"))))
                .isEqualTo("[]");
    }

    @Test
    void parse_givenEntityErrors_matchTelegram() {
        String entity = "Bad Request: can't parse MessageEntity: ";
        assertEntitiesFail("hello", "[{'type':'shiny','offset':0,'length':1}]", entity + "Unsupported type specified");
        assertEntitiesFail("hello", "[{'offset':0,'length':1}]", entity + "Can't find field \"type\"");
        assertEntitiesFail("hello", "[{'type':'','offset':0,'length':1}]", entity + "Type is not specified");
        assertEntitiesFail("hello", "[{'type':'bold','length':1}]", entity + "Can't find field \"offset\"");
        assertEntitiesFail("hello", "[{'type':'bold','offset':'x','length':1}]",
                entity + "Field \"offset\" must be a valid Number");
        assertEntitiesFail("hello", "['bold']", entity + "expected an Object");
        assertEntitiesFail("hello", "[{'type':'text_link','offset':0,'length':1}]", entity + "Can't find field \"url\"");
        assertEntitiesFail("hello", "[{'type':'custom_emoji','offset':0,'length':1,'custom_emoji_id':'x'}]",
                entity + "Field \"custom_emoji_id\" must be a valid Number");
        assertEntitiesFail("hello", "[{'type':'custom_emoji','offset':0,'length':1,'custom_emoji_id':'0'}]",
                "Bad Request: invalid custom emoji identifier specified");
        assertEntitiesFail("hello", "[{'type':'text_link','offset':0,'length':1,'url':'localhost'}]",
                "Bad Request: entity URL 'localhost' is invalid: Wrong HTTP URL");
        assertEntitiesFail("hello", "[{'type':'text_link','offset':0,'length':1,'url':'ftp://a.com'}]",
                "Bad Request: entity URL 'ftp://a.com' is invalid: Unsupported URL protocol");
        assertEntitiesFail("hello", "[{'type':'text_link','offset':0,'length':1,'url':''}]",
                "Bad Request: entity URL '' is invalid: URL host is empty");
        assertEntitiesFail("hello", "[{'type':'bold','offset':-1,'length':1}]",
                "Bad Request: receive an entity with incorrect offset -1");
        assertEntitiesFail("hello", "[{'type':'bold','offset':0,'length':-1}]",
                "Bad Request: receive an entity with incorrect length -1");
        assertEntitiesFail("hello", "[{'type':'bold','offset':100,'length':1}]",
                "Bad Request: entity begins after the end of the text at UTF-16 offset 100");
        assertEntitiesFail("hello", "[{'type':'bold','offset':0,'length':100}]",
                "Bad Request: entity beginning at UTF-16 offset 0 ends after the end of the text at UTF-16 offset 100");
    }

    // ---- detect ----

    @Test
    void detect_botCommands_withAndWithoutBotName() {
        assertDetected("/start and /help@my_bot now a/b", "/start", "bot_command", "/help@my_bot", "bot_command");
    }

    @Test
    void detect_mentionsAndEmails_areTold() {
        assertDetected("hi @username and @ab, mail@example.com @gif",
                "@username", "mention", "mail@example.com", "email", "@gif", "mention");
        assertDetected("write to john.doe+tag@mail.example.com.", "john.doe+tag@mail.example.com", "email");
    }

    @Test
    void detect_hashtagsAndCashtags_needLettersAndCapitals() {
        assertDetected("#tag #123 $USD $usd a#b #тег", "#tag", "hashtag", "$USD", "cashtag", "#тег", "hashtag");
    }

    @Test
    void detect_urls_needAKnownDomainWithoutProtocol() {
        assertDetected("see https://example.com/path?x=1. or t.me/channel, example.org and not.a.file.txt Hello.World",
                "https://example.com/path?x=1", "url", "t.me/channel", "url", "example.org", "url");
        assertDetected("http://my.internal", "http://my.internal", "url");
        assertDetected("v1.0 e.g. 10.0.0.1", "10.0.0.1", "url");
    }

    @Test
    void detect_overlappingEntities_keepTheOuterOne() {
        assertDetected("https://example.com/#tag/@user", "https://example.com/#tag/@user", "url");
    }

    @Test
    void detect_withEmoji_countsUtf16Units() {
        assertThat(Json.text(TextEntities.detect("😀 /start @username"))).isEqualTo(json(
                "[{'offset':3,'length':6,'type':'bot_command'},{'offset':10,'length':9,'type':'mention'}]"));
    }

    @Test
    void detect_plainText_findsNothing() {
        assertThat(Json.text(TextEntities.detect("hello world"))).isEqualTo("[]");
        assertThat(Json.text(TextEntities.detect(""))).isEqualTo("[]");
        assertThat(Json.text(TextEntities.detect(null))).isEqualTo("[]");
    }
}
