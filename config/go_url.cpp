// Port of Go's net/url parsing, as Talos checks discovery endpoints with it: url.ParseRequestURI for
// v1alpha1's .cluster.discovery, url.Parse for the DiscoveryServiceConfig document.
#include "config/go_syntax.h"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <limits>
#include <string>
#include <tuple>
#include <utility>

#include "config/go_syntax_detail.h"

namespace nodenet::config::go {
namespace {

using namespace detail;

// ---- net/url ----------------------------------------------------------------------------------

enum class UrlMode { Path, Host, Zone, UserPassword };

// shouldEscape(c, encodeHost) for ASCII c: what may stand unescaped in a host.
bool host_needs_escape(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(static_cast<char>(c))) return false;
    return std::string_view("-_.~!$&'()*+,;=:[]<>\"").find(static_cast<char>(c)) == std::string_view::npos;
}

Error escape_error(std::string_view s) { return Error{"invalid URL escape " + quote(s)}; }

// unescape: validates first (reporting Go's EscapeError / InvalidHostError), then decodes %XX.
Result<std::string> url_unescape(std::string_view s, UrlMode mode) {
    bool host_like = mode == UrlMode::Host || mode == UrlMode::Zone;
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c != '%') {
            if (host_like && c < 0x80 && host_needs_escape(c))
                return Error{"invalid character " + quote(s.substr(i, 1)) + " in host name"};
            ++i;
            continue;
        }
        if (i + 2 >= s.size() || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0)
            return escape_error(s.substr(i, 3));
        int v = hex_value(s[i + 1]) << 4 | hex_value(s[i + 2]);
        bool pct25 = s.substr(i, 3) == "%25";
        if (mode == UrlMode::Host && hex_value(s[i + 1]) < 8 && !pct25) return escape_error(s.substr(i, 3));
        if (mode == UrlMode::Zone && !pct25 && v != ' ' && host_needs_escape(static_cast<unsigned char>(v)))
            return escape_error(s.substr(i, 3));
        i += 3;
    }
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            out += static_cast<char>(hex_value(s[i + 1]) << 4 | hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// validOptionalPort: "" or ":" followed by digits.
bool valid_optional_port(std::string_view port) {
    if (port.empty()) return true;
    if (port[0] != ':') return false;
    for (char c : port.substr(1))
        if (!is_digit(c)) return false;
    return true;
}

std::optional<Error> parse_url_host(std::string_view host) {
    auto bad_port = [](std::string_view p) { return Error{"invalid port " + quote(p) + " after host"}; };
    if (!host.empty() && host[0] == '[') {
        size_t close = host.rfind(']');
        if (close == std::string_view::npos) return Error{"missing ']' in host"};
        if (!valid_optional_port(host.substr(close + 1))) return bad_port(host.substr(close + 1));
        // Only an IPv6 literal may stand in brackets; "%25" introduces an RFC 6874 zone.
        std::string_view name = host.substr(1, close - 1);
        size_t zone = name.find("%25");
        auto head = url_unescape(name.substr(0, zone), UrlMode::Host);
        if (!head.ok()) return Error{head.error()};
        std::string literal = head.value();
        if (zone != std::string_view::npos) {
            auto tail = url_unescape(name.substr(zone), UrlMode::Zone);
            if (!tail.ok()) return Error{tail.error()};
            literal += tail.value();
        }
        auto addr = parse_addr(literal);
        if (!addr.ok()) return Error{"invalid host: " + addr.error()};
        if (!addr->v6) return Error{"invalid IP-literal"};
        return std::nullopt;
    }
    if (size_t colon = host.find(':'); colon != std::string_view::npos && !valid_optional_port(host.substr(colon)))
        return bad_port(host.substr(colon));
    auto plain = url_unescape(host, UrlMode::Host);
    if (!plain.ok()) return Error{plain.error()};
    return std::nullopt;
}

// validUserinfo (RFC 3986 §3.2.1 plus '@', which Go tolerates).
bool valid_userinfo(std::string_view s) {
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(ch)) continue;
        if (c >= 0x80 || std::string_view("-._:~!$&'()*+,;=%@").find(ch) == std::string_view::npos) return false;
    }
    return true;
}

std::optional<Error> parse_url_authority(std::string_view authority) {
    size_t at = authority.rfind('@');
    std::string_view host = at == std::string_view::npos ? authority : authority.substr(at + 1);
    if (auto err = parse_url_host(host)) return err;
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view userinfo = authority.substr(0, at);
    if (!valid_userinfo(userinfo)) return Error{"net/url: invalid userinfo"};
    size_t colon = userinfo.find(':');
    for (auto part : {userinfo.substr(0, colon), colon == std::string_view::npos ? std::string_view{}
                                                                                 : userinfo.substr(colon + 1)}) {
        auto r = url_unescape(part, UrlMode::UserPassword);
        if (!r.ok()) return Error{r.error()};
    }
    return std::nullopt;
}

// getScheme: the scheme, and the rest after its ':'; an empty scheme when there is none.
Result<std::pair<std::string_view, std::string_view>> split_scheme(std::string_view raw) {
    for (size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) continue;
        if (is_digit(c) || c == '+' || c == '-' || c == '.') {
            if (i == 0) break;
            continue;
        }
        if (c == ':') {
            if (i == 0) return Error{"missing protocol scheme"};
            return std::pair{raw.substr(0, i), raw.substr(i + 1)};
        }
        break;
    }
    return std::pair{std::string_view{}, raw};
}

// URL.Hostname of an authority that parsed: after any userinfo, without a valid port, unbracketed.
std::string url_hostname(std::string_view authority) {
    size_t at = authority.rfind('@');
    std::string_view host = at == std::string_view::npos ? authority : authority.substr(at + 1);
    if (size_t colon = host.rfind(':'); colon != std::string_view::npos && valid_optional_port(host.substr(colon)))
        host = host.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    auto unescaped = url_unescape(host, UrlMode::Path);  // the authority parsed, so its escapes are valid
    return unescaped.ok() ? unescaped.value() : std::string(host);
}

}  // namespace

Result<Url> parse_url(std::string_view raw_with_fragment) {
    size_t hash = raw_with_fragment.find('#');
    std::string_view raw = raw_with_fragment.substr(0, hash);
    auto fail = [&](std::string_view quoted, const std::string& reason) {
        return Error{"parse " + quote(quoted) + ": " + reason};
    };
    for (char c : raw)
        if (static_cast<unsigned char>(c) < ' ' || c == 0x7F) return fail(raw, "net/url: invalid control character in URL");
    Url url;
    if (raw == "*") return url;
    auto scheme_rest = split_scheme(raw);
    if (!scheme_rest.ok()) return fail(raw, scheme_rest.error());
    auto [scheme, rest] = scheme_rest.value();
    url.scheme = std::string(scheme);
    std::transform(url.scheme.begin(), url.scheme.end(), url.scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!rest.empty() && rest.back() == '?' && rest.find('?') == rest.size() - 1)
        rest.remove_suffix(1);
    else
        rest = rest.substr(0, rest.find('?'));
    if (rest.empty() || rest[0] != '/') {
        if (!url.scheme.empty()) return url;  // opaque: no host
        // Go refuses what looks like a malformed scheme (cache_object:foo/bar).
        if (rest.substr(0, rest.find('/')).find(':') != std::string_view::npos)
            return fail(raw, "first path segment in URL cannot contain colon");
    }
    if ((!url.scheme.empty() || rest.substr(0, 3) != "///") && rest.substr(0, 2) == "//") {
        std::string_view authority = rest.substr(2);
        size_t slash = authority.find('/');
        rest = slash == std::string_view::npos ? std::string_view{} : authority.substr(slash);
        authority = authority.substr(0, slash);
        if (auto err = parse_url_authority(authority)) return fail(raw, err->message);
        url.hostname = url_hostname(authority);
    }
    if (auto path = url_unescape(rest, UrlMode::Path); !path.ok()) return fail(raw, path.error());
    if (hash != std::string_view::npos) {
        // setFragment: the error quotes the whole text, fragment included.
        if (auto fragment = url_unescape(raw_with_fragment.substr(hash + 1), UrlMode::Path); !fragment.ok())
            return fail(raw_with_fragment, fragment.error());
    }
    return url;
}

Result<std::string> parse_request_uri(std::string_view raw) {
    auto fail = [&](const std::string& reason) { return Error{"parse " + quote(raw) + ": " + reason}; };
    for (char c : raw)
        if (static_cast<unsigned char>(c) < ' ' || c == 0x7F) return fail("net/url: invalid control character in URL");
    if (raw.empty()) return fail("empty url");
    if (raw == "*") return std::string("*");
    auto scheme_rest = split_scheme(raw);
    if (!scheme_rest.ok()) return fail(scheme_rest.error());
    auto [scheme, rest] = scheme_rest.value();
    // ParseRequestURI keeps any '#' in the path; only the query is cut off.
    if (!rest.empty() && rest.back() == '?' && rest.find('?') == rest.size() - 1)
        rest.remove_suffix(1);
    else
        rest = rest.substr(0, rest.find('?'));
    if (rest.empty() || rest[0] != '/') {
        if (!scheme.empty()) return std::string();  // opaque URI: no path
        return fail("invalid URI for request");
    }
    if (!scheme.empty() && rest.substr(0, 2) == "//") {
        std::string_view authority = rest.substr(2);
        size_t slash = authority.find('/');
        rest = slash == std::string_view::npos ? std::string_view{} : authority.substr(slash);
        if (auto err = parse_url_authority(authority.substr(0, slash))) return fail(err->message);
    }
    auto path = url_unescape(rest, UrlMode::Path);
    if (!path.ok()) return fail(path.error());
    return path;
}

}  // namespace nodenet::config::go
