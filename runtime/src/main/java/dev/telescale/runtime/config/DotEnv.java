package dev.telescale.runtime.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@code .env} file: {@code NAME=value} lines, blank lines and {@code #} comments, an
 * optional {@code export } prefix, values optionally in single quotes (taken literally) or double
 * quotes ({@code \"}, {@code \\} and {@code \n} escapes); an unquoted value ends at a {@code #} after a space.
 * A later line wins over an earlier one. Problems name the line, never its content (it may be a
 * secret). Stateless.
 */
final class DotEnv {
    private static final Pattern INLINE_COMMENT = Pattern.compile("\\s#");
    private static final Pattern LINE = Pattern.compile("(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*)");

    record Contents(Map<String, String> values, List<String> problems) {
    }

    private DotEnv() {
    }

    static Contents read(Path file) {
        if (file == null || !Files.exists(file)) {
            return new Contents(Map.of(), List.of());
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return new Contents(Map.of(), List.of(file + ": cannot be read (" + e.getClass().getSimpleName() + ")"));
        }
        return parse(file.getFileName() == null ? file.toString() : file.getFileName().toString(), lines);
    }

    static Contents parse(String fileName, List<String> lines) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int index = 0; index < lines.size(); index++) {
            String line = lines.get(index).strip();
            if (index == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = fileName + " line " + (index + 1) + ": ";
            Matcher matcher = LINE.matcher(line);
            if (!matcher.matches()) {
                problems.add(where + "expected NAME=value (a name of letters, digits and _)");
                continue;
            }
            try {
                values.put(matcher.group(1), value(matcher.group(2)));
            } catch (IllegalArgumentException e) {
                problems.add(where + e.getMessage());
            }
        }
        return new Contents(values, problems);
    }

    private static String value(String text) {
        if (text.startsWith("'")) {
            int end = text.indexOf('\'', 1);
            if (end < 0) {
                throw new IllegalArgumentException("the value's single quote is not closed");
            }
            requireOnlyComment(text.substring(end + 1));
            return text.substring(1, end);
        }
        if (text.startsWith("\"")) {
            StringBuilder value = new StringBuilder();
            for (int i = 1; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '"') {
                    requireOnlyComment(text.substring(i + 1));
                    return value.toString();
                }
                if (c == '\\' && i + 1 < text.length()) {
                    char next = text.charAt(++i);
                    value.append(switch (next) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        default -> next;
                    });
                } else {
                    value.append(c);
                }
            }
            throw new IllegalArgumentException("the value's double quote is not closed");
        }
        Matcher comment = INLINE_COMMENT.matcher(text);
        return (comment.find() ? text.substring(0, comment.start()) : text).strip();
    }

    private static void requireOnlyComment(String rest) {
        String trimmed = rest.strip();
        if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
            throw new IllegalArgumentException("unexpected text after the quoted value");
        }
    }
}
