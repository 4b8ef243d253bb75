package dev.telescale.runtime.webapp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The address of the client behind a request, as far as it can be trusted (TRUSTED_PROXIES).
 *
 * <p>X-Forwarded-For is a list every proxy appends its peer to, so only its right end is
 * trustworthy: the entry a trusted proxy added. The walk therefore starts at the direct peer and
 * goes from right to left while the address at hand is a trusted proxy; the first untrusted
 * address is the client. A peer that is not a trusted proxy is itself the client and its header is
 * ignored, or any client could name itself whatever address it likes. An entry that is not an
 * address ends the walk at the last good address (the trusted proxy that passed it on): nothing
 * left of garbage can be trusted.
 *
 * <p>Addresses are parsed as literals only, never looked up in DNS, and returned normalised:
 * IPv4 in dotted decimal, IPv4-mapped IPv6 ({@code ::ffff:1.2.3.4}) as its IPv4 address, other IPv6
 * in RFC 5952 form (lower case, no leading zeros, the longest run of zero groups as {@code ::}).
 * Brackets, a port ({@code [::1]:443}, {@code 1.2.3.4:5678}) and an IPv6 zone ({@code %eth0}) are
 * accepted in the peer and the header and dropped. Immutable and thread-safe.
 */
public final class ClientAddresses {
    private static final String EXAMPLES = "e.g. 10.0.0.1, 10.0.0.0/8, fd00::/8";

    private final List<Network> trusted;

    /**
     * @param trustedProxies IPv4 or IPv6 addresses and CIDRs of the proxies whose X-Forwarded-For is
     *                       believed; empty: never believed
     * @throws IllegalArgumentException naming the first entry that is neither
     */
    public ClientAddresses(List<String> trustedProxies) {
        List<Network> networks = new ArrayList<>();
        for (String proxy : trustedProxies) {
            Parsed parsed = parseNetwork(proxy);
            if (parsed.problem() != null) {
                throw new IllegalArgumentException("trusted proxy " + parsed.problem());
            }
            networks.add(parsed.network());
        }
        this.trusted = List.copyOf(networks);
    }

    /**
     * What is wrong with one TRUSTED_PROXIES entry, as one line quoting the entry, or empty when it
     * is an IPv4 or IPv6 address or CIDR.
     */
    public static Optional<String> problemWith(String proxy) {
        return Optional.ofNullable(parseNetwork(proxy).problem());
    }

    /**
     * The client's address.
     *
     * @param remoteAddress the direct peer of the connection
     * @param xForwardedFor the X-Forwarded-For header (several headers joined by commas); may be null
     * @return the normalised address of the client; {@code remoteAddress} unchanged if it is not an
     * IP address (it is then trusted for nothing)
     */
    public String resolve(String remoteAddress, String xForwardedFor) {
        byte[] peer = remoteAddress == null ? null : parseLenient(remoteAddress);
        if (peer == null) {
            return remoteAddress;
        }
        byte[] last = peer;
        if (xForwardedFor != null && isTrusted(peer)) {
            int end = xForwardedFor.length();
            while (end >= 0) {
                int comma = xForwardedFor.lastIndexOf(',', end - 1);
                byte[] entry = parseLenient(xForwardedFor.substring(comma + 1, end));
                if (entry == null) {
                    break;
                }
                last = entry;
                if (!isTrusted(entry)) {
                    break;
                }
                end = comma;
            }
        }
        return format(last);
    }

    private boolean isTrusted(byte[] address) {
        for (Network network : trusted) {
            if (network.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** A network, or why the text is none; the problem quotes the text. */
    private record Parsed(Network network, String problem) {
    }

    private static Parsed parseNetwork(String text) {
        if (text == null) {
            return new Parsed(null, "(none) is not an IP address or CIDR (" + EXAMPLES + ")");
        }
        String quoted = quote(text);
        String notOne = quoted + " is not an IP address or CIDR (" + EXAMPLES + ")";
        int slash = text.indexOf('/');
        String addressPart = slash < 0 ? text : text.substring(0, slash);
        byte[] literal = parseLiteral(addressPart);
        if (literal == null) {
            return new Parsed(null, notOne);
        }
        byte[] address = unmapped(literal);
        if (slash < 0) {
            return new Parsed(new Network(address, address.length * 8), null);
        }
        String lengthText = text.substring(slash + 1);
        if (!lengthText.matches("0|[1-9][0-9]{0,2}")) {
            return new Parsed(null, notOne);
        }
        int length = Integer.parseInt(lengthText);
        if (length > literal.length * 8) {
            return new Parsed(null, quoted + " has a prefix length above " + literal.length * 8 + " (an "
                    + (literal.length == 4 ? "IPv4" : "IPv6") + " prefix is 0-" + literal.length * 8 + ")");
        }
        if (address != literal) {
            if (length < 96) {
                return new Parsed(null, quoted + " is an IPv4-mapped network with a prefix below 96 (write it as an "
                        + "IPv4 CIDR)");
            }
            length -= 96;
        }
        Network network = new Network(address, length);
        if (!Arrays.equals(network.base(), address)) {
            return new Parsed(null, quoted + " has bits set after its /" + length + " prefix (did you mean "
                    + format(network.base()) + "/" + length + "?)");
        }
        return new Parsed(network, null);
    }

    /** The first {@code length} bits of {@code base} (stored with the rest cleared). */
    private record Network(byte[] base, int length) {
        Network {
            base = base.clone();
            for (int bit = length; bit < base.length * 8; bit++) {
                base[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
            }
        }

        boolean contains(byte[] address) {
            if (address.length != base.length) {
                return false;
            }
            int whole = length / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != base[i]) {
                    return false;
                }
            }
            int rest = length % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[whole] & mask) == (base[whole] & mask);
        }
    }

    /**
     * An address as it appears in a peer or an X-Forwarded-For entry: surrounding spaces, brackets,
     * a port and an IPv6 zone are allowed. IPv4-mapped IPv6 becomes IPv4. Null when it is none.
     */
    static byte[] parseLenient(String entry) {
        String text = entry.strip();
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || !(close == text.length() - 1 || isPort(text, close + 1))) {
                return null;
            }
            text = text.substring(1, close);
            if (text.indexOf(':') < 0) {
                return null; // brackets are for IPv6 only
            }
        } else {
            int colon = text.indexOf(':');
            if (colon >= 0 && colon == text.lastIndexOf(':') && isPort(text, colon)) {
                text = text.substring(0, colon); // 1.2.3.4:5678
            }
        }
        int zone = text.indexOf('%');
        if (zone >= 0) {
            if (text.indexOf(':') < 0 || zone == text.length() - 1) {
                return null;
            }
            text = text.substring(0, zone);
        }
        byte[] literal = parseLiteral(text);
        return literal == null ? null : unmapped(literal);
    }

    /** {@code :<1-5 digits>} from {@code colon} to the end. */
    private static boolean isPort(String text, int colon) {
        int digits = text.length() - colon - 1;
        if (text.charAt(colon) != ':' || digits < 1 || digits > 5) {
            return false;
        }
        for (int i = colon + 1; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** A bare IPv4 (4 bytes) or IPv6 (16 bytes) literal, or null. Never resolves names. */
    static byte[] parseLiteral(String text) {
        if (text.isEmpty() || text.length() > 45) {
            return null;
        }
        return text.indexOf(':') < 0 ? parseIpv4(text) : parseIpv6(text);
    }

    /** Dotted decimal, four parts of 0-255 without leading zeros (010 is octal to some parsers). */
    private static byte[] parseIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("0|[1-9][0-9]{0,2}")) {
                return null;
            }
            int value = Integer.parseInt(parts[i]);
            if (value > 255) {
                return null;
            }
            address[i] = (byte) value;
        }
        return address;
    }

    private static byte[] parseIpv6(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        List<Integer> head = new ArrayList<>();
        List<Integer> tail = new ArrayList<>();
        if (gap < 0) {
            if (!groups(text, head, true)) {
                return null;
            }
            if (head.size() != 8) {
                return null;
            }
        } else {
            String before = text.substring(0, gap);
            String after = text.substring(gap + 2);
            if (!before.isEmpty() && !groups(before, head, false)) {
                return null;
            }
            if (!after.isEmpty() && !groups(after, tail, true)) {
                return null;
            }
            if (head.size() + tail.size() > 7) {
                return null;
            }
        }
        byte[] address = new byte[16];
        for (int i = 0; i < head.size(); i++) {
            address[2 * i] = (byte) (head.get(i) >>> 8);
            address[2 * i + 1] = (byte) (int) head.get(i);
        }
        int offset = 8 - tail.size();
        for (int i = 0; i < tail.size(); i++) {
            address[2 * (offset + i)] = (byte) (tail.get(i) >>> 8);
            address[2 * (offset + i) + 1] = (byte) (int) tail.get(i);
        }
        return address;
    }

    /** Colon-separated groups of 1-4 hex digits; the last may be dotted IPv4 (two groups) when allowed. */
    private static boolean groups(String text, List<Integer> into, boolean ipv4Last) {
        String[] parts = text.split(":", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (ipv4Last && i == parts.length - 1 && part.indexOf('.') >= 0) {
                byte[] ipv4 = parseIpv4(part);
                if (ipv4 == null) {
                    return false;
                }
                into.add((ipv4[0] & 0xff) << 8 | ipv4[1] & 0xff);
                into.add((ipv4[2] & 0xff) << 8 | ipv4[3] & 0xff);
                return true;
            }
            if (!part.matches("[0-9A-Fa-f]{1,4}")) {
                return false;
            }
            into.add(Integer.parseInt(part, 16));
        }
        return true;
    }

    /** {@code ::ffff:a.b.c.d} as the IPv4 address a.b.c.d; anything else unchanged. */
    private static byte[] unmapped(byte[] address) {
        if (address.length != 16) {
            return address;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return address;
            }
        }
        if (address[10] != (byte) 0xff || address[11] != (byte) 0xff) {
            return address;
        }
        return Arrays.copyOfRange(address, 12, 16);
    }

    /** Dotted decimal, or RFC 5952 for IPv6. */
    static String format(byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "." + (address[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (address[2 * i] & 0xff) << 8 | address[2 * i + 1] & 0xff;
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    private static String quote(String value) {
        String shown = value.length() > 80 ? value.substring(0, 77) + "..." : value;
        return '"' + shown.replace("\"", "\\\"") + '"';
    }
}
