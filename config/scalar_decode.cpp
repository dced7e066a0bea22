// go-yaml's resolve() and the scalar half of its decoder (constructor), for the Go types Talos's
// network structs use. Follows go-yaml v4; where v3 differs it is noted.
#include "config/scalar_decode.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include "config/go_syntax.h"

namespace nodenet::config {
namespace {

enum class Type { Null, Bool, Int, Uint, Float, String, Timestamp };

struct Resolved {
    Type type = Type::String;
    bool boolean = false;
    int64_t int_value = 0;
    uint64_t uint_value = 0;  // only for values above int64, as go-yaml's ParseUint fallback
    double float_value = 0;
    std::string text;         // Type::String: the value (decoded for !!binary)
    bool indicated = false;   // a string because quoted, a block scalar or tagged !!str
    bool binary = false;
};

constexpr double kTwoTo64 = 18446744073709551616.0;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// strconv.ParseUint(s, 0, 64): 0b/0o/0x prefixes (only with a digit after them) and leading-0 octal.
std::optional<uint64_t> parse_uint_base0(std::string_view s) {
    if (s.empty()) return std::nullopt;
    uint64_t base = 10;
    if (s[0] == '0') {
        char prefix = s.size() >= 3 ? static_cast<char>(s[1] | 0x20) : '\0';
        base = prefix == 'b' ? 2 : prefix == 'o' ? 8 : prefix == 'x' ? 16 : 8;
        s.remove_prefix(prefix == 'b' || prefix == 'o' || prefix == 'x' ? 2 : 1);
    }
    uint64_t n = 0;
    for (char c : s) {
        char lower = static_cast<char>(c | 0x20);
        uint64_t d = is_digit(c) ? static_cast<uint64_t>(c - '0')
                     : (lower >= 'a' && lower <= 'z') ? static_cast<uint64_t>(lower - 'a' + 10) : 99;
        if (d >= base) return std::nullopt;
        if (n > (std::numeric_limits<uint64_t>::max() - d) / base) return std::nullopt;
        n = n * base + d;
    }
    return n;
}

// strconv.ParseInt(s, 0, 64)
std::optional<int64_t> parse_int_base0(std::string_view s) {
    bool negative = !s.empty() && s[0] == '-';
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    auto magnitude = parse_uint_base0(s);
    if (!magnitude) return std::nullopt;
    if (!negative && *magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    if (negative && *magnitude > (uint64_t{1} << 63)) return std::nullopt;
    return negative ? static_cast<int64_t>(0 - *magnitude) : static_cast<int64_t>(*magnitude);
}

// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool yaml_style_float(std::string_view s) {
    size_t i = 0;
    auto digits = [&] {
        size_t start = i;
        while (i < s.size() && is_digit(s[i])) ++i;
        return i > start;
    };
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (!digits()) return false;
    } else {
        if (!digits()) return false;
        if (i < s.size() && s[i] == '.') {
            ++i;
            digits();
        }
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
        if (!digits()) return false;
    }
    return i == s.size();
}

// Decimal exponent of the leading significant digit of a float text that did not fit a double:
// positive means it overflowed, otherwise it underflowed.
int64_t decimal_magnitude(std::string_view s) {
    size_t exp_at = s.find_first_of("eE");
    std::string_view mantissa = s.substr(0, exp_at);
    size_t point = mantissa.find('.');
    int64_t int_len = static_cast<int64_t>(point == std::string_view::npos ? mantissa.size() : point);
    int64_t index = 0;
    int64_t first = 0;
    for (char c : mantissa) {
        if (!is_digit(c)) continue;
        if (c != '0') {
            first = index;
            break;
        }
        ++index;
    }
    int64_t exponent = 0;
    if (exp_at != std::string_view::npos) {
        std::string_view e = s.substr(exp_at + 1);
        bool negative = !e.empty() && e[0] == '-';
        for (char c : e)
            if (is_digit(c) && exponent < 1'000'000) exponent = exponent * 10 + (c - '0');
        if (negative) exponent = -exponent;
    }
    return int_len - 1 - first + exponent;
}

// strconv.ParseFloat(s, 64) for text already matching yaml_style_float: an overflow is an error
// (ErrRange), an underflow is zero.
std::optional<double> parse_float(std::string_view s) {
    std::string_view body = s[0] == '+' ? s.substr(1) : s;
    double d = 0;
    auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), d);
    if (ec == std::errc() && ptr == body.data() + body.size()) return d;
    if (ec != std::errc::result_out_of_range) return std::nullopt;
    std::string_view unsigned_body = body[0] == '-' ? body.substr(1) : body;
    if (decimal_magnitude(unsigned_body) > 0) return std::nullopt;
    return body[0] == '-' ? -0.0 : 0.0;
}

Resolved of_type(Type type) {
    Resolved r;
    r.type = type;
    return r;
}

Resolved of_float(double value) {
    Resolved r = of_type(Type::Float);
    r.float_value = value;
    return r;
}

// resolveMap: the spellings resolved by table rather than by parsing.
std::optional<Resolved> lookup_map(std::string_view in) {
    auto is = [&](std::initializer_list<std::string_view> forms) {
        for (auto f : forms)
            if (in == f) return true;
        return false;
    };
    if (is({"", "~", "null", "Null", "NULL"})) return of_type(Type::Null);
    if (is({"true", "True", "TRUE", "false", "False", "FALSE"})) {
        Resolved r = of_type(Type::Bool);
        r.boolean = in[0] == 't' || in[0] == 'T';
        return r;
    }
    if (is({".nan", ".NaN", ".NAN"})) return of_float(std::nan(""));
    if (is({".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) return of_float(HUGE_VAL);
    if (is({"-.inf", "-.Inf", "-.INF"})) return of_float(-HUGE_VAL);
    if (is({"-0", "-0.0"})) return of_float(-0.0);  // go-yaml v4; v3 resolved "-0" to int 0
    return std::nullopt;
}

// resolve() with no tag: the hint table picks which parsers to try from the first character.
Resolved resolve_plain(std::string_view in) {
    Resolved str;
    str.text = std::string(in);
    char first = in.empty() ? 'N' : in[0];
    bool number_hint = is_digit(first) || first == '+' || first == '-';
    bool map_hint = std::string_view("yYnNtTfFoO~").find(first) != std::string_view::npos;
    if (!number_hint && !map_hint && first != '.') return str;
    if (auto item = lookup_map(in)) return *item;
    if (first == '.') {
        auto f = yaml_style_float(in) ? parse_float(in) : std::nullopt;
        return f ? of_float(*f) : str;
    }
    if (!number_hint) return str;
    std::string plain;
    for (char c : in)
        if (c != '_') plain += c;
    if (auto i = parse_int_base0(plain)) {
        Resolved r = of_type(Type::Int);
        r.int_value = *i;
        return r;
    }
    if (auto u = parse_uint_base0(plain)) {
        Resolved r = of_type(Type::Uint);
        r.uint_value = *u;
        return r;
    }
    if (auto f = yaml_style_float(plain) ? parse_float(plain) : std::nullopt) return of_float(*f);
    return str;
}

const char* tag_of(Type type) {
    switch (type) {
        case Type::Null: return "!!null";
        case Type::Bool: return "!!bool";
        case Type::Int:
        case Type::Uint: return "!!int";
        case Type::Float: return "!!float";
        case Type::Timestamp: return "!!timestamp";
        case Type::String: break;
    }
    return "!!str";
}

// decoder.scalar's first half: what value the node stands for, honouring an explicit tag.
Result<Resolved> resolve_scalar(const yaml::Node& n) {
    constexpr std::string_view kLongPrefix = "tag:yaml.org,2002:";
    std::string tag = n.tag;
    if (tag.compare(0, kLongPrefix.size(), kLongPrefix) == 0) tag = "!!" + tag.substr(kLongPrefix.size());
    if (tag == "!") tag.clear();  // the non-specific tag only says "not plain-resolved" for quoted text
    Resolved r;
    r.text = n.value;
    if (tag == "!!str" || (tag.empty() && n.style != yaml::Style::Plain)) {
        r.indicated = true;
        return r;
    }
    if (tag == "!!binary") {
        auto data = go::base64_std_decode(n.value);
        if (!data.ok()) return Error{"!!binary value contains invalid base64 data"};
        r.text = std::move(data.value());
        r.binary = true;
        return r;
    }
    if (tag == "!!timestamp") {
        r.type = Type::Timestamp;
        return r;
    }
    bool resolvable = tag.empty() || tag == "!!bool" || tag == "!!int" || tag == "!!float" || tag == "!!null";
    if (!resolvable) return r;  // an application tag: the text stays a string
    Resolved out = resolve_plain(n.value);
    if (tag.empty() || tag == tag_of(out.type)) return out;
    if (tag == "!!float" && out.type == Type::Int) {
        out.type = Type::Float;
        out.float_value = static_cast<double>(out.int_value);
        return out;
    }
    return Error{std::string("cannot decode ") + tag_of(out.type) + " `" + n.value + "` as a " + tag};
}

Error container_error(const yaml::Node& n) {
    return Error{std::string("expected a scalar, found a ") + (n.is_mapping() ? "mapping" : "sequence")};
}

// An exact integer as sign and magnitude, so int and uint targets share one range check.
struct Integer {
    bool negative = false;
    uint64_t magnitude = 0;
    bool beyond_64_bits = false;  // a float too large for any Go integer type
};

// The integer a resolved scalar denotes; nullopt when it is no integer at all. Floats count when
// they convert losslessly (go-yaml v4; v3 truncated 1500.5 to 1500).
std::optional<Integer> integer_of(const Resolved& r) {
    switch (r.type) {
        case Type::Int:
            if (r.int_value < 0) return Integer{true, 0 - static_cast<uint64_t>(r.int_value)};
            return Integer{false, static_cast<uint64_t>(r.int_value)};
        case Type::Uint: return Integer{false, r.uint_value};
        case Type::Float: {
            double f = r.float_value;
            if (!std::isfinite(f) || std::trunc(f) != f) return std::nullopt;
            if (std::fabs(f) >= kTwoTo64) return Integer{f < 0, 0, true};
            return Integer{f < 0, static_cast<uint64_t>(std::fabs(f))};
        }
        default: return std::nullopt;
    }
}

// The type error for a scalar that is not an integer: quoted numerals get a hint, since
// `mtu: "1500"` is the usual way to hit it.
Error not_an_integer(const yaml::Node& n, const Resolved& r, std::string_view go_type) {
    std::string expected = "expected " + std::string(go_type) + ", found ";
    if (r.type == Type::String && r.indicated) {
        Resolved unquoted = resolve_plain(n.value);
        bool numeral = unquoted.type == Type::Int || unquoted.type == Type::Uint ||
                       (unquoted.type == Type::Float && std::isfinite(unquoted.float_value));
        if (numeral) return Error{expected + "quoted string " + go::quote(n.value) + " (remove the quotes)"};
    }
    return Error{expected + go::quote(n.value)};
}

// Resolves a scalar for an integer target. Null and resolved null give 0 (nullopt here).
Result<std::optional<Integer>> integer_scalar(const yaml::Node& n, std::string_view go_type) {
    if (n.is_null()) return std::optional<Integer>{Integer{}};
    if (!n.is_scalar()) return container_error(n);
    auto r = resolve_scalar(n);
    if (!r.ok()) return Error{r.error()};
    if (r->type == Type::Null) return std::optional<Integer>{Integer{}};
    if (auto i = integer_of(r.value())) return std::optional<Integer>{*i};
    return not_an_integer(n, r.value(), go_type);
}

Error out_of_range(const yaml::Node& n, std::string_view go_type) {
    return Error{n.value + " is out of range for " + std::string(go_type)};
}

// The YAML 1.1 booleans go-yaml still grants typed bool targets.
std::optional<bool> yaml11_bool(std::string_view s) {
    for (std::string_view w : {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON"})
        if (s == w) return true;
    for (std::string_view w : {"n", "N", "no", "No", "NO", "off", "Off", "OFF"})
        if (s == w) return false;
    return std::nullopt;
}

}  // namespace

Result<std::string> decode_string(const yaml::Node& node) {
    if (node.is_null()) return std::string();
    if (!node.is_scalar()) return container_error(node);
    auto r = resolve_scalar(node);
    if (!r.ok()) return Error{r.error()};
    if (r->type == Type::Null) return std::string();
    return r->binary ? r->text : node.value;
}

Result<std::optional<bool>> decode_bool(const yaml::Node& node) {
    if (node.is_null()) return std::optional<bool>{};
    if (!node.is_scalar()) return container_error(node);
    auto r = resolve_scalar(node);
    if (!r.ok()) return Error{r.error()};
    if (r->type == Type::Null) return std::optional<bool>{};
    if (r->type == Type::Bool) return std::optional<bool>{r->boolean};
    if (r->type == Type::String) {
        if (auto word = yaml11_bool(r->text)) return word;
    }
    return Error{"expected a boolean (true/false, yes/no, on/off), found " + go::quote(node.value)};
}

Result<int64_t> decode_int(const yaml::Node& node, int64_t min, int64_t max, std::string_view go_type) {
    auto scalar = integer_scalar(node, go_type);
    if (!scalar.ok()) return Error{scalar.error()};
    Integer i = *scalar.value();
    uint64_t i64_min_magnitude = uint64_t{1} << 63;
    if (i.beyond_64_bits || (i.negative ? i.magnitude > i64_min_magnitude : i.magnitude >= i64_min_magnitude))
        return out_of_range(node, go_type);
    int64_t v = i.negative ? static_cast<int64_t>(0 - i.magnitude) : static_cast<int64_t>(i.magnitude);
    if (v < min || v > max) return out_of_range(node, go_type);
    return v;
}

Result<uint64_t> decode_uint(const yaml::Node& node, uint64_t max, std::string_view go_type) {
    auto scalar = integer_scalar(node, go_type);
    if (!scalar.ok()) return Error{scalar.error()};
    Integer i = *scalar.value();
    if (i.beyond_64_bits || (i.negative && i.magnitude != 0) || i.magnitude > max) return out_of_range(node, go_type);
    return i.magnitude;
}

Result<int64_t> decode_duration(const yaml::Node& node) {
    if (node.is_null()) return int64_t{0};
    if (!node.is_scalar()) return container_error(node);
    auto r = resolve_scalar(node);
    if (!r.ok()) return Error{r.error()};
    switch (r->type) {
        case Type::Null: return int64_t{0};
        case Type::String: return go::parse_duration(r->text);
        case Type::Int:
            if (r->int_value == 0) return int64_t{0};  // go-yaml v4 lets a bare 0 through; v3 did not
            [[fallthrough]];
        case Type::Uint:
        case Type::Float:
            return Error{"expected a duration, found " + go::quote(node.value) +
                         " (a duration needs a unit, like \"25s\")"};
        default: return Error{"expected a duration, found " + go::quote(node.value)};
    }
}

}  // namespace nodenet::config
