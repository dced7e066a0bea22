#include "config/scalar_decode.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <vector>

namespace nodenet::config {
namespace {

constexpr int64_t kIntMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kIntMax = std::numeric_limits<int64_t>::max();

class ScalarDecodeTest : public ::testing::Test {
protected:
    // The value node of `v: <text>`.
    const yaml::Node& node(const std::string& text) {
        streams_.push_back(std::make_unique<yaml::Stream>());
        yaml::SyntaxError error;
        bool parsed = yaml::parse("v: " + text + "\n", *streams_.back(), error);
        EXPECT_TRUE(parsed) << text << ": " << error.message;
        static const yaml::Node kNull;
        if (!parsed) return kNull;
        return *streams_.back()->documents.at(0).root->get("v");
    }

    std::string string_of(const std::string& text) {
        auto r = decode_string(node(text));
        return r.ok() ? r.value() : "error: " + r.error();
    }

    std::string bool_of(const std::string& text) {
        auto r = decode_bool(node(text));
        if (!r.ok()) return "error: " + r.error();
        return !r.value() ? "null" : *r.value() ? "true" : "false";
    }

    std::string int_of(const std::string& text, int64_t min = kIntMin, int64_t max = kIntMax) {
        auto r = decode_int(node(text), min, max, "int");
        return r.ok() ? std::to_string(r.value()) : "error: " + r.error();
    }

    std::string uint_of(const std::string& text, uint64_t max, std::string_view go_type) {
        auto r = decode_uint(node(text), max, go_type);
        return r.ok() ? std::to_string(r.value()) : "error: " + r.error();
    }

    std::string duration_of(const std::string& text) {
        auto r = decode_duration(node(text));
        return r.ok() ? std::to_string(r.value()) : "error: " + r.error();
    }

private:
    std::vector<std::unique_ptr<yaml::Stream>> streams_;
};

TEST_F(ScalarDecodeTest, StringTakesRawTextOfAnyScalar) {
    EXPECT_EQ(string_of("1500"), "1500");
    EXPECT_EQ(string_of("true"), "true");
    EXPECT_EQ(string_of("0x10"), "0x10");
    EXPECT_EQ(string_of("1_000"), "1_000");
    EXPECT_EQ(string_of("\"quoted\""), "quoted");
    EXPECT_EQ(string_of("'single'"), "single");
    EXPECT_EQ(string_of("|\n  block"), "block\n");
    EXPECT_EQ(string_of(""), "");
    EXPECT_EQ(string_of("~"), "");
    EXPECT_EQ(string_of("null"), "");
    EXPECT_EQ(string_of("\"\""), "");
    EXPECT_EQ(string_of("!!str 12"), "12");
    EXPECT_EQ(string_of("!custom 12"), "12");
    EXPECT_EQ(string_of("! ~"), "");  // non-specific tag: still resolved, to null
}

TEST_F(ScalarDecodeTest, StringRejectsContainersAndBadTags) {
    EXPECT_EQ(string_of("{a: 1}"), "error: expected a scalar, found a mapping");
    EXPECT_EQ(string_of("[1]"), "error: expected a scalar, found a sequence");
    EXPECT_EQ(string_of("!!int abc"), "error: cannot decode !!str `abc` as a !!int");
    EXPECT_EQ(string_of("!!binary aGVsbG8="), "hello");
    EXPECT_EQ(string_of("!!binary a!"), "error: !!binary value contains invalid base64 data");
}

TEST_F(ScalarDecodeTest, BoolAcceptsYaml12AndYaml11Words) {
    EXPECT_EQ(bool_of("true"), "true");
    EXPECT_EQ(bool_of("True"), "true");
    EXPECT_EQ(bool_of("FALSE"), "false");
    EXPECT_EQ(bool_of("yes"), "true");
    EXPECT_EQ(bool_of("\"yes\""), "true");  // quoted 1.1 words still count
    EXPECT_EQ(bool_of("'Y'"), "true");
    EXPECT_EQ(bool_of("On"), "true");
    EXPECT_EQ(bool_of("off"), "false");
    EXPECT_EQ(bool_of("n"), "false");
    EXPECT_EQ(bool_of("NO"), "false");
    EXPECT_EQ(bool_of("!!str on"), "true");
    EXPECT_EQ(bool_of(""), "null");
    EXPECT_EQ(bool_of("~"), "null");
}

TEST_F(ScalarDecodeTest, BoolRejectsEverythingElse) {
    const std::string expected = "error: expected a boolean (true/false, yes/no, on/off), found ";
    EXPECT_EQ(bool_of("\"true\""), expected + "\"true\"");
    EXPECT_EQ(bool_of("maybe"), expected + "\"maybe\"");
    EXPECT_EQ(bool_of("1"), expected + "\"1\"");
    EXPECT_EQ(bool_of("yEs"), expected + "\"yEs\"");
    EXPECT_EQ(bool_of("[true]"), "error: expected a scalar, found a sequence");
    EXPECT_EQ(bool_of("{a: b}"), "error: expected a scalar, found a mapping");
    EXPECT_EQ(bool_of("!!bool yes"), "error: cannot decode !!str `yes` as a !!bool");
}

TEST_F(ScalarDecodeTest, IntResolvesGoIntegerSyntax) {
    EXPECT_EQ(int_of("1500"), "1500");
    EXPECT_EQ(int_of("01500"), "832");  // leading-0 octal
    EXPECT_EQ(int_of("0x10"), "16");
    EXPECT_EQ(int_of("0X1f"), "31");
    EXPECT_EQ(int_of("0o17"), "15");
    EXPECT_EQ(int_of("0b101"), "5");
    EXPECT_EQ(int_of("-0b101"), "-5");
    EXPECT_EQ(int_of("1_000"), "1000");
    EXPECT_EQ(int_of("+5"), "5");
    EXPECT_EQ(int_of("-5"), "-5");
    EXPECT_EQ(int_of("0"), "0");
    EXPECT_EQ(int_of("-0"), "0");
    EXPECT_EQ(int_of("08"), "8");  // not octal, so go-yaml falls through to float
    EXPECT_EQ(int_of("9223372036854775807"), "9223372036854775807");
    EXPECT_EQ(int_of("-9223372036854775808"), "-9223372036854775808");
    EXPECT_EQ(int_of(""), "0");
    EXPECT_EQ(int_of("null"), "0");
    EXPECT_EQ(int_of("!!int \"12\""), "12");  // an explicit tag overrides the quotes
}

TEST_F(ScalarDecodeTest, IntAcceptsLosslessFloats) {
    EXPECT_EQ(int_of("1500.0"), "1500");
    EXPECT_EQ(int_of("1e3"), "1000");
    EXPECT_EQ(int_of(".5e3"), "500");
    EXPECT_EQ(int_of("1e-400"), "0");  // underflows to zero in ParseFloat
    EXPECT_EQ(int_of("!!float 3"), "3");
    EXPECT_EQ(int_of("1500.5"), "error: expected int, found \"1500.5\"");
    EXPECT_EQ(int_of(".inf"), "error: expected int, found \".inf\"");
    EXPECT_EQ(int_of("-.inf"), "error: expected int, found \"-.inf\"");
    EXPECT_EQ(int_of(".nan"), "error: expected int, found \".nan\"");
    EXPECT_EQ(int_of("1e400"), "error: expected int, found \"1e400\"");  // ParseFloat overflow: a string
    EXPECT_EQ(int_of("9223372036854775808.0"), "error: 9223372036854775808.0 is out of range for int");
}

TEST_F(ScalarDecodeTest, IntRejectsStringsBoolsAndOverflow) {
    EXPECT_EQ(int_of("abc"), "error: expected int, found \"abc\"");
    EXPECT_EQ(int_of("0x"), "error: expected int, found \"0x\"");
    EXPECT_EQ(int_of("true"), "error: expected int, found \"true\"");
    EXPECT_EQ(int_of("\"1500\""), "error: expected int, found quoted string \"1500\" (remove the quotes)");
    EXPECT_EQ(int_of("'0x10'"), "error: expected int, found quoted string \"0x10\" (remove the quotes)");
    EXPECT_EQ(int_of("!!str 12"), "error: expected int, found quoted string \"12\" (remove the quotes)");
    EXPECT_EQ(int_of("\"abc\""), "error: expected int, found \"abc\"");
    EXPECT_EQ(int_of("9223372036854775808"), "error: 9223372036854775808 is out of range for int");
    EXPECT_EQ(int_of("{}"), "error: expected a scalar, found a mapping");
    EXPECT_EQ(int_of("[]"), "error: expected a scalar, found a sequence");
    EXPECT_EQ(int_of("1280", 1280, 9000), "1280");
    EXPECT_EQ(int_of("1279", 1280, 9000), "error: 1279 is out of range for int");
}

TEST_F(ScalarDecodeTest, UintChecksRangeOfGoType) {
    EXPECT_EQ(uint_of("255", 255, "uint8"), "255");
    EXPECT_EQ(uint_of("256", 255, "uint8"), "error: 256 is out of range for uint8");
    EXPECT_EQ(uint_of("0x100", 65535, "uint16"), "256");
    EXPECT_EQ(uint_of("4294967295", 4294967295u, "uint32"), "4294967295");
    EXPECT_EQ(uint_of("4294967296", 4294967295u, "uint32"), "error: 4294967296 is out of range for uint32");
    EXPECT_EQ(uint_of("-1", 4294967295u, "uint32"), "error: -1 is out of range for uint32");
    EXPECT_EQ(uint_of("-0.0", 255, "uint8"), "0");
    EXPECT_EQ(uint_of("1500.0", 65535, "uint16"), "1500");
    EXPECT_EQ(uint_of("1.5", 255, "uint8"), "error: expected uint8, found \"1.5\"");
    EXPECT_EQ(uint_of("\"80\"", 65535, "uint16"),
              "error: expected uint16, found quoted string \"80\" (remove the quotes)");
    EXPECT_EQ(uint_of("eighty", 65535, "uint16"), "error: expected uint16, found \"eighty\"");
    EXPECT_EQ(uint_of("", 255, "uint8"), "0");
    EXPECT_EQ(uint_of("[1]", 255, "uint8"), "error: expected a scalar, found a sequence");
    const uint64_t u64_max = std::numeric_limits<uint64_t>::max();
    EXPECT_EQ(uint_of("18446744073709551615", u64_max, "uint64"), "18446744073709551615");
    EXPECT_EQ(uint_of("18446744073709551616", u64_max, "uint64"),
              "error: 18446744073709551616 is out of range for uint64");
}

TEST_F(ScalarDecodeTest, DurationParsesStringsAndZero) {
    EXPECT_EQ(duration_of("25s"), "25000000000");
    EXPECT_EQ(duration_of("1m30s"), "90000000000");
    EXPECT_EQ(duration_of("-5s"), "-5000000000");
    EXPECT_EQ(duration_of("\"1.5h\""), "5400000000000");
    EXPECT_EQ(duration_of("0"), "0");
    EXPECT_EQ(duration_of("\"0\""), "0");
    EXPECT_EQ(duration_of(""), "0");
}

TEST_F(ScalarDecodeTest, DurationRejectsUnitlessNumbersAndBadText) {
    EXPECT_EQ(duration_of("25"), "error: expected a duration, found \"25\" (a duration needs a unit, like \"25s\")");
    EXPECT_EQ(duration_of("1.5"), "error: expected a duration, found \"1.5\" (a duration needs a unit, like \"25s\")");
    EXPECT_EQ(duration_of("abc"), "error: time: invalid duration \"abc\"");
    EXPECT_EQ(duration_of("\"25\""), "error: time: missing unit in duration \"25\"");
    EXPECT_EQ(duration_of("5x"), "error: time: unknown unit \"x\" in duration \"5x\"");
    EXPECT_EQ(duration_of("true"), "error: expected a duration, found \"true\"");
    EXPECT_EQ(duration_of("{a: 1}"), "error: expected a scalar, found a mapping");
}

}  // namespace
}  // namespace nodenet::config
