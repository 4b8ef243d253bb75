package dev.telescale.emulator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Telegram's message formatting as the Bot API server does it: the parse_mode parsers, the checks on
 * explicit entities, and the entities Telegram finds by itself in text users send. The parsers follow
 * TDLib's MessageEntity.cpp (parse_html, parse_markdown_v2, parse_markdown) byte for byte, so their
 * errors name UTF-8 byte offsets; entity offsets and lengths are UTF-16 code units.
 */
public final class TextEntities {
    /** Parsed text: the plain text and its MessageEntity objects (Jackson ArrayNode, possibly empty). */
    public record Parsed(String text, ArrayNode entities) {}

    private enum T {
        MENTION("mention", "Mention", 50), HASHTAG("hashtag", "Hashtag", 50), CASHTAG("cashtag", "Cashtag", 50),
        BOT_COMMAND("bot_command", "BotCommand", 50), URL("url", "Url", 50), EMAIL("email", "EmailAddress", 50),
        BOLD("bold", "Bold", 90), ITALIC("italic", "Italic", 91), UNDERLINE("underline", "Underline", 92),
        STRIKE("strikethrough", "Strikethrough", 93), SPOILER("spoiler", "Spoiler", 94), CODE("code", "Code", 20),
        PRE("pre", "Pre", 11), PRE_CODE("pre", "PreCode", 10), TEXT_URL("text_link", "TextUrl", 49),
        MENTION_NAME("text_mention", "MentionName", 49), CUSTOM_EMOJI("custom_emoji", "CustomEmoji", 99),
        BLOCKQUOTE("blockquote", "BlockQuote", 0), EXPANDABLE("expandable_blockquote", "ExpandableBlockQuote", 0);

        final String api;
        final String td;
        final int priority;

        T(String api, String td, int priority) {
            this.api = api;
            this.td = td;
            this.priority = priority;
        }

        boolean isPre() {
            return this == CODE || this == PRE || this == PRE_CODE;
        }
    }

    private record E(T type, int offset, int length, String arg, JsonNode user) {}

    /** TDLib's order: offset, then longer first, then type priority. */
    private static final Comparator<E> ORDER = Comparator.comparingInt(E::offset)
            .thenComparing(Comparator.comparingInt(E::length).reversed())
            .thenComparingInt(e -> e.type().priority);
    private static final Set<String> HTML_TAGS = Set.of("a", "b", "strong", "i", "em", "s", "strike", "del", "u",
            "ins", "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote");
    private static final Set<String> FOUND_TYPES = Set.of("mention", "hashtag", "cashtag", "bot_command", "url",
            "email", "phone_number", "bank_card_number");
    private static final Set<String> COMMON_TLDS = Set.copyOf(List.of(("com net org edu gov mil int info biz name pro mobi io co "
            + "me tv cc ws fm am ly to gg la ai app dev xyz online site tech store shop blog cloud club live news top "
            + "link space website page one world today fun art design games group media ltd agency email digital "
            + "network systems solutions team work moe eu asia ru su ua by kz uz kg tj tm az am ge md lt lv ee de fr uk "
            + "us ca au nz jp cn in br it es nl pl se no fi dk ch at be cz sk hu ro bg gr pt ie il tr ir ae sa eg za ng "
            + "ke mx ar cl pe ve co kr tw hk sg my id th vn ph pk bd lk is lu li mc рф рус укр бел").split(" ")));
    private static final Pattern URL_PATTERN = Pattern.compile("(?i)(?:(https?|ftp|tonsite)://)?"
            + "((?:[\\p{L}\\p{N}_~-]+\\.)+[\\p{L}\\p{N}_~-]+)(?::(\\d{1,5}))?([/?#][^\\s<>\"«»]*)?");
    private static final Pattern TG_URL_PATTERN =
            Pattern.compile("(?i)(?<![\\p{L}\\p{N}_])(?:tg|ton)://[a-z0-9_-]{1,253}([/?#][^\\s<>\"«»]*)?");
    private static final Pattern EMAIL_PATTERN = Pattern.compile("(?i)(?<![\\p{L}\\p{N}_.+@-])(?:mailto:)?"
            + "((?:[a-z0-9_-]{0,26}[.+]){0,10}[a-z0-9_-]{1,35}@(?:(?:[a-z0-9][a-z0-9_-]{0,28})?[a-z0-9]\\.){1,6}"
            + "[a-z]{2,8})(?![\\p{L}\\p{N}_-]|\\.[\\p{L}\\p{N}])");
    private static final String BAD_PATH_END = ".:;,('?!`";

    private TextEntities() {
    }

    /** Applies parse_mode ("HTML", "MarkdownV2", "Markdown", case-insensitive; null/empty/"none" = no parsing)
     *  or, when parse mode is absent, validates and normalises the given entities array. */
    public static Parsed parse(String text, String parseMode, JsonNode entitiesJson) {
        String source = text == null ? "" : text;
        String mode = parseMode == null ? "" : parseMode.toLowerCase(Locale.ROOT);
        // As the Bot API server: parse_mode wins over entities, and an empty text is never parsed.
        if (!source.isEmpty() && !mode.isEmpty() && !mode.equals("none")) {
            Buf buf = new Buf(source);
            switch (mode) {
                case "html" -> html(buf);
                case "markdownv2" -> markdownV2(buf);
                case "markdown" -> markdown(buf);
                default -> throw BotApiException.badRequest("unsupported parse_mode");
            }
            return new Parsed(new String(buf.out, 0, buf.size, StandardCharsets.UTF_8), toJson(normalise(buf.ents)));
        }
        return new Parsed(source, toJson(normalise(given(source, entitiesJson))));
    }

    /** Entities Telegram detects by itself in text a user sends: bot_command, mention, hashtag, cashtag, url, email. */
    public static ArrayNode detect(String text) {
        List<E> found = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return Json.array();
        }
        findMentionsAndCommands(text, found);
        findTags(text, found);
        findUrls(text, found);
        found.sort(ORDER);
        List<E> kept = new ArrayList<>();
        int lastEnd = 0;
        for (E e : found) { // find_entities keeps only non-intersecting entities
            if (e.offset() >= lastEnd) {
                kept.add(e);
                lastEnd = e.offset() + e.length();
            }
        }
        return toJson(kept);
    }

    /** Length of a string in UTF-16 code units (Telegram's offsets and lengths are in UTF-16 code units). */
    public static int utf16Length(String s) {
        return s == null ? 0 : s.length();
    }

    // ---- parse_mode parsers (TDLib parse_html, parse_markdown_v2, parse_markdown) ----

    /** The UTF-8 input, the UTF-8 output and the UTF-16 length of the output so far. */
    private static final class Buf {
        final byte[] in;
        final int n;
        byte[] out;
        int size;
        int u16;
        int mark;
        final List<E> ents = new ArrayList<>();

        Buf(String s) {
            in = s.getBytes(StandardCharsets.UTF_8);
            n = in.length;
            out = new byte[n + 16];
        }

        /** The byte at i, or 0 past the end, like TDLib reading a NUL-terminated string. */
        int at(int i) {
            return i < n ? in[i] & 0xff : 0;
        }

        void put(int c) {
            if (size == out.length) {
                out = Arrays.copyOf(out, size * 2 + 16);
            }
            out[size++] = (byte) c;
        }

        /** Copies one input byte, counting a UTF-16 unit per character start (two for 4-byte characters). */
        void copy(int c) {
            if ((c & 0xC0) != 0x80) {
                u16 += c >= 0xf0 ? 2 : 1;
            }
            put(c);
        }

        String in(int from, int to) {
            return new String(in, from, to - from, StandardCharsets.UTF_8);
        }

        void add(T type, int offset, String arg) {
            ents.add(new E(type, offset, u16 - offset, arg, null));
        }
    }

    private static void html(Buf s) {
        record Tag(String name, String arg, int offset, int pos) {}
        List<Tag> open = new ArrayList<>();
        boolean surrogate = false;
        for (int i = 0; i < s.n; i++) {
            int c = s.at(i);
            if (c == '&') {
                long code = htmlEntity(s, i);
                if (code != 0) {
                    s.u16 += code > 0xffff ? 2 : 1;
                    surrogate |= code >= 0xd800 && code <= 0xdfff;
                    for (byte b : utf8(code)) {
                        s.put(b);
                    }
                    i = s.mark - 1;
                    continue;
                }
            }
            if (c != '<') {
                s.copy(c);
                continue;
            }
            int begin = i++;
            if (s.at(i) != '/') {
                while (!isSpace(s.at(i)) && s.at(i) != '>') {
                    i++;
                }
                if (s.at(i) == 0) {
                    throw parseError("Unclosed start tag at byte offset " + begin);
                }
                String tag = lower(s.in(begin + 1, i));
                if (!HTML_TAGS.contains(tag)) {
                    throw parseError("Unsupported start tag \"" + tag + "\" at byte offset " + begin);
                }
                String arg = "";
                while (s.at(i) != '>') {
                    while (s.at(i) != 0 && isSpace(s.at(i))) {
                        i++;
                    }
                    if (s.at(i) == '>') {
                        break;
                    }
                    int nameBegin = i;
                    while (!isSpace(s.at(i)) && "=>/\"'".indexOf(s.at(i)) < 0) {
                        i++;
                    }
                    String name = s.in(nameBegin, i);
                    if (name.isEmpty()) {
                        throw parseError("Empty attribute name in the tag \"" + tag + "\" at byte offset " + begin);
                    }
                    while (s.at(i) != 0 && isSpace(s.at(i))) {
                        i++;
                    }
                    if (s.at(i) != '=') { // an attribute without a value
                        if (s.at(i) == 0) {
                            throw parseError("Unclosed start tag \"" + tag + "\" at byte offset " + begin);
                        }
                        arg = tag.equals("blockquote") && name.equals("expandable") ? "1" : arg;
                        continue;
                    }
                    i++;
                    while (s.at(i) != 0 && isSpace(s.at(i))) {
                        i++;
                    }
                    if (s.at(i) == 0) {
                        throw parseError("Unclosed start tag \"" + tag + "\" at byte offset " + begin);
                    }
                    String value;
                    if (s.at(i) != '\'' && s.at(i) != '"') { // a name token
                        int tokenBegin = i;
                        while (isAlnum(s.at(i)) || s.at(i) == '.' || s.at(i) == '-') {
                            i++;
                        }
                        value = lower(s.in(tokenBegin, i));
                        if (!isSpace(s.at(i)) && s.at(i) != '>') {
                            throw parseError("Unexpected end of name token at byte offset " + tokenBegin);
                        }
                    } else { // a string literal, with HTML entities decoded
                        int quote = s.at(i++);
                        ByteArrayOutputStream v = new ByteArrayOutputStream();
                        while (s.at(i) != quote && s.at(i) != 0) {
                            long code = s.at(i) == '&' ? htmlEntity(s, i) : 0;
                            if (code != 0) {
                                v.writeBytes(utf8(code));
                                i = s.mark;
                            } else {
                                v.write(s.at(i++));
                            }
                        }
                        if (s.at(i) == quote) {
                            i++;
                        }
                        value = v.toString(StandardCharsets.UTF_8);
                    }
                    if (s.at(i) == 0) {
                        throw parseError("Unclosed start tag at byte offset " + begin);
                    }
                    if (tag.equals("a") && name.equals("href") || tag.equals("tg-emoji") && name.equals("emoji-id")) {
                        arg = value;
                    } else if (tag.equals("code") && name.equals("class") && value.startsWith("language-")) {
                        arg = value.substring(9);
                    } else if (tag.equals("span") && name.equals("class") && value.startsWith("tg-")) {
                        arg = value.substring(3);
                    } else if (tag.equals("blockquote") && name.equals("expandable")) {
                        arg = "1";
                    }
                }
                if (tag.equals("span") && !arg.equals("spoiler")) {
                    throw parseError("Tag \"span\" must have class \"tg-spoiler\" at byte offset " + begin);
                }
                open.add(new Tag(tag, arg, s.u16, s.size));
            } else {
                if (open.isEmpty()) {
                    throw parseError("Unexpected end tag at byte offset " + begin);
                }
                while (!isSpace(s.at(i)) && s.at(i) != '>') {
                    i++;
                }
                String endTag = lower(s.in(begin + 2, i));
                while (isSpace(s.at(i)) && s.at(i) != 0) {
                    i++;
                }
                if (s.at(i) != '>') {
                    throw parseError("Unclosed end tag at byte offset " + begin);
                }
                Tag tag = open.remove(open.size() - 1);
                if (!endTag.isEmpty() && !endTag.equals(tag.name())) {
                    throw parseError("Unmatched end tag at byte offset " + begin + ", expected \"</" + tag.name()
                            + ">\", found \"</" + endTag + ">\"");
                }
                if (s.u16 > tag.offset()) {
                    closeHtmlTag(s, tag.name(), tag.arg(), tag.offset(), tag.pos());
                }
            }
        }
        if (!open.isEmpty()) {
            throw parseError("Can't find end tag corresponding to start tag \"" + open.get(open.size() - 1).name() + "\"");
        }
        if (surrogate) {
            throw parseError("Text contains invalid Unicode characters after decoding HTML entities, "
                    + "check for unmatched surrogate code units");
        }
    }

    private static void closeHtmlTag(Buf s, String tag, String arg, int offset, int pos) {
        E last = s.ents.isEmpty() ? null : s.ents.get(s.ents.size() - 1);
        boolean sameRange = last != null && last.offset() == offset && last.length() == s.u16 - offset;
        switch (tag) {
            case "i", "em" -> s.add(T.ITALIC, offset, null);
            case "b", "strong" -> s.add(T.BOLD, offset, null);
            case "s", "strike", "del" -> s.add(T.STRIKE, offset, null);
            case "u", "ins" -> s.add(T.UNDERLINE, offset, null);
            case "tg-spoiler", "span" -> s.add(T.SPOILER, offset, null);
            case "blockquote" -> s.add(arg.isEmpty() ? T.BLOCKQUOTE : T.EXPANDABLE, offset, null);
            case "tg-emoji" -> {
                Long id = strictLong(arg);
                if (id == null || id == 0) {
                    throw parseError("Invalid custom emoji identifier specified");
                }
                s.add(T.CUSTOM_EMOJI, offset, id.toString());
            }
            case "a" -> {
                String url = checkedLink(arg.isEmpty() ? new String(s.out, pos, s.size - pos, StandardCharsets.UTF_8) : arg);
                if (url != null) {
                    s.add(T.TEXT_URL, offset, url);
                }
            }
            case "pre" -> {
                if (sameRange && last.type() == T.CODE && !last.arg().isEmpty()) { // <code class="language-x"><pre>
                    s.ents.set(s.ents.size() - 1, new E(T.PRE_CODE, offset, last.length(), last.arg(), null));
                } else {
                    s.add(T.PRE, offset, null);
                }
            }
            default -> { // code
                if (sameRange && last.type() == T.PRE && !arg.isEmpty()) { // <pre><code class="language-x">
                    s.ents.set(s.ents.size() - 1, new E(T.PRE_CODE, offset, last.length(), arg, null));
                } else {
                    s.add(T.CODE, offset, arg);
                }
            }
        }
    }

    /** TDLib decode_html_entity at pos (an '&'): the code point, 0 when there is none; s.mark is set after it. */
    private static long htmlEntity(Buf s, int pos) {
        int end = pos + 1;
        long code = 0;
        if (s.at(pos + 1) == '#') {
            end++;
            if (s.at(pos + 2) == 'x') {
                end++;
                while (Character.digit(s.at(end), 16) >= 0) {
                    code = Math.min(code * 16 + Character.digit(s.at(end++), 16), Integer.MAX_VALUE);
                }
            } else {
                while (s.at(end) >= '0' && s.at(end) <= '9') {
                    code = Math.min(code * 10 + s.at(end++) - '0', Integer.MAX_VALUE);
                }
            }
            if (code == 0 || code >= 0x10ffff || end - pos >= 10) {
                return 0;
            }
        } else {
            while (isAlpha(s.at(end))) {
                end++;
            }
            code = switch (s.in(pos + 1, end)) {
                case "lt" -> '<';
                case "gt" -> '>';
                case "amp" -> '&';
                case "quot" -> '"';
                default -> 0;
            };
            if (code == 0) {
                return 0;
            }
        }
        s.mark = s.at(end) == ';' ? end + 1 : end;
        return code;
    }

    private static void markdownV2(Buf s) {
        record Open(T type, String arg, int offset, int bytePos, int pos) {}
        List<Open> open = new ArrayList<>();
        boolean haveQuote = false;
        boolean canStartQuote = true;
        for (int i = 0; i < s.n; i++) {
            int c = s.at(i);
            if (c == '\\' && s.at(i + 1) > 0 && s.at(i + 1) <= 126) {
                i++;
                s.u16++;
                s.put(s.at(i));
                canStartQuote = s.at(i) == '\r' ? canStartQuote : s.at(i) == '\n';
                continue;
            }
            Open top = open.isEmpty() ? null : open.get(open.size() - 1);
            String reserved = top != null && top.type().isPre() ? "`" : "_*[]()~`>#+-=|{}.!\n";
            if (c == 0 || c > 126 || reserved.indexOf(c) < 0) {
                if ((c & 0xC0) != 0x80 && c != '\r') {
                    canStartQuote = false;
                }
                s.copy(c);
                continue;
            }
            boolean isEnd = top != null && (haveQuote && c == '\n' && (i + 1 == s.n || s.at(i + 1) != '>')
                    || switch (top.type()) {
                        case BOLD -> c == '*';
                        case ITALIC -> c == '_' && s.at(i + 1) != '_';
                        case CODE -> c == '`';
                        case PRE, PRE_CODE -> c == '`' && s.at(i + 1) == '`' && s.at(i + 2) == '`';
                        case TEXT_URL, CUSTOM_EMOJI -> c == ']';
                        case UNDERLINE -> c == '_' && s.at(i + 1) == '_';
                        case STRIKE -> c == '~';
                        case SPOILER -> c == '|' && s.at(i + 1) == '|';
                        default -> false;
                    });
            if (!isEnd) { // the beginning of an entity
                int bytePos = i;
                String arg = "";
                T type;
                if (c == '_' && s.at(i + 1) == '_') {
                    type = T.UNDERLINE;
                    i++;
                } else if (c == '_' || c == '*' || c == '~' || c == '[') {
                    type = c == '_' ? T.ITALIC : c == '*' ? T.BOLD : c == '~' ? T.STRIKE : T.TEXT_URL;
                } else if (c == '|' && s.at(i + 1) == '|' || c == '!' && s.at(i + 1) == '[') {
                    type = c == '|' ? T.SPOILER : T.CUSTOM_EMOJI;
                    i++;
                } else if (c == '`' && s.at(i + 1) == '`' && s.at(i + 2) == '`') {
                    i += 3;
                    type = T.PRE;
                    int langEnd = i;
                    while (!isSpace(s.at(langEnd)) && s.at(langEnd) != '`') {
                        langEnd++;
                    }
                    if (i != langEnd && langEnd < s.n && s.at(langEnd) != '`') {
                        type = T.PRE_CODE;
                        arg = s.in(i, langEnd);
                        i = langEnd;
                    }
                    i = skipNewLine(s, i) - 1;
                } else if (c == '`') {
                    type = T.CODE;
                } else if (c == '\n') {
                    s.copy('\n');
                    canStartQuote = true;
                    continue;
                } else if (c == '>' && canStartQuote) {
                    if (haveQuote) {
                        continue; // a further line of the quote
                    }
                    type = T.BLOCKQUOTE;
                    haveQuote = true;
                } else {
                    throw parseError("Character '" + (char) c + "' is reserved and must be escaped with the preceding '\\'");
                }
                open.add(new Open(type, arg, s.u16, bytePos, s.size));
                continue;
            }
            T type = top.type();
            if (c == '\n' && type != T.BLOCKQUOTE) {
                // only "||" right before the line end of a quote, which makes it expandable, ends here
                boolean quoteEnd = type == T.SPOILER && (top.bytePos() == i - 2
                        || top.bytePos() == i - 3 && s.size != 0 && s.out[s.size - 1] == '\r');
                if (!quoteEnd) {
                    throw missingEnd(top.type(), top.bytePos());
                }
                open.remove(open.size() - 1);
                top = open.get(open.size() - 1);
                if (top.type() != T.BLOCKQUOTE) {
                    throw missingEnd(top.type(), top.bytePos());
                }
                type = T.EXPANDABLE;
            }
            String arg = top.arg();
            boolean skip = s.u16 == top.offset();
            switch (type) {
                case UNDERLINE, SPOILER -> i++;
                case PRE, PRE_CODE -> i += 2;
                case TEXT_URL -> {
                    String url;
                    if (s.at(i + 1) != '(') { // the text is the link
                        url = new String(s.out, top.pos(), s.size - top.pos(), StandardCharsets.UTF_8);
                    } else {
                        url = readUrl(s, i += 2, "Can't find end of a URL at byte offset ");
                        i = s.mark;
                    }
                    arg = checkedLink(url);
                    skip |= arg == null;
                }
                case CUSTOM_EMOJI -> {
                    if (s.at(i + 1) != '(') {
                        throw parseError("Custom emoji entity must contain a tg://emoji URL");
                    }
                    String url = readUrl(s, i += 2, "Can't find end of a custom emoji URL at byte offset ");
                    i = s.mark;
                    arg = customEmojiId(url);
                }
                case BLOCKQUOTE, EXPANDABLE -> {
                    haveQuote = false;
                    s.copy(c);
                    canStartQuote = true;
                    skip = false;
                }
                default -> {
                }
            }
            if (!skip) {
                s.add(type, top.offset(), arg);
            }
            open.remove(open.size() - 1);
        }
        if (haveQuote) {
            T type = T.BLOCKQUOTE;
            Open top = open.get(open.size() - 1);
            if (top.type() == T.SPOILER && top.bytePos() == s.n - 2) { // "||" ending the text ends the quote
                open.remove(open.size() - 1);
                type = T.EXPANDABLE;
                top = open.get(open.size() - 1);
            }
            if (top.type() == T.BLOCKQUOTE) {
                if (s.u16 != top.offset()) {
                    s.add(type, top.offset(), null);
                }
                open.remove(open.size() - 1);
            }
        }
        if (!open.isEmpty()) {
            Open top = open.get(open.size() - 1);
            throw missingEnd(top.type(), top.bytePos());
        }
    }

    /** Reads a MarkdownV2 link target from i up to its ')', undoing escapes; s.mark is set to the ')'. */
    private static String readUrl(Buf s, int i, String missingEnd) {
        int begin = i;
        ByteArrayOutputStream url = new ByteArrayOutputStream();
        while (i < s.n && s.at(i) != ')') {
            if (s.at(i) == '\\' && s.at(i + 1) > 0 && s.at(i + 1) <= 126) {
                url.write(s.at(i + 1));
                i += 2;
            } else {
                url.write(s.at(i++));
            }
        }
        if (s.at(i) != ')') {
            throw parseError(missingEnd + begin);
        }
        s.mark = i;
        return url.toString(StandardCharsets.UTF_8);
    }

    /** Skips one new line ("\n", "\r", "\r\n" or "\n\r") at the beginning of a pre block. */
    private static int skipNewLine(Buf s, int i) {
        if (s.at(i) == '\n' || s.at(i) == '\r') {
            boolean pair = (s.at(i + 1) == '\n' || s.at(i + 1) == '\r') && s.at(i) != s.at(i + 1);
            return i + (pair ? 2 : 1);
        }
        return i;
    }

    private static void markdown(Buf s) {
        for (int i = 0; i < s.n; i++) {
            int c = s.at(i);
            int next = s.at(i + 1);
            if (c == '\\' && (next == '_' || next == '*' || next == '`' || next == '[')) {
                s.copy(s.at(++i));
                continue;
            }
            if (c != '_' && c != '*' && c != '`' && c != '[') {
                s.copy(c);
                continue;
            }
            int begin = i++;
            int endChar = c == '[' ? ']' : c;
            boolean pre = false;
            String language = "";
            if (c == '`' && s.at(i) == '`' && s.at(i + 1) == '`') {
                i += 2;
                pre = true;
                int langEnd = i;
                while (!isSpace(s.at(langEnd)) && s.at(langEnd) != '`') {
                    langEnd++;
                }
                if (i != langEnd && langEnd < s.n && s.at(langEnd) != '`') {
                    language = s.in(i, langEnd);
                    i = langEnd;
                }
                i = skipNewLine(s, i);
            }
            int offset = s.u16;
            while (i < s.n && (s.at(i) != endChar || pre && !(s.at(i + 1) == '`' && s.at(i + 2) == '`'))) {
                s.copy(s.at(i++));
            }
            if (i >= s.n) {
                throw parseError("Can't find end of the entity starting at byte offset " + begin);
            }
            if (offset != s.u16) {
                switch (c) {
                    case '_' -> s.add(T.ITALIC, offset, null);
                    case '*' -> s.add(T.BOLD, offset, null);
                    case '[' -> {
                        String url;
                        if (s.at(i + 1) != '(') {
                            url = s.in(begin + 1, i);
                        } else {
                            i += 2;
                            int urlBegin = i;
                            while (i < s.n && s.at(i) != ')') {
                                i++;
                            }
                            url = s.in(urlBegin, i);
                        }
                        String checked = checkedLink(url);
                        if (checked != null) {
                            s.add(T.TEXT_URL, offset, checked);
                        }
                    }
                    default -> s.add(pre ? (language.isEmpty() ? T.PRE : T.PRE_CODE) : T.CODE, offset, language);
                }
            }
            if (pre) {
                i += 2;
            }
        }
    }

    // ---- explicit entities (Bot API get_text_entity, TDLib get_message_entities and fix_formatted_text) ----

    private static List<E> given(String text, JsonNode json) {
        List<E> list = new ArrayList<>();
        if (json == null || !json.isArray()) {
            return list;
        }
        for (JsonNode node : json) {
            if (!node.isObject()) {
                throw entityError("expected an Object");
            }
            int offset = intField(node, "offset");
            int length = intField(node, "length");
            String type = stringField(node, "type", true);
            if (type.isEmpty()) {
                throw entityError("Type is not specified");
            }
            if (FOUND_TYPES.contains(type)) {
                continue; // Telegram finds these by itself
            }
            T t = Arrays.stream(T.values()).filter(v -> v.api.equals(type) && v != T.PRE_CODE).findFirst()
                    .orElseThrow(() -> entityError("Unsupported type specified"));
            String arg = null;
            JsonNode user = null;
            if (t == T.PRE) {
                arg = stringField(node, "language", false);
                t = arg.isEmpty() ? T.PRE : T.PRE_CODE;
            } else if (t == T.TEXT_URL) {
                String url = stringField(node, "url", true);
                try {
                    arg = checkLink(url);
                } catch (IllegalArgumentException e) {
                    throw tdError("Entity URL '" + url + "' is invalid: " + e.getMessage());
                }
            } else if (t == T.CUSTOM_EMOJI) {
                JsonNode id = node.get("custom_emoji_id");
                Long value = id == null ? null : id.isIntegralNumber() && id.canConvertToLong() ? (Long) id.asLong()
                        : id.isTextual() ? strictLong(id.asText()) : null;
                if (value == null) {
                    throw entityError(id == null ? "Can't find field \"custom_emoji_id\""
                            : "Field \"custom_emoji_id\" must be a valid Number");
                }
                if (value == 0) {
                    throw tdError("Invalid custom emoji identifier specified");
                }
                arg = value.toString();
            } else if (t == T.MENTION_NAME) {
                user = node.get("user");
                if (user == null || !user.isObject() || !user.has("id")) {
                    throw entityError(user == null ? "Can't find field \"user\"" : "Field \"user\" must be of type Object");
                }
            }
            list.add(new E(t, offset, length, arg, user));
        }
        for (E e : list) {
            if (e.offset() < 0 || e.offset() > 1_000_000) {
                throw tdError("Receive an entity with incorrect offset " + e.offset());
            }
            if (e.length() < 0 || e.length() > 1_000_000) {
                throw tdError("Receive an entity with incorrect length " + e.length());
            }
        }
        list.removeIf(e -> e.length() == 0);
        list.sort(ORDER);
        int textLength = text.length();
        for (E e : list) {
            if (e.offset() > textLength) {
                throw tdError("Entity begins after the end of the text at UTF-16 offset " + e.offset());
            }
        }
        for (int k = list.size() - 1; k >= 0; k--) {
            E e = list.get(k);
            if (e.offset() + e.length() > textLength) {
                throw tdError("Entity beginning at UTF-16 offset " + e.offset()
                        + " ends after the end of the text at UTF-16 offset " + (e.offset() + e.length()));
            }
        }
        return list;
    }

    private static int intField(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null) {
            throw entityError("Can't find field \"" + name + "\"");
        }
        Long result = value.isIntegralNumber() && value.canConvertToLong() ? (Long) value.asLong()
                : value.isTextual() ? strictLong(value.asText()) : null;
        if (!value.isNumber() && !value.isTextual()) {
            throw entityError("Field \"" + name + "\" must be of type Number");
        }
        if (result == null || result != result.intValue()) {
            throw entityError("Field \"" + name + "\" must be a valid Number");
        }
        return result.intValue();
    }

    private static String stringField(JsonNode node, String name, boolean required) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull() && !required) {
            if (required) {
                throw entityError("Can't find field \"" + name + "\"");
            }
            return "";
        }
        if (!value.isTextual() && !value.isNumber()) {
            throw entityError("Field \"" + name + "\" must be of type String");
        }
        return value.asText();
    }

    /** Sorts, drops empty entities and those inside code and pre blocks, which can't contain others. */
    private static List<E> normalise(List<E> entities) {
        List<E> sorted = new ArrayList<>(entities);
        sorted.sort(ORDER);
        List<E> result = new ArrayList<>();
        int preEnd = -1;
        for (E e : sorted) {
            if (e.length() <= 0 || e.offset() < preEnd) {
                continue;
            }
            result.add(e);
            if (e.type().isPre()) {
                preEnd = e.offset() + e.length();
            }
        }
        return result;
    }

    private static ArrayNode toJson(List<E> entities) {
        ArrayNode array = Json.array();
        for (E e : entities) {
            ObjectNode o = array.addObject();
            o.put("offset", e.offset());
            o.put("length", e.length());
            o.put("type", e.type().api);
            switch (e.type()) {
                case TEXT_URL -> o.put("url", e.arg());
                case PRE_CODE -> o.put("language", e.arg());
                case CUSTOM_EMOJI -> o.put("custom_emoji_id", e.arg());
                case MENTION_NAME -> o.set("user", e.user());
                default -> {
                }
            }
        }
        return array;
    }

    // ---- links (TDLib LinkManager::check_link and parse_url) ----

    private static String checkedLink(String link) {
        try {
            return checkLink(link);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The normalised link ("telegram.org" becomes "http://telegram.org/"); throws with TDLib's reason. */
    private static String checkLink(String link) {
        boolean tg = lower(link).startsWith("tg:");
        boolean ton = !tg && lower(link).startsWith("ton:");
        String rest = tg ? link.substring(3) : ton ? link.substring(4) : link;
        if ((tg || ton) && rest.startsWith("//")) {
            rest = rest.substring(2);
        }
        String protocol = "http";
        int hostStart = 0;
        int protocolEnd = indexOfAny(rest, ":/?#@[]", 0);
        if (rest.startsWith("://", protocolEnd)) {
            protocol = lower(rest.substring(0, protocolEnd));
            if (!protocol.equals("http") && !protocol.equals("https")) {
                throw new IllegalArgumentException("Unsupported URL protocol");
            }
            hostStart = protocolEnd + 3;
        }
        int queryStart = indexOfAny(rest, "/?#", hostStart);
        String userinfoHostPort = rest.substring(hostStart, queryStart);
        int colon = userinfoHostPort.length() - 1;
        while (colon > 0 && ":]@".indexOf(userinfoHostPort.charAt(colon)) < 0) {
            colon--;
        }
        int port = 0;
        String userinfoHost = userinfoHostPort;
        if (colon > 0 && userinfoHostPort.charAt(colon) == ':') {
            String digits = userinfoHostPort.substring(colon + 1).replaceFirst("^0+(?=.)", "");
            Long parsed = strictLong(digits);
            port = parsed == null || parsed <= 0 || parsed > 65535 ? -1 : parsed.intValue();
            userinfoHost = userinfoHostPort.substring(0, colon);
        }
        if (port < 0) {
            throw new IllegalArgumentException("Wrong port number specified in the URL");
        }
        int at = userinfoHost.lastIndexOf('@');
        String userinfo = at < 0 ? "" : userinfoHost.substring(0, at);
        String host = lower(userinfoHost.substring(at + 1));
        boolean ipv6 = host.length() > 1 && host.startsWith("[") && host.endsWith("]");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("URL host is empty");
        }
        if (host.equals(".")) {
            throw new IllegalArgumentException("Host is invalid");
        }
        for (int k = 0; k < host.length(); k++) {
            char c = host.charAt(k);
            boolean ok = ipv6 ? k == 0 || k == host.length() - 1 || ":.".indexOf(c) >= 0 || Character.digit(c, 16) >= 0
                    : c >= 128 || isAlnum(c) || ".-_!$,~*'();&+=".indexOf(c) >= 0
                            || c == '%' && k + 2 < host.length() && Character.digit(host.charAt(k + 1), 16) >= 0
                                    && Character.digit(host.charAt(k + 2), 16) >= 0;
            if (!ok) {
                throw new IllegalArgumentException(ipv6 ? "Wrong IPv6 URL host"
                        : c == '%' ? "Wrong percent-encoded symbol in URL host" : "Wrong URL host");
            }
            k += c == '%' && !ipv6 ? 2 : 0;
        }
        StringBuilder query = new StringBuilder(rest.substring(queryStart).stripTrailing());
        if (query.isEmpty() || query.charAt(0) != '/') {
            query.insert(0, '/');
        }
        for (int k = query.length() - 1; k >= 0; k--) {
            if (query.charAt(k) <= 0x20) {
                query.replace(k, k + 1, String.format("%%%02X", (int) query.charAt(k)));
            }
        }
        if (tg || ton) {
            if (lower(rest).startsWith("http://") || protocol.equals("https") || !userinfo.isEmpty() || port != 0 || ipv6) {
                throw new IllegalArgumentException(tg ? "Wrong tg URL" : "Wrong ton URL");
            }
            if (!host.chars().allMatch(c -> isAlnum(c) || c == '-' || c == '_')) {
                throw new IllegalArgumentException("Unallowed characters in URL host");
            }
            String q = query.length() > 1 && query.charAt(1) == '?' ? query.substring(1) : query.toString();
            return (tg ? "tg" : "ton") + "://" + host + q;
        }
        if (host.indexOf('.') < 0 && !ipv6) {
            throw new IllegalArgumentException("Wrong HTTP URL");
        }
        return protocol + "://" + (userinfo.isEmpty() ? "" : userinfo + "@") + host + (port > 0 ? ":" + port : "") + query;
    }

    /** LinkManager::get_link_custom_emoji_id for "tg://emoji?id=N"; the identifier as a decimal string. */
    private static String customEmojiId(String link) {
        String url = lower(link);
        if (!url.startsWith("tg:")) {
            throw parseError("Custom emoji URL must have scheme tg");
        }
        url = url.substring(3);
        url = url.startsWith("//") ? url.substring(2) : url;
        if (!url.startsWith("emoji") || url.length() > 5 && "/?#".indexOf(url.charAt(5)) < 0) {
            throw parseError("Custom emoji URL must have host \"emoji\"");
        }
        url = url.substring(5);
        url = url.startsWith("/") ? url.substring(1) : url;
        if (!url.startsWith("?")) {
            throw parseError("Custom emoji URL must have an emoji identifier");
        }
        url = url.substring(1).split("#", -1)[0];
        for (String parameter : url.split("&")) {
            if (parameter.equals("id") || parameter.startsWith("id=")) {
                Long id = strictLong(parameter.substring(Math.min(3, parameter.length())));
                if (id == null || id == 0) {
                    throw parseError("Invalid custom emoji identifier specified");
                }
                return id.toString();
            }
        }
        throw parseError("Custom emoji URL must have an emoji identifier");
    }

    // ---- entities found in user text (TDLib find_entities, simplified for URLs) ----

    private static void findMentionsAndCommands(String s, List<E> found) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '@' && c != '/') {
                continue;
            }
            int prev = i > 0 ? s.codePointBefore(i) : 0;
            if (isWordChar(prev) || c == '/' && (prev == '/' || prev == '<' || prev == '>')) {
                continue;
            }
            int end = wordEnd(s, i + 1);
            int size = end - i - 1;
            if (c == '@') {
                String name = lower(s.substring(i + 1, end));
                boolean shortOk = size >= 4 || name.equals("gif") || name.equals("vid") || name.equals("pic");
                if (size >= 2 && size <= 32 && shortOk && !isWordChar(end < s.length() ? s.codePointAt(end) : 0)) {
                    found.add(new E(T.MENTION, i, end - i, null, null));
                }
                continue;
            }
            if (size < 1 || size > 64) {
                continue;
            }
            if (end < s.length() && s.charAt(end) == '@') {
                int botEnd = wordEnd(s, end + 1);
                if (botEnd - end - 1 < 3 || botEnd - end - 1 > 32) {
                    continue;
                }
                end = botEnd;
            }
            int next = end < s.length() ? s.codePointAt(end) : 0;
            if (!isWordChar(next) && next != '/' && next != '<' && next != '>') {
                found.add(new E(T.BOT_COMMAND, i, end - i, null, null));
            }
        }
    }

    private static void findTags(String s, List<E> found) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int prev = i > 0 ? s.codePointBefore(i) : 0;
            if (c == '#' && !isHashtagLetter(prev)) {
                int j = i + 1;
                int count = 0;
                int end = -1;
                boolean letter = false;
                while (j < s.length() && isHashtagLetter(s.codePointAt(j))) {
                    int cp = s.codePointAt(j);
                    j += Character.charCount(cp);
                    end = count == 255 ? j : end;
                    if (count != 256) {
                        letter |= Character.isLetter(cp);
                        count++;
                    }
                }
                if (count >= 1 && letter && !(j < s.length() && s.charAt(j) == '#')) {
                    found.add(new E(T.HASHTAG, i, (end < 0 ? j : end) - i, null, null));
                }
            } else if (c == '$' && !isHashtagLetter(prev) && prev != '$') {
                int j = i + 1;
                if (s.startsWith("1INCH", j)) {
                    j += 5;
                } else {
                    while (j < s.length() && s.charAt(j) >= 'A' && s.charAt(j) <= 'Z') {
                        j++;
                    }
                }
                int next = j < s.length() ? s.codePointAt(j) : 0;
                if (j - i - 1 >= 1 && j - i - 1 <= 8 && !isHashtagLetter(next) && next != '$') {
                    found.add(new E(T.CASHTAG, i, j - i, null, null));
                }
            }
        }
    }

    private static void findUrls(String s, List<E> found) {
        Matcher email = EMAIL_PATTERN.matcher(s);
        while (email.find()) {
            found.add(new E(T.EMAIL, email.start(1), email.end(1) - email.start(1), null, null));
        }
        Matcher tg = TG_URL_PATTERN.matcher(s);
        while (tg.find()) {
            int end = tg.end();
            while (tg.group(1) != null && end > tg.start(1) + 1 && BAD_PATH_END.indexOf(s.charAt(end - 1)) >= 0) {
                end--;
            }
            end = tg.group(1) != null && tg.group(1).charAt(0) != '/' && end == tg.start(1) + 1 ? tg.start(1) : end;
            found.add(new E(T.URL, tg.start(), end - tg.start(), null, null));
        }
        Matcher m = URL_PATTERN.matcher(s);
        while (m.find()) {
            boolean protocol = m.group(1) != null;
            int prev = m.start() > 0 ? s.codePointBefore(m.start()) : 0;
            if (!protocol && (isWordChar(prev) || prev == '/' || prev == '#' || prev == '@' || prev == '.')) {
                continue;
            }
            int end = m.end(2);
            boolean portOk = m.group(3) == null || Integer.parseInt(m.group(3)) <= 65535;
            if (m.group(3) != null && portOk) {
                end = m.end(3);
            }
            if (m.group(4) != null && portOk) {
                String path = m.group(4);
                int[] balance = new int[3];
                int k = 0;
                for (; k < path.length(); k++) {
                    int which = "([{".indexOf(path.charAt(k));
                    int close = ")]}".indexOf(path.charAt(k));
                    if (which >= 0) {
                        balance[which]++;
                    } else if (close >= 0 && --balance[close] < 0) {
                        break;
                    }
                }
                while (k > 0 && BAD_PATH_END.indexOf(path.charAt(k - 1)) >= 0) {
                    k--;
                }
                if (path.charAt(0) == '/' || k > 1) {
                    end = m.start(4) + k;
                }
            }
            if (isValidDomain(m.group(2), protocol)) {
                found.add(new E(T.URL, m.start(), end - m.start(), null, null));
            }
        }
    }

    /** TDLib fix_url's checks on the domain; a known top-level domain is needed without a protocol. */
    private static boolean isValidDomain(String domain, boolean protocol) {
        String[] parts = domain.split("\\.", -1);
        boolean ipv4 = parts.length == 4;
        for (String part : parts) {
            if (part.isEmpty() || part.length() >= 64 || part.endsWith("-")) {
                return false;
            }
            ipv4 &= part.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
        }
        if (ipv4) {
            return true;
        }
        String tld = parts[parts.length - 1];
        if (tld.chars().allMatch(Character::isDigit) || tld.codePointCount(0, tld.length()) <= 1
                || tld.contains("_") || tld.contains("-") && !tld.startsWith("xn--")) {
            return false;
        }
        String lowerTld = tld.toLowerCase(Locale.ROOT);
        boolean capitalised = !lowerTld.equals(tld) && lowerTld.substring(1).equals(tld.substring(1)); // "Hello.World"
        if (!protocol && !tld.startsWith("xn--") && (capitalised || !COMMON_TLDS.contains(lowerTld))) {
            return false;
        }
        return !parts[parts.length - 2].contains("_");
    }

    // ---- small helpers ----

    private static BotApiException parseError(String detail) {
        return BotApiException.badRequest("can't parse entities: " + detail);
    }

    private static BotApiException entityError(String detail) {
        return BotApiException.badRequest("can't parse MessageEntity: " + detail);
    }

    private static BotApiException missingEnd(T type, int bytePos) {
        return parseError("Can't find end of " + type.td + " entity at byte offset " + bytePos);
    }

    /** A TDLib error as the Bot API words it: the first letter lowercased, unless the word is in capitals. */
    private static BotApiException tdError(String message) {
        boolean capitals = message.length() > 1 && Character.isUpperCase(message.charAt(1));
        return BotApiException.badRequest(capitals ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1));
    }

    /** TDLib to_integer_safe: the decimal number exactly as written, or null. */
    private static Long strictLong(String s) {
        try {
            long value = Long.parseLong(s);
            return Long.toString(value).equals(s) ? value : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static byte[] utf8(long cp) {
        if (cp < 0x80) {
            return new byte[] {(byte) cp};
        }
        if (cp < 0x800) {
            return new byte[] {(byte) (0xC0 | cp >> 6), (byte) (0x80 | cp & 0x3F)};
        }
        if (cp < 0x10000) {
            return new byte[] {(byte) (0xE0 | cp >> 12), (byte) (0x80 | cp >> 6 & 0x3F), (byte) (0x80 | cp & 0x3F)};
        }
        return new byte[] {(byte) (0xF0 | cp >> 18), (byte) (0x80 | cp >> 12 & 0x3F), (byte) (0x80 | cp >> 6 & 0x3F),
            (byte) (0x80 | cp & 0x3F)};
    }

    private static int indexOfAny(String s, String chars, int from) {
        for (int k = from; k < s.length(); k++) {
            if (chars.indexOf(s.charAt(k)) >= 0) {
                return k;
            }
        }
        return s.length();
    }

    private static int wordEnd(String s, int from) {
        int end = from;
        while (end < s.length() && (isAlnum(s.charAt(end)) || s.charAt(end) == '_')) {
            end++;
        }
        return end;
    }

    /** TDLib is_space: also true for the NUL past the end of the text. */
    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0 || c == 0x0B;
    }

    private static boolean isAlpha(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean isAlnum(int c) {
        return isAlpha(c) || c >= '0' && c <= '9';
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static boolean isWordChar(int cp) {
        int type = Character.getType(cp);
        return cp == '_' || Character.isLetter(cp) || type == Character.DECIMAL_DIGIT_NUMBER
                || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    private static boolean isHashtagLetter(int cp) {
        return cp == '_' || cp == 0x200c || cp == 0xb7 || cp >= 0xd80 && cp <= 0xdff || Character.isLetter(cp)
                || Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER;
    }
}
