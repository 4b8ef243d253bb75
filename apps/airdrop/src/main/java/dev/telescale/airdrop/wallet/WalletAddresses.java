package dev.telescale.airdrop.wallet;

import dev.telescale.airdrop.wallet.WalletCheck.Invalid;
import dev.telescale.airdrop.wallet.WalletCheck.Valid;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.crypto.digests.KeccakDigest;

/**
 * Checks the wallet addresses users register: EVM (EIP-55), TON (user-friendly and raw) and Solana (base58). Pure code:
 * no network, no database. Never throws: any input, null included, gives a {@link WalletCheck}.
 *
 * <p>{@link Valid#canonicalKey()} is the same for every spelling of one account (EVM letter case; TON bounceable or
 * not, base64 or base64url, user-friendly or raw), so a unique index on it allows one registration per account.
 */
public final class WalletAddresses {

    /** Longer inputs are refused before any decoding; the longest address we accept (TON raw, masterchain) has 67. */
    static final int MAX_INPUT_CHARS = 256;

    static final String EVM_SHAPE = "not an EVM address: it must be 0x followed by 40 hexadecimal digits";
    static final String EVM_CHECKSUM = "the EIP-55 checksum does not match: check for a typo";
    static final String EVM_ZERO = "the zero address cannot receive tokens";
    static final String TON_CHECKSUM = "the TON address's checksum does not match: check for a typo";
    static final String TON_TESTNET =
            "this is a TON testnet address: use your mainnet address (it starts with EQ or UQ)";
    static final String TON_RAW_SHAPE =
            "not a TON raw address: it must be 0: or -1: followed by 64 hexadecimal digits";
    static final String SOLANA_SYSTEM_PROGRAM =
            "this is the Solana System Program address (all zeros), not a wallet: tokens sent there are lost";
    static final String UNRECOGNISED = "not a wallet address we accept: paste an EVM address (0x...), "
            + "a TON address (EQ... or UQ...) or a Solana address";
    static final String UNREADABLE = "this address could not be read: copy it again";

    private static final int TON_FRIENDLY_CHARS = 48;
    private static final int TON_FRIENDLY_BYTES = 36;
    private static final int TON_BOUNCEABLE = 0x11;
    private static final int TON_NON_BOUNCEABLE = 0x51;
    private static final int TON_TEST_ONLY = 0x80;
    private static final HexFormat HEX = HexFormat.of();

    private WalletAddresses() {
    }

    /** Checks {@code input} as an address of whichever chain its shape says. */
    public static WalletCheck check(String input) {
        try {
            Invalid early = refuseEarly(input, null);
            if (early != null) {
                return early;
            }
            String s = strip(input);
            if (hasSpace(s)) {
                return new Invalid("a wallet address has no spaces inside: copy it again");
            }
            Chain shape = shapeOf(s);
            return shape == null ? new Invalid(UNRECOGNISED) : validate(shape, s);
        } catch (RuntimeException e) {
            return new Invalid(UNREADABLE);
        }
    }

    /**
     * Checks {@code input} as an address of {@code expected}; an address of another chain is refused with a reason
     * naming the expected one. A null {@code expected} means any chain, as {@link #check(String)}.
     */
    public static WalletCheck check(String input, Chain expected) {
        if (expected == null) {
            return check(input);
        }
        try {
            Invalid early = refuseEarly(input, expected);
            if (early != null) {
                return early;
            }
            String s = strip(input);
            Chain shape = shapeOf(s);
            if (shape == expected) {
                return validate(expected, s);
            }
            if (shape != null && validate(shape, s) instanceof Valid) {
                return new Invalid("this is " + article(shape) + " address, but " + article(expected)
                        + " address is expected here: " + shapeHint(expected));
            }
            return validate(expected, s);
        } catch (RuntimeException e) {
            return new Invalid(UNREADABLE);
        }
    }

    private static Invalid refuseEarly(String input, Chain expected) {
        String what = expected == null ? "a wallet address" : article(expected) + " wallet address";
        if (input == null) {
            return new Invalid("enter " + what);
        }
        if (input.length() > MAX_INPUT_CHARS) {
            return new Invalid("this is too long to be " + what);
        }
        if (strip(input).isEmpty()) {
            return new Invalid("enter " + what);
        }
        return null;
    }

    /** The chain whose address {@code s} looks like, or null; says nothing about validity. */
    private static Chain shapeOf(String s) {
        if (s.startsWith("0x") || s.startsWith("0X") || (s.length() == 40 && isHex(s))) {
            return Chain.EVM;
        }
        if (s.indexOf(':') >= 0) {
            return Chain.TON;
        }
        if (s.length() >= 45 && s.length() <= 52 && isBase64Chars(s)) {
            return Chain.TON;
        }
        if (s.length() >= 32 && s.length() <= 44 && isAsciiAlphanumeric(s)) {
            return Chain.SOLANA;
        }
        return null;
    }

    private static WalletCheck validate(Chain chain, String s) {
        return switch (chain) {
            case EVM -> evm(s);
            case TON -> s.indexOf(':') >= 0 ? tonRaw(s) : tonFriendly(s);
            case SOLANA -> solana(s);
        };
    }

    // ---- EVM ----

    private static WalletCheck evm(String s) {
        if (s.length() == 40 && isHex(s)) {
            return new Invalid(EVM_SHAPE + " (add the 0x)");
        }
        if (s.length() != 42 || !s.startsWith("0x")) {
            return new Invalid(EVM_SHAPE);
        }
        String body = s.substring(2);
        if (!isHex(body)) {
            return new Invalid(EVM_SHAPE);
        }
        String lower = body.toLowerCase(Locale.ROOT);
        if (isAll(lower, '0')) {
            return new Invalid(EVM_ZERO);
        }
        String checksummed = eip55(lower);
        boolean mixedCase = !body.equals(lower) && !body.equals(body.toUpperCase(Locale.ROOT));
        if (mixedCase && !body.equals(checksummed)) {
            return new Invalid(EVM_CHECKSUM);
        }
        return new Valid(Chain.EVM, "0x" + checksummed, "evm:" + lower);
    }

    /**
     * The EIP-55 spelling of 40 lowercase hex digits: a letter is uppercase when the matching nibble of
     * Keccak-256(the lowercase hex as ASCII) is 8 or more. Keccak-256 as Ethereum uses it, not FIPS-202 SHA3-256.
     */
    static String eip55(String lowerHex) {
        byte[] ascii = lowerHex.getBytes(StandardCharsets.US_ASCII);
        KeccakDigest keccak = new KeccakDigest(256);
        keccak.update(ascii, 0, ascii.length);
        byte[] hash = new byte[keccak.getDigestSize()];
        keccak.doFinal(hash, 0);
        char[] out = lowerHex.toCharArray();
        for (int i = 0; i < out.length; i++) {
            int nibble = (hash[i >> 1] >> ((i & 1) == 0 ? 4 : 0)) & 0xf;
            if (out[i] >= 'a' && out[i] <= 'f' && nibble >= 8) {
                out[i] = (char) (out[i] - 'a' + 'A');
            }
        }
        return new String(out);
    }

    // ---- TON ----

    private static WalletCheck tonRaw(String s) {
        int colon = s.indexOf(':');
        String workchain = s.substring(0, colon);
        String hash = s.substring(colon + 1);
        if (!workchain.equals("0") && !workchain.equals("-1")) {
            return workchain.matches("-?[0-9]{1,10}") ? unsupportedWorkchain(workchain) : new Invalid(TON_RAW_SHAPE);
        }
        if (hash.length() != 64 || !isHex(hash)) {
            return new Invalid(TON_RAW_SHAPE);
        }
        return new Valid(Chain.TON, s, "ton:" + workchain + ":" + hash.toLowerCase(Locale.ROOT));
    }

    private static WalletCheck tonFriendly(String s) {
        if (!isBase64Chars(s)) {
            return new Invalid("not a TON address: it may only contain letters, digits and - _ (or + /)");
        }
        if (s.length() != TON_FRIENDLY_CHARS) {
            return new Invalid("not a TON address: it must be 48 characters, this one has " + s.length());
        }
        boolean urlSafe = s.indexOf('-') >= 0 || s.indexOf('_') >= 0;
        boolean standard = s.indexOf('+') >= 0 || s.indexOf('/') >= 0;
        if (urlSafe && standard) {
            return new Invalid("not a TON address: it mixes - _ with + /, copy it again");
        }
        byte[] b = (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s);
        if (b.length != TON_FRIENDLY_BYTES) {
            return new Invalid(UNREADABLE);
        }
        int crc = ((b[34] & 0xff) << 8) | (b[35] & 0xff);
        if (crc16Xmodem(b, 34) != crc) {
            return new Invalid(TON_CHECKSUM);
        }
        int tag = b[0] & 0xff;
        int kind = tag & ~TON_TEST_ONLY;
        if (kind != TON_BOUNCEABLE && kind != TON_NON_BOUNCEABLE) {
            return new Invalid("not a TON address: unknown flags (a TON address starts with EQ or UQ)");
        }
        if ((tag & TON_TEST_ONLY) != 0) {
            return new Invalid(TON_TESTNET);
        }
        int workchain = b[1]; // signed: 0xff is the masterchain, -1
        if (workchain != 0 && workchain != -1) {
            return unsupportedWorkchain(Integer.toString(workchain));
        }
        return new Valid(Chain.TON, s, "ton:" + workchain + ":" + HEX.formatHex(b, 2, 34));
    }

    private static Invalid unsupportedWorkchain(String workchain) {
        return new Invalid("TON workchain " + workchain
                + " is not supported: use a basechain (0) or masterchain (-1) address");
    }

    /** CRC-16/XMODEM (CCITT polynomial 0x1021, initial value 0, no reflection) of {@code data[0..length)}. */
    static int crc16Xmodem(byte[] data, int length) {
        int crc = 0;
        for (int i = 0; i < length; i++) {
            crc ^= (data[i] & 0xff) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xffff;
        }
        return crc;
    }

    // ---- Solana ----

    private static WalletCheck solana(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Base58.digit(c) < 0) {
                return new Invalid(c == '0' || c == 'O' || c == 'I' || c == 'l'
                        ? "not a Solana address: it contains '" + c + "', which Solana addresses never use"
                                + " (no 0, O, I or l): check for a typo"
                        : "not a Solana address: it may only contain letters and digits (no 0, O, I or l)");
            }
        }
        if (s.length() < 32 || s.length() > 44) {
            return new Invalid("not a Solana address: it must be 32 to 44 characters, this one has " + s.length());
        }
        byte[] key = Base58.decode(s);
        if (key.length != 32) {
            return new Invalid("not a Solana address: it decodes to " + key.length
                    + " bytes instead of 32, check for a missing or extra character");
        }
        if (!Base58.encode(key).equals(s)) {
            return new Invalid("not a Solana address: it is not in canonical base58");
        }
        if (isAllZero(key)) {
            return new Invalid(SOLANA_SYSTEM_PROGRAM);
        }
        return new Valid(Chain.SOLANA, s, "sol:" + s);
    }

    // ---- helpers ----

    private static String article(Chain chain) {
        return switch (chain) {
            case EVM -> "an EVM";
            case TON -> "a TON";
            case SOLANA -> "a Solana";
        };
    }

    private static String shapeHint(Chain chain) {
        return switch (chain) {
            case EVM -> "0x followed by 40 hexadecimal digits";
            case TON -> "48 characters starting with EQ or UQ";
            case SOLANA -> "32 to 44 base58 characters";
        };
    }

    /** Trims whitespace, including the non-breaking and zero-width kinds that copying from chats leaves behind. */
    private static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c)
                || c == '\u200B' || c == '\u200C' || c == '\u200D' || c == '\u2060' || c == '\uFEFF';
    }

    private static boolean hasSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isSpace(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** ASCII hex digits only: Character.digit would also take other scripts' digits. */
    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiAlphanumeric(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                return false;
            }
        }
        return true;
    }

    /** The characters of base64 and base64url together, without padding. */
    private static boolean isBase64Chars(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || c == '+' || c == '/' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAll(String s, char c) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != c) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAllZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
