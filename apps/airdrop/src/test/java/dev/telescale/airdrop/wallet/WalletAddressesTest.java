package dev.telescale.airdrop.wallet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telescale.airdrop.wallet.WalletCheck.Invalid;
import dev.telescale.airdrop.wallet.WalletCheck.Valid;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.bouncycastle.crypto.digests.KeccakDigest;
import org.junit.jupiter.api.Test;

class WalletAddressesTest {

    private static final HexFormat HEX = HexFormat.of();

    // ---- EVM ----

    /** The test vectors printed in EIP-55 itself ("Test Cases"), in its three groups. */
    private static final List<String> EIP55_ALL_CAPS = List.of(
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "0x8617E340B3D01FA5F11F306F4090FD50E238070D");
    private static final List<String> EIP55_ALL_LOWER = List.of(
            "0xde709f2102306220921060314715629080e2fb77",
            "0x27b1fdb04752bbc536007a920d24acb045561c26");
    private static final List<String> EIP55_NORMAL = List.of(
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb");

    private static List<String> eip55Vectors() {
        List<String> all = new ArrayList<>(EIP55_ALL_CAPS);
        all.addAll(EIP55_ALL_LOWER);
        all.addAll(EIP55_NORMAL);
        return all;
    }

    @Test
    void eip55VectorsAreValidAndDisplayedAsPrinted() {
        for (String vector : eip55Vectors()) {
            String lower = vector.substring(2).toLowerCase(Locale.ROOT);
            Valid expected = new Valid(Chain.EVM, vector, "evm:" + lower);
            assertThat(WalletAddresses.check(vector)).as(vector).isEqualTo(expected);
            assertThat(WalletAddresses.check(vector, Chain.EVM)).as(vector).isEqualTo(expected);
            // No checksum (all lowercase, all uppercase): accepted and shown in the EIP-55 form, one key.
            assertThat(WalletAddresses.check("0x" + lower)).as(vector).isEqualTo(expected);
            assertThat(WalletAddresses.check("0x" + lower.toUpperCase(Locale.ROOT))).as(vector).isEqualTo(expected);
        }
    }

    @Test
    void eip55VectorsWithOneLetterFlippedFailTheChecksum() {
        for (String vector : eip55Vectors()) {
            for (int i = 2; i < vector.length(); i++) {
                if (!Character.isLetter(vector.charAt(i))) {
                    continue;
                }
                String flipped = flipCase(vector, i);
                assertThat(WalletAddresses.check(flipped)).as(flipped)
                        .isEqualTo(new Invalid(WalletAddresses.EVM_CHECKSUM));
            }
        }
    }

    @Test
    void evmShapesAndTheZeroAddressAreRefused() {
        assertThat(WalletAddresses.check("0x0000000000000000000000000000000000000000"))
                .isEqualTo(new Invalid("the zero address cannot receive tokens"));
        String shape = WalletAddresses.EVM_SHAPE;
        assertThat(WalletAddresses.check("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe")).isEqualTo(new Invalid(shape));
        assertThat(WalletAddresses.check("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed0")).isEqualTo(new Invalid(shape));
        assertThat(WalletAddresses.check("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg")).isEqualTo(new Invalid(shape));
        assertThat(WalletAddresses.check("0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")).isEqualTo(new Invalid(shape));
        assertThat(WalletAddresses.check("0x")).isEqualTo(new Invalid(shape));
        assertThat(WalletAddresses.check("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"))
                .isEqualTo(new Invalid(shape + " (add the 0x)"));
        // Digits of other scripts are digits to Character.digit, not to us.
        assertThat(WalletAddresses.check("0x" + "\u0663".repeat(40))).isInstanceOf(Invalid.class);
    }

    // ---- TON ----

    // From the TON documentation (docs.ton.org, "Smart contract addresses": the user-friendly address flags table and
    // its examples; the cookbook gives the same raw form): one basechain account in each form.
    private static final String TON_RAW = "0:ca6e321c7cce9ecedf0a8ca2492ec8592494aa5fb5ce0387dff96ef6af982a3e";
    private static final String TON_BOUNCEABLE = "EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHF";
    private static final String TON_BOUNCEABLE_BASE64 = "EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff+W72r5gqPrHF";
    private static final String TON_NON_BOUNCEABLE = "UQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPuwA";
    private static final String TON_TESTNET = "kQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPgpP";
    private static final String TON_TESTNET_NON_BOUNCEABLE = "0QDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPleK";
    private static final String TON_KEY = "ton:0:ca6e321c7cce9ecedf0a8ca2492ec8592494aa5fb5ce0387dff96ef6af982a3e";

    // From TEP-2 "TON Addresses" (TEPs repository, text/0002-address.md; docs.ton.org links to it): the root DNS
    // contract on the masterchain.
    private static final String ROOT_DNS_RAW = "-1:e56754f83426f69b09267bd876ac97c44821345b7e266bd956a7bfbfb98df35c";
    private static final String ROOT_DNS_BOUNCEABLE = "Ef_lZ1T4NCb2mwkme9h2rJfESCE0W34ma9lWp7-_uY3zXDvq";
    private static final String ROOT_DNS_NON_BOUNCEABLE = "Uf_lZ1T4NCb2mwkme9h2rJfESCE0W34ma9lWp7-_uY3zXGYv";
    private static final String ROOT_DNS_KEY =
            "ton:-1:e56754f83426f69b09267bd876ac97c44821345b7e266bd956a7bfbfb98df35c";

    @Test
    void tonDocumentedFormsOfOneAccountShareOneKeyAndKeepTheirSpelling() {
        for (String form : List.of(TON_BOUNCEABLE, TON_BOUNCEABLE_BASE64, TON_NON_BOUNCEABLE,
                TON_NON_BOUNCEABLE.replace('-', '+'), TON_RAW, TON_RAW.toUpperCase(Locale.ROOT))) {
            assertThat(WalletAddresses.check(form)).as(form).isEqualTo(new Valid(Chain.TON, form, TON_KEY));
            assertThat(WalletAddresses.check(form, Chain.TON)).as(form).isEqualTo(new Valid(Chain.TON, form, TON_KEY));
        }
        for (String form : List.of(ROOT_DNS_RAW, ROOT_DNS_BOUNCEABLE, ROOT_DNS_NON_BOUNCEABLE,
                ROOT_DNS_BOUNCEABLE.replace('_', '/').replace('-', '+'))) {
            assertThat(WalletAddresses.check(form)).as(form).isEqualTo(new Valid(Chain.TON, form, ROOT_DNS_KEY));
        }
        assertThat(WalletAddresses.check("  " + TON_BOUNCEABLE + "\n"))
                .isEqualTo(new Valid(Chain.TON, TON_BOUNCEABLE, TON_KEY));
    }

    @Test
    void tonAnyOneCharacterChangedFailsTheChecksum() {
        for (String address : List.of(TON_BOUNCEABLE, TON_NON_BOUNCEABLE, ROOT_DNS_BOUNCEABLE)) {
            for (int i = 0; i < address.length(); i++) {
                char c = address.charAt(i);
                char other = c == 'A' ? 'B' : 'A';
                String changed = address.substring(0, i) + other + address.substring(i + 1);
                assertThat(WalletAddresses.check(changed)).as(changed)
                        .isEqualTo(new Invalid(WalletAddresses.TON_CHECKSUM));
            }
        }
        assertThat(WalletAddresses.TON_CHECKSUM).isEqualTo("the TON address's checksum does not match: check for a typo");
    }

    @Test
    void tonTestnetAndOtherBadFormsAreRefused() {
        assertThat(WalletAddresses.check(TON_TESTNET)).isEqualTo(new Invalid(WalletAddresses.TON_TESTNET));
        assertThat(WalletAddresses.check(TON_TESTNET_NON_BOUNCEABLE)).isEqualTo(new Invalid(WalletAddresses.TON_TESTNET));
        assertThat(WalletAddresses.check(TON_TESTNET, Chain.TON)).isEqualTo(new Invalid(WalletAddresses.TON_TESTNET));
        assertThat(reason(WalletAddresses.check(TON_BOUNCEABLE.substring(1)))).contains("48 characters", "47");
        assertThat(reason(WalletAddresses.check(TON_BOUNCEABLE.replace('-', '+').replaceFirst("r", "_"))))
                .contains("mixes");
        assertThat(WalletAddresses.check("0:" + "ab".repeat(31) + "a"))
                .isEqualTo(new Invalid(WalletAddresses.TON_RAW_SHAPE));
        assertThat(WalletAddresses.check("0:" + "zz".repeat(32))).isEqualTo(new Invalid(WalletAddresses.TON_RAW_SHAPE));
        assertThat(reason(WalletAddresses.check("1:" + "ab".repeat(32)))).contains("workchain 1 is not supported");
        assertThat(WalletAddresses.check("-0:" + "ab".repeat(32))).isInstanceOf(Invalid.class);
        // A user-friendly address with a right checksum but an unknown flag byte, or another workchain.
        assertThat(reason(WalletAddresses.check(tonFriendly(0x22, 0, new byte[32], true)))).contains("unknown flags");
        assertThat(reason(WalletAddresses.check(tonFriendly(0x11, 5, new byte[32], true))))
                .contains("workchain 5 is not supported");
    }

    // ---- Solana ----

    @Test
    void solanaKnownAddresses() {
        String tokenProgram = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"; // the SPL Token program
        assertThat(WalletAddresses.check(tokenProgram)).isEqualTo(new Valid(Chain.SOLANA, tokenProgram, "sol:" + tokenProgram));
        String wrappedSol = "So11111111111111111111111111111111111111112"; // the native (wrapped SOL) mint
        assertThat(WalletAddresses.check(wrappedSol, Chain.SOLANA))
                .isEqualTo(new Valid(Chain.SOLANA, wrappedSol, "sol:" + wrappedSol));
        // The System Program is 32 zero bytes: not anybody's wallet, and nothing sent there can be spent.
        assertThat(WalletAddresses.check("11111111111111111111111111111111"))
                .isEqualTo(new Invalid(WalletAddresses.SOLANA_SYSTEM_PROGRAM));
        assertThat(WalletAddresses.check("\t" + tokenProgram + " \u00A0\u200B"))
                .isEqualTo(new Valid(Chain.SOLANA, tokenProgram, "sol:" + tokenProgram));
    }

    @Test
    void solanaWrongLengthsAndCharactersAreRefused() {
        byte[] thirtyOne = new byte[31];
        java.util.Arrays.fill(thirtyOne, (byte) 0xff);
        String s31 = base58(thirtyOne);
        assertThat(s31.length()).isBetween(32, 44);
        assertThat(reason(WalletAddresses.check(s31))).contains("decodes to 31 bytes instead of 32");

        byte[] thirtyThree = new byte[33];
        thirtyThree[1] = 1;
        String s33 = base58(thirtyThree);
        assertThat(s33.length()).isBetween(32, 44);
        assertThat(reason(WalletAddresses.check(s33))).contains("decodes to 33 bytes instead of 32");
        assertThat(reason(WalletAddresses.check("1".repeat(33)))).contains("decodes to 33 bytes");

        String tokenProgram = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
        for (char bad : new char[] {'0', 'O', 'I', 'l'}) {
            String typo = tokenProgram.substring(0, 10) + bad + tokenProgram.substring(11);
            assertThat(reason(WalletAddresses.check(typo))).as(typo)
                    .contains("not a Solana address", "'" + bad + "'", "no 0, O, I or l");
        }
        assertThat(reason(WalletAddresses.check(tokenProgram.substring(0, 31), Chain.SOLANA))).contains("32 to 44");
        assertThat(reason(WalletAddresses.check(tokenProgram + "AB", Chain.SOLANA))).contains("32 to 44");
    }

    // ---- either chain ----

    @Test
    void anExpectedChainRefusesTheOthersByName() {
        String evm = EIP55_NORMAL.get(0);
        String sol = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
        assertThat(reason(WalletAddresses.check(evm, Chain.TON))).contains("an EVM address", "a TON address is expected");
        assertThat(reason(WalletAddresses.check(TON_BOUNCEABLE, Chain.SOLANA)))
                .contains("a TON address", "a Solana address is expected");
        assertThat(reason(WalletAddresses.check(sol, Chain.EVM))).contains("a Solana address", "an EVM address is expected");
        assertThat(reason(WalletAddresses.check("hello", Chain.EVM))).contains("EVM");
        assertThat(reason(WalletAddresses.check("hello", Chain.TON))).contains("TON");
        assertThat(reason(WalletAddresses.check("hello", Chain.SOLANA))).contains("Solana");
        assertThat(reason(WalletAddresses.check("", Chain.SOLANA))).isEqualTo("enter a Solana wallet address");
        assertThat(WalletAddresses.check(evm, null)).isEqualTo(WalletAddresses.check(evm));
    }

    @Test
    void neverThrowsAndAlwaysGivesAOneLineReason() {
        List<String> inputs = new ArrayList<>(List.of("", " ", "\n\t", "\u200B", "0", ":", "-1:", "0x", "EQ",
                "\uD83D\uDE00".repeat(24), "\uD800", "0x" + "\u0000".repeat(40), "1".repeat(44), "z".repeat(44),
                "z".repeat(48), "=".repeat(48), "EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrH=",
                "x".repeat(WalletAddresses.MAX_INPUT_CHARS + 1), "0x".repeat(1_000_000), "0x 52908400098527886E0F7030069857D2E4169EE7"));
        inputs.add(null);
        Random random = new Random(20240601L);
        String alphabet = "0123456789abcdefABCDEFxX:-_+/=OIl \u00E9\u0663\u200B\uD83D";
        for (int n = 0; n < 10_000; n++) {
            StringBuilder b = new StringBuilder(random.nextBoolean() ? "0x" : "");
            int length = random.nextInt(70);
            for (int i = 0; i < length; i++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            inputs.add(b.toString());
        }
        for (String input : inputs) {
            for (Chain expected : new Chain[] {null, Chain.EVM, Chain.TON, Chain.SOLANA}) {
                WalletCheck result = WalletAddresses.check(input, expected);
                assertThat(result).isNotNull();
                if (result instanceof Invalid(String why)) {
                    assertThat(why).isNotBlank().doesNotContain("\n").isNotEqualTo(WalletAddresses.UNREADABLE);
                }
            }
        }
        assertThat(reason(WalletAddresses.check(null))).isEqualTo("enter a wallet address");
        assertThat(reason(WalletAddresses.check("0x".repeat(1_000_000)))).contains("too long");
    }

    // ---- properties, seeded ----

    @Test
    void randomEvmAddressesRoundTripThroughTheirChecksum() {
        Random random = new Random(55L);
        for (int n = 0; n < 1_000; n++) {
            byte[] address = new byte[20];
            random.nextBytes(address);
            String lower = HEX.formatHex(address);
            String checksummed = "0x" + eip55ByTheSpec(lower);
            Valid expected = new Valid(Chain.EVM, checksummed, "evm:" + lower);
            assertThat(WalletAddresses.check("0x" + lower)).isEqualTo(expected);
            assertThat(WalletAddresses.check(checksummed)).isEqualTo(expected);
            assertThat(WalletAddresses.check("0x" + lower.toUpperCase(Locale.ROOT), Chain.EVM)).isEqualTo(expected);
            int letter = firstLetter(checksummed);
            if (letter > 0) {
                String flipped = flipCase(checksummed, letter);
                String body = flipped.substring(2);
                boolean mixed = !body.equals(body.toLowerCase(Locale.ROOT)) && !body.equals(body.toUpperCase(Locale.ROOT));
                assertThat(WalletAddresses.check(flipped)).as(flipped).isEqualTo(
                        mixed ? new Invalid(WalletAddresses.EVM_CHECKSUM) : expected);
            }
        }
    }

    @Test
    void randomSolanaKeysRoundTripThroughBase58() {
        Random random = new Random(58L);
        for (int n = 0; n < 1_000; n++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            key[0] |= 1; // never all zeros
            for (int z = 0; z < n % 4; z++) {
                key[z] = 0; // some leading zero bytes, written as leading '1's
            }
            key[31] |= 1;
            String address = base58(key);
            Valid expected = new Valid(Chain.SOLANA, address, "sol:" + address);
            assertThat(WalletAddresses.check(address)).as(address).isEqualTo(expected);
            assertThat(WalletAddresses.check(address, Chain.SOLANA)).as(address).isEqualTo(expected);
        }
    }

    @Test
    void randomTonAccountsShareOneKeyInEveryForm() {
        // The encoder below reproduces the documented forms, so it can stand in for a wallet.
        byte[] docHash = HEX.parseHex(TON_RAW.substring(2));
        assertThat(tonFriendly(0x11, 0, docHash, true)).isEqualTo(TON_BOUNCEABLE);
        assertThat(tonFriendly(0x51, 0, docHash, true)).isEqualTo(TON_NON_BOUNCEABLE);
        assertThat(tonFriendly(0x91, 0, docHash, true)).isEqualTo(TON_TESTNET);
        assertThat(tonFriendly(0x11, -1, HEX.parseHex(ROOT_DNS_RAW.substring(3)), true)).isEqualTo(ROOT_DNS_BOUNCEABLE);

        Random random = new Random(36L);
        for (int n = 0; n < 1_000; n++) {
            byte[] hash = new byte[32];
            random.nextBytes(hash);
            int workchain = n % 5 == 0 ? -1 : 0;
            String key = "ton:" + workchain + ":" + HEX.formatHex(hash);
            for (String form : List.of(tonFriendly(0x11, workchain, hash, true), tonFriendly(0x11, workchain, hash, false),
                    tonFriendly(0x51, workchain, hash, true), tonFriendly(0x51, workchain, hash, false),
                    workchain + ":" + HEX.formatHex(hash))) {
                assertThat(WalletAddresses.check(form, Chain.TON)).as(form).isEqualTo(new Valid(Chain.TON, form, key));
            }
            assertThat(WalletAddresses.check(tonFriendly(0xd1, workchain, hash, true)))
                    .isEqualTo(new Invalid(WalletAddresses.TON_TESTNET));
        }
    }

    // ---- helpers: written from the specifications, apart from the code under test ----

    /** EIP-55 as its text says: uppercase the i-th hex letter when the i-th nibble of keccak256(lowercase) is >= 8. */
    private static String eip55ByTheSpec(String lower) {
        KeccakDigest keccak = new KeccakDigest(256);
        byte[] ascii = lower.getBytes(StandardCharsets.US_ASCII);
        keccak.update(ascii, 0, ascii.length);
        byte[] hash = new byte[32];
        keccak.doFinal(hash, 0);
        String hashHex = HEX.formatHex(hash);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            out.append(Character.digit(hashHex.charAt(i), 16) >= 8 ? Character.toUpperCase(c) : c);
        }
        return out.toString();
    }

    /** Base58 by repeated division of a byte array (the reference client's way), not BigInteger. */
    private static String base58(byte[] input) {
        String alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        byte[] number = input.clone();
        int zeros = 0;
        while (zeros < number.length && number[zeros] == 0) {
            zeros++;
        }
        StringBuilder out = new StringBuilder();
        int start = zeros;
        while (start < number.length) {
            int remainder = 0;
            for (int i = start; i < number.length; i++) {
                int value = (remainder << 8) | (number[i] & 0xff);
                number[i] = (byte) (value / 58);
                remainder = value % 58;
            }
            out.append(alphabet.charAt(remainder));
            while (start < number.length && number[start] == 0) {
                start++;
            }
        }
        return "1".repeat(zeros) + out.reverse();
    }

    /** A TON user-friendly address per TEP-2, with a bit-by-bit CRC-16/XMODEM. */
    private static String tonFriendly(int tag, int workchain, byte[] hash, boolean urlSafe) {
        byte[] b = new byte[36];
        b[0] = (byte) tag;
        b[1] = (byte) workchain;
        System.arraycopy(hash, 0, b, 2, 32);
        int crc = 0;
        for (int i = 0; i < 34; i++) {
            for (int bit = 7; bit >= 0; bit--) {
                boolean in = ((b[i] >> bit) & 1) != 0;
                boolean top = (crc & 0x8000) != 0;
                crc = (crc << 1) & 0xffff;
                if (in ^ top) {
                    crc ^= 0x1021;
                }
            }
        }
        b[34] = (byte) (crc >> 8);
        b[35] = (byte) crc;
        return (urlSafe ? Base64.getUrlEncoder() : Base64.getEncoder()).encodeToString(b);
    }

    private static String flipCase(String s, int i) {
        char c = s.charAt(i);
        char flipped = Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c);
        return s.substring(0, i) + flipped + s.substring(i + 1);
    }

    private static int firstLetter(String s) {
        for (int i = 2; i < s.length(); i++) {
            if (Character.isLetter(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String reason(WalletCheck check) {
        assertThat(check).isInstanceOf(Invalid.class);
        return ((Invalid) check).reason();
    }
}
