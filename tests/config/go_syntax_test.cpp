#include "config/go_syntax.h"

#include <gtest/gtest.h>

namespace nodenet::config::go {
namespace {

std::string addr_error(std::string_view s) {
    auto r = parse_addr(s);
    return r.ok() ? "<ok>" : r.error();
}

std::string prefix_error(std::string_view s) {
    auto r = parse_prefix(s);
    return r.ok() ? "<ok>" : r.error();
}

std::string split_error(std::string_view s) {
    auto r = split_host_port(s);
    return r.ok() ? "<ok>" : r.error();
}

std::string b64_error(std::string_view s) {
    auto r = base64_std_decode(s);
    return r.ok() ? "<ok>" : r.error();
}

std::string uri_error(std::string_view s) {
    auto r = parse_request_uri(s);
    return r.ok() ? "<ok>" : r.error();
}

std::string duration_error(std::string_view s) {
    auto r = parse_duration(s);
    return r.ok() ? "<ok>" : r.error();
}

TEST(GoParseIp, AcceptsDottedQuadAndIpv6Forms) {
    auto v4 = parse_ip("192.168.0.1");
    ASSERT_TRUE(v4);
    EXPECT_FALSE(v4->v6);
    EXPECT_EQ(v4->bytes[0], 192);
    EXPECT_EQ(v4->bytes[3], 1);
    for (auto s : {"::", "::1", "2001:db8::68", "2001:DB8:0:0:0:0:0:1", "1:2:3:4:5:6:7::", "::1.2.3.4",
                   "1:2:3:4:5:6:1.2.3.4", "0.0.0.0", "255.255.255.255"})
        EXPECT_TRUE(parse_ip(s)) << s;
}

TEST(GoParseIp, Ipv4MappedIsV6) {
    auto ip = parse_ip("::ffff:1.2.3.4");
    ASSERT_TRUE(ip);
    EXPECT_TRUE(ip->v6);
    EXPECT_EQ(ip->bytes[10], 0xFF);
    EXPECT_EQ(ip->bytes[11], 0xFF);
    EXPECT_EQ(ip->bytes[12], 1);
    EXPECT_EQ(ip->bytes[15], 4);
}

TEST(GoParseIp, RejectsLeadingZerosZonesBracketsAndJunk) {
    for (auto s : {"010.0.0.1", "1.2.3.04", "256.1.1.1", "1.2.3", "1.2.3.4.5", "fe80::1%eth0", "[::1]", "", "abc",
                   "1.2.3.4 ", " 1.2.3.4", "1::2::3", "12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "::1.2.3",
                   "1.2.3.4%eth0", "10.3.x", "1:2:3:4:5:6:7:8::", "::ffff:1.2.3.04"})
        EXPECT_FALSE(parse_ip(s)) << s;
}

TEST(GoParseAddr, ZonesAcceptedForIpv6Only) {
    auto ip = parse_addr("fe80::1%eth0");
    ASSERT_TRUE(ip.ok());
    EXPECT_EQ(ip->zone, "eth0");
    EXPECT_EQ(addr_error("fe80::1%"), "ParseAddr(\"fe80::1%\"): zone must be a non-empty string");
    EXPECT_EQ(addr_error("1.2.3.4%eth0"), "ParseAddr(\"1.2.3.4%eth0\"): unexpected character (at \"%eth0\")");
    EXPECT_EQ(addr_error("%eth0"), "ParseAddr(\"%eth0\"): missing IPv6 address");
}

TEST(GoParseAddr, ErrorTextsMatchGo) {
    EXPECT_EQ(addr_error(""), "ParseAddr(\"\"): unable to parse IP");
    EXPECT_EQ(addr_error("abc"), "ParseAddr(\"abc\"): unable to parse IP");
    EXPECT_EQ(addr_error("1.2.3"), "ParseAddr(\"1.2.3\"): IPv4 address too short");
    EXPECT_EQ(addr_error("1.2.3.4.5"), "ParseAddr(\"1.2.3.4.5\"): IPv4 address too long");
    EXPECT_EQ(addr_error("010.0.0.1"), "ParseAddr(\"010.0.0.1\"): IPv4 field has octet with leading zero");
    EXPECT_EQ(addr_error("1.256.0.1"), "ParseAddr(\"1.256.0.1\"): IPv4 field has value >255");
    EXPECT_EQ(addr_error("1..2.3"), "ParseAddr(\"1..2.3\"): IPv4 field must have at least one digit (at \".2.3\")");
    EXPECT_EQ(addr_error("1::2::3"), "ParseAddr(\"1::2::3\"): multiple :: in address (at \":3\")");
    EXPECT_EQ(addr_error("12345::"),
              "ParseAddr(\"12345::\"): each colon-separated field must have at most 4 hex digits (at \"12345::\")");
    EXPECT_EQ(addr_error("1:2:3:4:5:6:7"), "ParseAddr(\"1:2:3:4:5:6:7\"): address string too short");
    EXPECT_EQ(addr_error("1:2:3:4:5:6:7:8:9"),
              "ParseAddr(\"1:2:3:4:5:6:7:8:9\"): trailing garbage after address (at \"9\")");
    EXPECT_EQ(addr_error("1:2:3:4:5:6:7:1.2.3.4"),
              "ParseAddr(\"1:2:3:4:5:6:7:1.2.3.4\"): embedded IPv4 address must replace the final 2 fields of the "
              "address (at \"1.2.3.4\")");
    EXPECT_EQ(addr_error("1:2:3:4:5:6:7:8::"),
              "ParseAddr(\"1:2:3:4:5:6:7:8::\"): the :: must expand to at least one field of zeros (at "
              "\"1:2:3:4:5:6:7:8::\")");
    EXPECT_EQ(addr_error("1:"), "ParseAddr(\"1:\"): colon must be followed by more characters (at \":\")");
    EXPECT_EQ(addr_error("1:g::"),
              "ParseAddr(\"1:g::\"): each colon-separated field must have at least one digit (at \"g::\")");
    EXPECT_EQ(addr_error("::1.2.3"), "ParseAddr(\"::1.2.3\"): IPv4 address too short");
}

TEST(GoParseCidr, BitsAreDigitsWithinFamilyRange) {
    auto p = parse_cidr("10.0.0.0/08");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->bits, 8);
    auto host_bits = parse_cidr("192.168.0.5/24");
    ASSERT_TRUE(host_bits);
    EXPECT_EQ(host_bits->addr.bytes[3], 5);
    EXPECT_TRUE(parse_cidr("::/128"));
    EXPECT_TRUE(parse_cidr("::ffff:1.2.3.4/120"));  // 4-in-6 takes IPv6 lengths
    EXPECT_TRUE(parse_cidr("1.2.3.4/0000000000000008"));
    for (auto s : {"10.0.0.0/33", "::/129", "1.2.3.4/", "1.2.3.4/+8", "1.2.3.4/-1", "1.2.3.4", "10.3.x/24",
                   "fe80::1%eth0/64", "1.2.3.4/8/8", "010.0.0.0/8", "1.2.3.4/ 8"})
        EXPECT_FALSE(parse_cidr(s)) << s;
}

TEST(GoParsePrefix, AcceptsCanonicalBits) {
    auto p = parse_prefix("10.0.0.0/8");
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->bits, 8);
    EXPECT_TRUE(parse_prefix("10.0.0.0/0").ok());
    EXPECT_TRUE(parse_prefix("2001:db8::/32").ok());
    EXPECT_TRUE(parse_prefix("::ffff:1.2.3.4/128").ok());
}

TEST(GoParsePrefix, ErrorTextsMatchGo) {
    EXPECT_EQ(prefix_error("1.2.3.4"), "netip.ParsePrefix(\"1.2.3.4\"): no '/'");
    EXPECT_EQ(prefix_error("10.0.0.0/08"), "netip.ParsePrefix(\"10.0.0.0/08\"): bad bits after slash: \"08\"");
    EXPECT_EQ(prefix_error("10.0.0.0/"), "netip.ParsePrefix(\"10.0.0.0/\"): bad bits after slash: \"\"");
    EXPECT_EQ(prefix_error("10.0.0.0/+8"), "netip.ParsePrefix(\"10.0.0.0/+8\"): bad bits after slash: \"+8\"");
    EXPECT_EQ(prefix_error("10.0.0.0/-"), "netip.ParsePrefix(\"10.0.0.0/-\"): bad bits after slash: \"-\"");
    EXPECT_EQ(prefix_error("1.2.3.4/99999999999999999999"),
              "netip.ParsePrefix(\"1.2.3.4/99999999999999999999\"): bad bits after slash: \"99999999999999999999\"");
    EXPECT_EQ(prefix_error("10.0.0.0/33"), "netip.ParsePrefix(\"10.0.0.0/33\"): prefix length out of range");
    EXPECT_EQ(prefix_error("123::/456"), "netip.ParsePrefix(\"123::/456\"): prefix length out of range");
    EXPECT_EQ(prefix_error("fe80::1%eth0/64"),
              "netip.ParsePrefix(\"fe80::1%eth0/64\"): IPv6 zones cannot be present in a prefix");
    EXPECT_EQ(prefix_error("1.2.3/8"), "netip.ParsePrefix(\"1.2.3/8\"): ParseAddr(\"1.2.3\"): IPv4 address too short");
}

TEST(GoParseSubnetOrAddress, PrefixThenAddress) {
    EXPECT_TRUE(parse_subnet_or_address("10.0.0.0/8"));
    EXPECT_TRUE(parse_subnet_or_address("10.0.0.1"));
    EXPECT_TRUE(parse_subnet_or_address("fe80::1%eth0"));
    EXPECT_FALSE(parse_subnet_or_address("10"));
    EXPECT_FALSE(parse_subnet_or_address("123::/456"));
    EXPECT_FALSE(parse_subnet_or_address("10.0.0.0/08"));
}

TEST(GoValidateIpOrCidr, ErrorsLikeTalos) {
    EXPECT_FALSE(validate_ip_or_cidr("192.168.0.5/24"));
    EXPECT_FALSE(validate_ip_or_cidr("10.35.7.8"));
    EXPECT_EQ(validate_ip_or_cidr("10.3.x/24").value_or(""), "invalid CIDR address: 10.3.x/24");
    EXPECT_EQ(validate_ip_or_cidr("10.3.x").value_or(""), "failed to parse IP address \"10.3.x\"");
    EXPECT_EQ(validate_ip_or_cidr("a\"b").value_or(""), "failed to parse IP address \"a\\\"b\"");
}

TEST(GoSplitHostPort, SplitsLikeGo) {
    auto v4 = split_host_port("1.2.3.4:51820");
    ASSERT_TRUE(v4.ok());
    EXPECT_EQ(v4->first, "1.2.3.4");
    EXPECT_EQ(v4->second, "51820");
    auto v6 = split_host_port("[::1]:51820");
    ASSERT_TRUE(v6.ok());
    EXPECT_EQ(v6->first, "::1");
    auto empty_port = split_host_port("1.2.3.4:");
    ASSERT_TRUE(empty_port.ok());
    EXPECT_EQ(empty_port->second, "");
    auto empty_host = split_host_port(":port");
    ASSERT_TRUE(empty_host.ok());
    EXPECT_EQ(empty_host->first, "");
    EXPECT_EQ(empty_host->second, "port");
}

TEST(GoSplitHostPort, ErrorTextsMatchGo) {
    EXPECT_EQ(split_error("12.3.4.5"), "address 12.3.4.5: missing port in address");
    EXPECT_EQ(split_error("::1:80"), "address ::1:80: too many colons in address");
    EXPECT_EQ(split_error("[::1"), "address [::1: missing ']' in address");
    EXPECT_EQ(split_error("[::1]"), "address [::1]: missing port in address");
    EXPECT_EQ(split_error("[::1]x:80"), "address [::1]x:80: missing port in address");
    EXPECT_EQ(split_error("[::1]:80:90"), "address [::1]:80:90: too many colons in address");
    EXPECT_EQ(split_error("a[b:80"), "address a[b:80: unexpected '[' in address");
    EXPECT_EQ(split_error("a]b:80"), "address a]b:80: unexpected ']' in address");
    EXPECT_EQ(split_error("[a]:80]"), "address [a]:80]: unexpected ']' in address");
}

TEST(GoAddressContainsPort, LikeSiderolabsNet) {
    EXPECT_FALSE(address_contains_port("12.3.4.5"));
    EXPECT_TRUE(address_contains_port("[::1]:51820"));
    EXPECT_TRUE(address_contains_port("1.2.3.4:"));
    EXPECT_TRUE(address_contains_port("example.com:51820"));
    EXPECT_TRUE(address_contains_port("[fe80::1%eth0]:51820"));
    EXPECT_FALSE(address_contains_port("[foo:bar]:1"));
    EXPECT_FALSE(address_contains_port("::1"));
    EXPECT_FALSE(address_contains_port(""));
}

TEST(GoBase64, DecodesPaddedInputIgnoringNewlines) {
    EXPECT_EQ(base64_std_decode("aGVsbG8=").value(), "hello");
    EXPECT_EQ(base64_std_decode("aGVs\r\nbG8=\n").value(), "hello");
    EXPECT_EQ(base64_std_decode("").value(), "");
    EXPECT_EQ(base64_std_decode("\n").value(), "");
    EXPECT_EQ(base64_std_decode("QQ==").value(), "A");
    EXPECT_EQ(base64_std_decode("QR==").value(), "A");  // non-strict: trailing bits may be set
}

TEST(GoBase64, ErrorOffsetsMatchGo) {
    EXPECT_EQ(b64_error("QUJ!"), "illegal base64 data at input byte 3");
    EXPECT_EQ(b64_error("QUI"), "illegal base64 data at input byte 0");  // missing padding
    EXPECT_EQ(b64_error("AAAAA"), "illegal base64 data at input byte 4");
    EXPECT_EQ(b64_error("AAAAAA"), "illegal base64 data at input byte 4");
    EXPECT_EQ(b64_error("A="), "illegal base64 data at input byte 1");
    EXPECT_EQ(b64_error("AA="), "illegal base64 data at input byte 3");
    EXPECT_EQ(b64_error("AAAAAA="), "illegal base64 data at input byte 7");
    EXPECT_EQ(b64_error("YWJjZA====="), "illegal base64 data at input byte 8");  // too much padding
    EXPECT_EQ(b64_error("AA==AA=="), "illegal base64 data at input byte 4");
    EXPECT_EQ(b64_error("A!\n"), "illegal base64 data at input byte 1");
    EXPECT_EQ(b64_error("A\n="), "illegal base64 data at input byte 2");
    EXPECT_EQ(b64_error("AA=x"), "illegal base64 data at input byte 2");
    EXPECT_EQ(b64_error("aGVsbG8"), "illegal base64 data at input byte 4");
    EXPECT_EQ(b64_error("aGVs bG8="), "illegal base64 data at input byte 4");
}

TEST(GoWireguardKey, ChecksDecodingAndLength) {
    EXPECT_FALSE(check_wireguard_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
    EXPECT_EQ(check_wireguard_key("").value_or(""), "wrong key \"\" length: 0");
    EXPECT_EQ(check_wireguard_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==").value_or(""),
              "wrong key \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\" length: 31");
    EXPECT_EQ(check_wireguard_key("not a key").value_or(""), "illegal base64 data at input byte 3");
}

TEST(GoParseRequestUri, ReturnsPath) {
    EXPECT_EQ(parse_request_uri("https://discovery.talos.dev/").value(), "/");
    EXPECT_EQ(parse_request_uri("https://discovery.talos.dev").value(), "");
    EXPECT_EQ(parse_request_uri("https://discovery.talos.dev/a%20b?x=1").value(), "/a b");
    EXPECT_EQ(parse_request_uri("https://discovery.talos.dev/?").value(), "/");
    EXPECT_EQ(parse_request_uri("http://10.0.0.1:3000/v1").value(), "/v1");
    EXPECT_EQ(parse_request_uri("https://[fd00::1]:3000/").value(), "/");
    EXPECT_EQ(parse_request_uri("https://user:pw@host/").value(), "/");
    EXPECT_EQ(parse_request_uri("mailto:someone").value(), "");  // opaque
    EXPECT_EQ(parse_request_uri("/just/a/path").value(), "/just/a/path");
    EXPECT_EQ(parse_request_uri("//host/path").value(), "//host/path");  // no scheme: no authority
    EXPECT_EQ(parse_request_uri("*").value(), "*");
}

// url.Parse as Talos 1.14 reads a DiscoveryServiceConfig endpoint: the scheme and URL.Hostname().
TEST(GoParseUrl, SchemeAndHostname) {
    auto parts = [](std::string_view s) {
        auto r = parse_url(s);
        return r.ok() ? r->scheme + "|" + r->hostname : "error: " + r.error();
    };
    EXPECT_EQ(parts("https://discovery.talos.dev/"), "https|discovery.talos.dev");
    EXPECT_EQ(parts("HTTPS://Discovery.Talos.dev"), "https|Discovery.Talos.dev");  // only the scheme is lowered
    EXPECT_EQ(parts("grpc://[fd00::1]:3000/x#frag"), "grpc|fd00::1");
    EXPECT_EQ(parts("http://user:pw@10.0.0.1:3000"), "http|10.0.0.1");
    EXPECT_EQ(parts("http://:3000"), "http|");
    EXPECT_EQ(parts("https:///path"), "https|");
    EXPECT_EQ(parts("localhost:3000"), "localhost|");  // scheme "localhost", opaque "3000"
    EXPECT_EQ(parts("discovery.example.com"), "|");    // a relative path
    EXPECT_EQ(parts("//host/path"), "|host");          // no scheme, but an authority
    EXPECT_EQ(parts("10.0.0.1:3000"), "error: parse \"10.0.0.1:3000\": first path segment in URL cannot contain colon");
    EXPECT_EQ(parts(":foo"), "error: parse \":foo\": missing protocol scheme");
    EXPECT_EQ(parts("https://a b/"), "error: parse \"https://a b/\": invalid character \" \" in host name");
    EXPECT_EQ(parts("https://h/#%zz"), "error: parse \"https://h/#%zz\": invalid URL escape \"%zz\"");
}

TEST(GoParseRequestUri, ErrorTextsMatchGo) {
    EXPECT_EQ(uri_error("foo"), "parse \"foo\": invalid URI for request");
    EXPECT_EQ(uri_error(""), "parse \"\": empty url");
    EXPECT_EQ(uri_error(":foo"), "parse \":foo\": missing protocol scheme");
    EXPECT_EQ(uri_error("http://a\x01/"), "parse \"http://a\\x01/\": net/url: invalid control character in URL");
    EXPECT_EQ(uri_error("http://host:x/"), "parse \"http://host:x/\": invalid port \":x\" after host");
    EXPECT_EQ(uri_error("/a%zz"), "parse \"/a%zz\": invalid URL escape \"%zz\"");
    EXPECT_EQ(uri_error("/a%2"), "parse \"/a%2\": invalid URL escape \"%2\"");
    EXPECT_EQ(uri_error("https://[::1/"), "parse \"https://[::1/\": missing ']' in host");
    EXPECT_EQ(uri_error("https://[1.2.3.4]/"), "parse \"https://[1.2.3.4]/\": invalid IP-literal");
    EXPECT_EQ(uri_error("https://ho st/"), "parse \"https://ho st/\": invalid character \" \" in host name");
    EXPECT_EQ(uri_error("https://us er@host/"), "parse \"https://us er@host/\": net/url: invalid userinfo");
    EXPECT_EQ(uri_error("https://h%41/"), "parse \"https://h%41/\": invalid URL escape \"%41\"");
}

TEST(GoParseDuration, ParsesLikeGo) {
    constexpr int64_t kSecond = 1'000'000'000;
    EXPECT_EQ(parse_duration("1m30s").value(), 90 * kSecond);
    EXPECT_EQ(parse_duration("-5s").value(), -5 * kSecond);
    EXPECT_EQ(parse_duration("+5s").value(), 5 * kSecond);
    EXPECT_EQ(parse_duration("1.5h").value(), 5400 * kSecond);
    EXPECT_EQ(parse_duration("25s").value(), 25 * kSecond);
    EXPECT_EQ(parse_duration("0").value(), 0);
    EXPECT_EQ(parse_duration("-0").value(), 0);
    EXPECT_EQ(parse_duration("1.s").value(), kSecond);
    EXPECT_EQ(parse_duration(".5s").value(), kSecond / 2);
    EXPECT_EQ(parse_duration("3us").value(), 3000);
    EXPECT_EQ(parse_duration("3\xC2\xB5s").value(), 3000);  // U+00B5
    EXPECT_EQ(parse_duration("3\xCE\xBCs").value(), 3000);  // U+03BC
    EXPECT_EQ(parse_duration("1h2m3s4ms5us6ns").value(), 3723004005006);
    EXPECT_EQ(parse_duration("9223372036854775807ns").value(), INT64_MAX);
    EXPECT_EQ(parse_duration("-9223372036854775808ns").value(), INT64_MIN);
}

TEST(GoParseDuration, ErrorTextsMatchGo) {
    EXPECT_EQ(duration_error(""), "time: invalid duration \"\"");
    EXPECT_EQ(duration_error("abc"), "time: invalid duration \"abc\"");
    EXPECT_EQ(duration_error("-"), "time: invalid duration \"-\"");
    EXPECT_EQ(duration_error(".s"), "time: invalid duration \".s\"");
    EXPECT_EQ(duration_error("5"), "time: missing unit in duration \"5\"");
    EXPECT_EQ(duration_error("1s5"), "time: missing unit in duration \"1s5\"");
    EXPECT_EQ(duration_error("5x"), "time: unknown unit \"x\" in duration \"5x\"");
    EXPECT_EQ(duration_error("5\xC2\xB5"), "time: unknown unit \"\\xc2\\xb5\" in duration \"5\\xc2\\xb5\"");
    EXPECT_EQ(duration_error("9223372036854775808ns"), "time: invalid duration \"9223372036854775808ns\"");
    EXPECT_EQ(duration_error("3000000h"), "time: invalid duration \"3000000h\"");
    EXPECT_EQ(duration_error("99999999999999999999s"), "time: invalid duration \"99999999999999999999s\"");
}

TEST(GoQuote, EscapesLikeStrconvQuote) {
    EXPECT_EQ(quote(""), "\"\"");
    EXPECT_EQ(quote("eth0"), "\"eth0\"");
    EXPECT_EQ(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(quote("\a\b\f\n\r\t\v"), "\"\\a\\b\\f\\n\\r\\t\\v\"");
    EXPECT_EQ(quote(std::string_view("\x00\x01\x7f", 3)), "\"\\x00\\x01\\x7f\"");
    EXPECT_EQ(quote("caf\xC3\xA9"), "\"caf\xC3\xA9\"");             // printable UTF-8 kept
    EXPECT_EQ(quote("\xF0\x9F\x98\x80"), "\"\xF0\x9F\x98\x80\"");   // U+1F600
    EXPECT_EQ(quote("\xff"), "\"\\xff\"");                          // invalid UTF-8
    EXPECT_EQ(quote("\xC0\xAF"), "\"\\xc0\\xaf\"");                 // overlong
    EXPECT_EQ(quote("\xED\xA0\x80"), "\"\\xed\\xa0\\x80\"");        // surrogate
    EXPECT_EQ(quote("\xC2\xA0"), "\"\\u00a0\"");                    // no-break space
    EXPECT_EQ(quote("\xE2\x80\x8B"), "\"\\u200b\"");                // zero width space
    EXPECT_EQ(quote("\xC2\x85"), "\"\\u0085\"");                    // C1 control
    EXPECT_EQ(quote("\xF3\xB0\x80\x80"), "\"\\U000f0000\"");        // private use
}

TEST(GoFormatIp, CanonicalText) {
    auto fmt = [](std::string_view s) { return format_ip(parse_addr(s).value()); };
    EXPECT_EQ(fmt("1.2.3.4"), "1.2.3.4");
    EXPECT_EQ(fmt("::"), "::");
    EXPECT_EQ(fmt("::1"), "::1");
    EXPECT_EQ(fmt("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
    EXPECT_EQ(fmt("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");  // first of equal runs
    EXPECT_EQ(fmt("1:0:0:1:0:0:0:1"), "1:0:0:1::1");               // longest run
    EXPECT_EQ(fmt("1:0:2:3:4:5:6:7"), "1:0:2:3:4:5:6:7");          // a single zero group stays
    EXPECT_EQ(fmt("0001:00ab:0:0:0:0:0:0"), "1:ab::");
    EXPECT_EQ(fmt("::ffff:1.2.3.4"), "::ffff:1.2.3.4");
    EXPECT_EQ(fmt("::1.2.3.4"), "::102:304");
    EXPECT_EQ(fmt("fe80::1%eth0"), "fe80::1%eth0");
}

}  // namespace
}  // namespace nodenet::config::go
