package dev.telescale.runtime.webapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressesTest {
    final ClientAddresses behindProxies = new ClientAddresses(List.of("127.0.0.1", "10.0.0.0/8", "fd00::/8"));

    @Test
    void resolve_withNoTrustedProxies_ignoresTheHeader() {
        ClientAddresses none = new ClientAddresses(List.of());

        assertThat(none.resolve("127.0.0.1", "203.0.113.7")).isEqualTo("127.0.0.1");
        assertThat(none.resolve("198.51.100.1", null)).isEqualTo("198.51.100.1");
    }

    @Test
    void resolve_fromAnUntrustedPeer_isThePeerWhateverTheHeaderSays() {
        assertThat(behindProxies.resolve("198.51.100.9", "203.0.113.7")).isEqualTo("198.51.100.9");
        assertThat(behindProxies.resolve("198.51.100.9", "10.0.0.1, 127.0.0.1")).isEqualTo("198.51.100.9");
    }

    @Test
    void resolve_fromATrustedPeer_takesTheHeadersLastUntrustedEntry() {
        assertThat(behindProxies.resolve("127.0.0.1", "203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(behindProxies.resolve("10.1.2.3", "203.0.113.7, 10.9.9.9,127.0.0.1"))
                .isEqualTo("203.0.113.7");
    }

    @Test
    void resolve_withASpoofedHeaderBehindATrustedProxy_takesWhatTheProxyAdded() {
        // the client sent "X-Forwarded-For: 1.1.1.1"; the proxy appended the client's real address
        assertThat(behindProxies.resolve("10.0.0.2", "1.1.1.1, 203.0.113.7")).isEqualTo("203.0.113.7");
        // a client pretending to be a trusted proxy only gets past the proxies that really are
        assertThat(behindProxies.resolve("10.0.0.2", "1.1.1.1, 10.0.0.5, 203.0.113.7")).isEqualTo("203.0.113.7");
    }

    @Test
    void resolve_withOnlyTrustedEntries_takesTheLeftmost() {
        assertThat(behindProxies.resolve("127.0.0.1", "10.0.0.7, 10.0.0.8")).isEqualTo("10.0.0.7");
    }

    @Test
    void resolve_withATrustedPeerAndNoHeader_isThePeer() {
        assertThat(behindProxies.resolve("127.0.0.1", null)).isEqualTo("127.0.0.1");
        assertThat(behindProxies.resolve("127.0.0.1", "")).isEqualTo("127.0.0.1");
    }

    @Test
    void resolve_withGarbage_stopsAtTheLastGoodAddress() {
        assertThat(behindProxies.resolve("127.0.0.1", "203.0.113.7, unknown")).isEqualTo("127.0.0.1");
        assertThat(behindProxies.resolve("127.0.0.1", "203.0.113.7, 10.0.0.3, <script>")).isEqualTo("127.0.0.1");
        assertThat(behindProxies.resolve("127.0.0.1", "203.0.113.7, garbage, 10.0.0.3")).isEqualTo("10.0.0.3");
        assertThat(behindProxies.resolve("127.0.0.1", "203.0.113.7,,10.0.0.3")).isEqualTo("10.0.0.3");
        assertThat(behindProxies.resolve("127.0.0.1", "300.1.1.1")).isEqualTo("127.0.0.1");
        assertThat(behindProxies.resolve("127.0.0.1", "example.com")).isEqualTo("127.0.0.1");
        assertThat(behindProxies.resolve("127.0.0.1", "01.2.3.4")).isEqualTo("127.0.0.1");
    }

    @Test
    void resolve_withIpv6_matchesCidrsAndNormalises() {
        assertThat(behindProxies.resolve("fd12:3456::1", "2001:DB8:0:0:0:0:0:1")).isEqualTo("2001:db8::1");
        assertThat(behindProxies.resolve("[fd00:0:0:0:0:0:0:5]", "[2001:db8::0:1]:4711")).isEqualTo("2001:db8::1");
        assertThat(behindProxies.resolve("fe80::1%eth0", "203.0.113.7")).isEqualTo("fe80::1");
        assertThat(behindProxies.resolve("2001:0db8:0000:0000:0001:0000:0000:0001", null)).isEqualTo("2001:db8::1:0:0:1");
        assertThat(behindProxies.resolve("2001:db8:0:1:1:1:1:1", null)).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(behindProxies.resolve("0:0:0:0:0:0:0:1", null)).isEqualTo("::1");
        assertThat(behindProxies.resolve("fc00::1", "203.0.113.7")).isEqualTo("fc00::1"); // outside fd00::/8
    }

    @Test
    void resolve_withIpv4MappedIpv6_treatsItAsIpv4() {
        assertThat(behindProxies.resolve("::ffff:127.0.0.1", "::FFFF:203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(behindProxies.resolve("::ffff:7f00:1", "203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(behindProxies.resolve("0:0:0:0:0:ffff:a00:1", "10.0.0.9, ::ffff:198.51.100.4"))
                .isEqualTo("198.51.100.4");
    }

    @Test
    void resolve_withPorts_dropsThem() {
        assertThat(behindProxies.resolve("127.0.0.1", "203.0.113.7:51234")).isEqualTo("203.0.113.7");
        assertThat(behindProxies.resolve("[::ffff:10.0.0.1]:8080", "203.0.113.7")).isEqualTo("203.0.113.7");
    }

    @Test
    void resolve_withAPeerThatIsNoAddress_returnsItAsItIs() {
        assertThat(behindProxies.resolve("localhost", "203.0.113.7")).isEqualTo("localhost");
    }

    @Test
    void constructor_withCidrs_trustsExactlyTheirRanges() {
        ClientAddresses proxies = new ClientAddresses(List.of("192.168.4.0/22", "2001:db8:ab00::/40", "198.51.100.7/32"));

        assertThat(proxies.resolve("192.168.7.255", "203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(proxies.resolve("192.168.8.0", "203.0.113.7")).isEqualTo("192.168.8.0");
        assertThat(proxies.resolve("192.168.3.255", "203.0.113.7")).isEqualTo("192.168.3.255");
        assertThat(proxies.resolve("2001:db8:abff:1::1", "203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(proxies.resolve("2001:db8:ac00::1", "203.0.113.7")).isEqualTo("2001:db8:ac00::1");
        assertThat(proxies.resolve("198.51.100.7", "203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(proxies.resolve("198.51.100.8", "203.0.113.7")).isEqualTo("198.51.100.8");
    }

    @Test
    void constructor_withAMappedOrCatchAllNetwork_matchesAsIpv4() {
        ClientAddresses mapped = new ClientAddresses(List.of("::ffff:10.0.0.0/104"));
        ClientAddresses everyone = new ClientAddresses(List.of("0.0.0.0/0", "::/0"));

        assertThat(mapped.resolve("10.200.0.1", "203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(mapped.resolve("11.0.0.1", "203.0.113.7")).isEqualTo("11.0.0.1");
        assertThat(everyone.resolve("2001:db8::1", "203.0.113.7, 2001:db8::2")).isEqualTo("203.0.113.7");
    }

    @Test
    void constructor_withBadEntries_namesTheEntry() {
        assertThatThrownBy(() -> new ClientAddresses(List.of("10.0.0.0/8", "proxy.internal")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trusted proxy \"proxy.internal\" is not an IP address or CIDR (e.g. 10.0.0.1, 10.0.0.0/8, "
                        + "fd00::/8)");
    }

    @Test
    void problemWith_eachKindOfMistake_saysWhatIsWrong() {
        assertThat(ClientAddresses.problemWith("10.0.0.0/8")).isEmpty();
        assertThat(ClientAddresses.problemWith("::1")).isEmpty();
        assertThat(ClientAddresses.problemWith("10.0.0.0/33")).contains(
                "\"10.0.0.0/33\" has a prefix length above 32 (an IPv4 prefix is 0-32)");
        assertThat(ClientAddresses.problemWith("fd00::/129")).contains(
                "\"fd00::/129\" has a prefix length above 128 (an IPv6 prefix is 0-128)");
        assertThat(ClientAddresses.problemWith("10.0.0.1/8")).contains(
                "\"10.0.0.1/8\" has bits set after its /8 prefix (did you mean 10.0.0.0/8?)");
        assertThat(ClientAddresses.problemWith("fd00::1/8")).contains(
                "\"fd00::1/8\" has bits set after its /8 prefix (did you mean fd00::/8?)");
        assertThat(ClientAddresses.problemWith("::ffff:0:0/95")).contains(
                "\"::ffff:0:0/95\" is an IPv4-mapped network with a prefix below 96 (write it as an IPv4 CIDR)");
        for (String bad : List.of("", "10.0.0", "10.0.0.0/", "10.0.0.0/08", "10.0.0.0/-1", "256.0.0.1", "1:2:3:4:5:6:7:8:9",
                "1::2::3", "[::1]", "::1%eth0", "10.0.0.1:80", "12345::", "localhost", " 10.0.0.1")) {
            assertThat(ClientAddresses.problemWith(bad)).as(bad).isPresent();
        }
    }

    @Test
    void format_ofIpv6_followsRfc5952() {
        assertThat(ClientAddresses.format(ClientAddresses.parseLiteral("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(ClientAddresses.format(ClientAddresses.parseLiteral("2001:db8:0:1:0:0:0:1"))).isEqualTo("2001:db8:0:1::1");
        assertThat(ClientAddresses.format(ClientAddresses.parseLiteral("2001:db8::"))).isEqualTo("2001:db8::");
        assertThat(ClientAddresses.format(ClientAddresses.parseLiteral("::"))).isEqualTo("::");
        assertThat(ClientAddresses.format(ClientAddresses.parseLiteral("1:0:2:3:4:5:6:7"))).isEqualTo("1:0:2:3:4:5:6:7");
        assertThat(ClientAddresses.format(ClientAddresses.parseLiteral("::1.2.3.4"))).isEqualTo("::102:304");
    }
}
