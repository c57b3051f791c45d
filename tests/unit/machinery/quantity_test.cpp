// Quantity against upstream's own tables: the cases come from k8s.io/apimachinery
// pkg/api/resource/quantity_test.go — TestQuantityParse, TestQuantityParseZero,
// TestQuantityParseNonNumericPanic, TestParseQuantityString, TestQuantityRoundUp,
// TestQuantityCmp, TestQuantityCmpInt64AndDec, TestQuantityNeg, TestQuantityString,
// TestQuantityParseEmit, TestQuantityAddZeroPreservesSuffix,
// TestQuantitySubZeroPreservesSuffix, TestQuantityCanocicalizeZero, TestJSONWhitespace,
// TestMilliNewSet, TestNewSet, TestNewScaledSet, TestScaledValue, TestUninitializedNoCrash,
// TestAdd, TestSub, TestQuantityValueSet and TestParseQuantity. Upstream builds many
// expectations with decQuantity(m, e, format), "m × 10^e units"; the tables keep (m, e).
//
// Left out, because our API has no counterpart: AsInt64/AsDec/ToDec representation
// checks, RoundUp to scales other than units and thousandths, Mul, Neg as a method,
// DeepCopy, the float conversions, CBOR, pflag, random round trips, and formats other
// than the three real ones ("invalidFormatDefaultsToExponent").
#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "ukube/machinery/quantity.h"

namespace {

using ukube::machinery::Quantity;
using ukube::machinery::QuantityFormat;
using Nano = Quantity::Nano;

constexpr QuantityFormat kDecimalSI = QuantityFormat::DecimalSI;
constexpr QuantityFormat kBinarySI = QuantityFormat::BinarySI;
constexpr QuantityFormat kDecimalExponent = QuantityFormat::DecimalExponent;
constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinInt64 = std::numeric_limits<int64_t>::min();

// GoogleTest cannot print __int128; comparing decimal text keeps failures readable.
std::string str(Nano v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  std::string digits;
  for (; v != 0; v /= 10)
    digits.insert(digits.begin(), static_cast<char>('0' + (negative ? -(v % 10) : v % 10)));
  return negative ? "-" + digits : digits;
}

// decQuantity(m, e, ...)'s amount, m × 10^e, in nano. Every amount in the tables is a
// whole number of nanos; the throw guards the transcription.
Nano nano_of(int64_t mantissa, int exponent) {
  Nano v = mantissa;
  for (int shift = exponent + 9; shift > 0; --shift) v *= 10;
  for (int shift = exponent + 9; shift < 0; ++shift) {
    if (v % 10 != 0) throw std::logic_error("finer than a nano");
    v /= 10;
  }
  return v;
}

// A plain decimal ("-999999999999999999.1") in nano, read here digit by digit so the
// expectation does not lean on Quantity::parse.
Nano nano_of(std::string_view decimal) {
  bool negative = !decimal.empty() && decimal[0] == '-';
  if (negative) decimal.remove_prefix(1);
  Nano v = 0;
  int fraction = -1;
  for (char c : decimal) {
    if (c == '.') {
      fraction = 0;
      continue;
    }
    v = v * 10 + (c - '0');
    if (fraction >= 0) ++fraction;
  }
  for (int i = std::max(fraction, 0); i < 9; ++i) v *= 10;
  if (fraction > 9) throw std::logic_error("finer than a nano");
  return negative ? -v : v;
}

// MustParse.
Quantity must_parse(std::string_view text) {
  auto q = Quantity::parse(text);
  if (!q) ADD_FAILURE() << "cannot parse '" << text << "'";
  return q.value_or(Quantity());
}

// Upstream builds quantities of any format directly; ours come from parsing or from
// of(). Adding to a non-zero quantity keeps its format, so 1 (in `format`) + (v - 1) is v
// in `format`, whatever format parsing v gave.
Quantity make_quantity(int64_t mantissa, int exponent, QuantityFormat format) {
  Quantity q = Quantity::of(1, format);
  q += must_parse(std::to_string(mantissa) + "e" + std::to_string(exponent)) - Quantity::of(1);
  EXPECT_EQ(str(q.nano()), str(nano_of(mantissa, exponent)));
  EXPECT_EQ(q.format(), format);
  return q;
}

// upstream intQuantity(value, scale): value × 10^scale, held without rounding.
Quantity int_quantity(int64_t value, int scale) {
  return must_parse(std::to_string(value) + "e" + std::to_string(scale));
}

TEST(QuantityUpstream, ParseZero) {
  EXPECT_EQ(must_parse("0").to_string(), "0");
}

TEST(QuantityUpstream, ParseNonNumeric) {
  EXPECT_FALSE(Quantity::parse("Non-Numeric"));
}

// TestQuantityParse: every input, and its "-" and "+" forms, with the amount and format.
TEST(QuantityUpstream, Parse) {
  EXPECT_FALSE(Quantity::parse(""));

  struct Case {
    std::string_view input;
    int64_t mantissa;
    int exponent;
    QuantityFormat format;
  };
  static constexpr Case kCases[] = {
      {"0", 0, 0, kDecimalSI},
      {"0n", 0, 0, kDecimalSI},
      {"0u", 0, 0, kDecimalSI},
      {"0m", 0, 0, kDecimalSI},
      {"0Ki", 0, 0, kBinarySI},
      {"0k", 0, 0, kDecimalSI},
      {"0Mi", 0, 0, kBinarySI},
      {"0M", 0, 0, kDecimalSI},
      {"0Gi", 0, 0, kBinarySI},
      {"0G", 0, 0, kDecimalSI},
      {"0Ti", 0, 0, kBinarySI},
      {"0T", 0, 0, kDecimalSI},
      // Quantity less numbers are allowed
      {"1", 1, 0, kDecimalSI},
      // Binary suffixes
      {"1Ki", 1024, 0, kBinarySI},
      {"8Ki", 8192, 0, kBinarySI},
      {"7Mi", 7340032, 0, kBinarySI},
      {"6Gi", 6442450944, 0, kBinarySI},
      {"5Ti", 5497558138880, 0, kBinarySI},
      {"4Pi", 4503599627370496, 0, kBinarySI},
      {"3Ei", 3458764513820540928, 0, kBinarySI},
      {"10Ti", 10995116277760, 0, kBinarySI},
      {"100Ti", 109951162777600, 0, kBinarySI},
      // Decimal suffixes
      {"5n", 5, -9, kDecimalSI},
      {"4u", 4, -6, kDecimalSI},
      {"3m", 3, -3, kDecimalSI},
      {"9", 9, 0, kDecimalSI},
      {"8k", 8, 3, kDecimalSI},
      {"50k", 5, 4, kDecimalSI},
      {"7M", 7, 6, kDecimalSI},
      {"6G", 6, 9, kDecimalSI},
      {"5T", 5, 12, kDecimalSI},
      {"40T", 4, 13, kDecimalSI},
      {"300T", 3, 14, kDecimalSI},
      {"2P", 2, 15, kDecimalSI},
      {"1E", 1, 18, kDecimalSI},
      // Decimal exponents
      {"1E-3", 1, -3, kDecimalExponent},
      {"1e3", 1, 3, kDecimalExponent},
      {"1E6", 1, 6, kDecimalExponent},
      {"1e9", 1, 9, kDecimalExponent},
      {"1E12", 1, 12, kDecimalExponent},
      {"1e15", 1, 15, kDecimalExponent},
      {"1E18", 1, 18, kDecimalExponent},
      // Nonstandard but still parsable
      {"1e14", 1, 14, kDecimalExponent},
      {"1e13", 1, 13, kDecimalExponent},
      {"1e3", 1, 3, kDecimalExponent},
      {"100.035k", 100035, 0, kDecimalSI},
      // Things that look like floating point
      {"0.001", 1, -3, kDecimalSI},
      {"0.0005k", 5, -1, kDecimalSI},
      {"0.005", 5, -3, kDecimalSI},
      {"0.05", 5, -2, kDecimalSI},
      {"0.5", 5, -1, kDecimalSI},
      {"0.00050k", 5, -1, kDecimalSI},
      {"0.00500", 5, -3, kDecimalSI},
      {"0.05000", 5, -2, kDecimalSI},
      {"0.50000", 5, -1, kDecimalSI},
      {"0.5e0", 5, -1, kDecimalExponent},
      {"0.5e-1", 5, -2, kDecimalExponent},
      {"0.5e-2", 5, -3, kDecimalExponent},
      {"0.5e0", 5, -1, kDecimalExponent},
      {"10.035M", 10035, 3, kDecimalSI},
      {"1.2e3", 12, 2, kDecimalExponent},
      {"1.3E+6", 13, 5, kDecimalExponent},
      {"1.40e9", 14, 8, kDecimalExponent},
      {"1.53E12", 153, 10, kDecimalExponent},
      {"1.6e15", 16, 14, kDecimalExponent},
      {"1.7E18", 17, 17, kDecimalExponent},
      {"9.01", 901, -2, kDecimalSI},
      {"8.1k", 81, 2, kDecimalSI},
      {"7.123456M", 7123456, 0, kDecimalSI},
      {"6.987654321G", 6987654321, 0, kDecimalSI},
      {"5.444T", 5444, 9, kDecimalSI},
      {"40.1T", 401, 11, kDecimalSI},
      {"300.2T", 3002, 11, kDecimalSI},
      {"2.5P", 25, 14, kDecimalSI},
      {"1.01E", 101, 16, kDecimalSI},
      // Things that saturate/round
      {"3.001n", 4, -9, kDecimalSI},
      {"1.1E-9", 2, -9, kDecimalExponent},
      {"0.0000000001", 1, -9, kDecimalSI},
      {"0.0000000005", 1, -9, kDecimalSI},
      {"0.00000000050", 1, -9, kDecimalSI},
      {"0.5e-9", 1, -9, kDecimalExponent},
      {"0.9n", 1, -9, kDecimalSI},
      {"0.00000012345", 124, -9, kDecimalSI},
      {"0.00000012354", 124, -9, kDecimalSI},
      {"9Ei", kMaxInt64, 0, kBinarySI},                    // upstream caps binary quantities
      {"9223372036854775807Ki", kMaxInt64, 0, kBinarySI},  // upstream caps binary quantities
      {"12E", 12, 18, kDecimalSI},
      // We'll accept fractional binary stuff, too.
      {"100.035Ki", 10243584, -2, kBinarySI},
      {"0.5Mi", 524288, 0, kBinarySI},
      {"0.05Gi", 536870912, -1, kBinarySI},
      {"0.025Ti", 274877906944, -1, kBinarySI},
      // Things written by trolls
      {"0.000000000001Ki", 2, -9, kDecimalSI},
      {".001", 1, -3, kDecimalSI},
      {".0001k", 100, -3, kDecimalSI},
      {"1.", 1, 0, kDecimalSI},
      {"1.G", 1, 9, kDecimalSI},
  };
  for (const auto& c : kCases) {
    Nano want = nano_of(c.mantissa, c.exponent);
    for (std::string_view sign : {"", "-", "+"}) {
      std::string input = std::string(sign) + std::string(c.input);
      SCOPED_TRACE(input);
      auto q = Quantity::parse(input);
      ASSERT_TRUE(q);
      EXPECT_EQ(str(q->nano()), str(sign == "-" ? -want : want));
      EXPECT_EQ(q->format(), c.format);
    }
  }

  static constexpr std::string_view kInvalid[] = {
      "1.1.M",
      "1+1.0M",
      "0.1mi",
      "0.1am",
      "aoeu",
      ".5i",
      "1i",
      "-3.01i",
      "-3.01e-",
      // trailing whitespace is forbidden
      " 1",
      "1 ",
  };
  for (auto input : kInvalid) EXPECT_FALSE(Quantity::parse(input)) << input;
}

// TestParseQuantityString checks upstream's scanner (sign, number, fraction, suffix).
// Ours has no such entry point, so each split is checked as what it means: the input
// equals the quantity rebuilt from the parts (as TestQuantityParse rebuilds it), and
// both have the amount worked out by hand in `amount`.
TEST(QuantityUpstream, ParseQuantityString) {
  struct Case {
    std::string_view input;
    bool positive;
    std::string_view value, num, denom, suffix;
    std::string_view amount;  // derived: num.denom × suffix
  };
  static constexpr Case kCases[] = {
      {"0.025Ti", true, "0.025", "0", "025", "Ti", "27487790694.4"},
      {"1.025Ti", true, "1.025", "1", "025", "Ti", "1126999418470.4"},
      {"-1.025Ti", false, "-1.025", "1", "025", "Ti", "-1126999418470.4"},
      {".", true, ".", "0", "", "", "0"},
      {"-.", false, "-.", "0", "", "", "0"},
      {"1E-3", true, "1", "1", "", "E-3", "0.001"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.input);
    auto q = Quantity::parse(c.input);
    ASSERT_TRUE(q);
    EXPECT_EQ(str(q->nano()), str(nano_of(c.amount)));
    std::string rebuilt = std::string(c.positive ? "" : "-") + std::string(c.num);
    if (!c.denom.empty()) rebuilt += "." + std::string(c.denom);
    rebuilt += c.suffix;
    EXPECT_EQ(must_parse(rebuilt), *q) << rebuilt;
  }
}

// TestQuantityRoundUp, for the scales our API reads: 0 (value()) and -3 (milli_value()).
// Rows rounding to 10^-2, 10^-1, 10 and 100 are left out.
TEST(QuantityUpstream, RoundUp) {
  struct Case {
    std::string_view input;
    int scale;
    int64_t mantissa;  // upstream's expected quantity, m × 10^e
    int exponent;
  };
  static constexpr Case kCases[] = {
      {"9.01", -3, 901, -2},
      {"9.01", 0, 10, 0},
      {"-9.01", -3, -901, -2},
      {"-9.01", 0, -10, 0},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(std::string(c.input) + " scale " + std::to_string(c.scale));
    Quantity q = must_parse(c.input);
    Nano want = nano_of(c.mantissa, c.exponent);
    if (c.scale == 0)
      EXPECT_EQ(q.value(), static_cast<int64_t>(want / 1000000000));
    else
      EXPECT_EQ(q.milli_value(), static_cast<int64_t>(want / 1000000));
  }
}

TEST(QuantityUpstream, Cmp) {
  struct Case {
    std::string_view x, y;
    int expect;
  };
  static constexpr Case kCases[] = {
      {"0", "0", 0},
      {"100m", "50m", 1},
      {"50m", "100m", -1},
      {"10000T", "100Gi", 1},
  };
  for (const auto& c : kCases)
    EXPECT_EQ(must_parse(c.x).compare(must_parse(c.y)), c.expect) << c.x << " vs " << c.y;
}

// TestQuantityCmpInt64AndDec, each intQuantity(v, s) written as "<v>e<s>". Rows whose
// amounts are finer than a nano are left out, because parsing rounds them up to the nano
// and one of them then compares differently from upstream's exact value:
//   (9223372036854775807, -16) vs (1, 3); (-9223372036854775808, -18) vs (-1, 0);
//   (-9223372036854775808, -19) vs (-1, 0); (10^18 + 1, -17) vs (1, 1);
//   (10^18 - 1, -17) vs (1, 1).
TEST(QuantityUpstream, CmpInt64AndDec) {
  struct Case {
    int64_t a_value;
    int a_scale;
    int64_t b_value;
    int b_scale;
    int cmp;
  };
  static constexpr int64_t kE18 = 1000000LL * 1000000 * 1000000;
  static constexpr Case kCases[] = {
      {901, -2, 901, -2, 0},    {90, -1, 901, -2, -1},   {901, -2, 900, -2, 1},   {0, 0, 0, 0, 0},
      {0, 1, 0, -1, 0},         {0, -1, 0, 1, 0},        {800, -3, 1, 0, -1},     {800, -3, 79, -2, 1},
      {kMaxInt64, 0, 1, -1, 1}, {kMaxInt64, 1, 1, 0, 1}, {kMaxInt64, 1, 1, 1, 1}, {kMaxInt64, 1, 0, 1, 1},
      {kMinInt64, 0, 0, 0, -1}, {kE18, -17, 1, 1, 0},    {kE18, -17, -10, 0, 1},  {-kE18, -17, -10, 0, 0},
      {kE18, -17, 1, 0, 1},
  };
  for (const auto& c : kCases) {
    Quantity a = int_quantity(c.a_value, c.a_scale);
    Quantity b = int_quantity(c.b_value, c.b_scale);
    SCOPED_TRACE(a.to_string() + " vs " + b.to_string());
    EXPECT_EQ(a.compare(b), c.cmp);
    EXPECT_EQ(b.compare(a), -c.cmp);
  }
}

// TestQuantityNeg: our quantities negate as 0 - q, which takes q's format as Neg keeps it.
TEST(QuantityUpstream, Neg) {
  Quantity q = make_quantity(901, -2, kDecimalSI);
  Quantity negated = Quantity() - q;
  EXPECT_EQ(negated.to_string(), "-9010m");
  EXPECT_NE(negated.compare(q), 0);
  EXPECT_EQ(q.to_string(), "9010m");  // the source is untouched
}

// TestQuantityString: canonical text, the text parsed back, an alternate spelling parsed
// to the same canonical text, and the negated quantity.
TEST(QuantityUpstream, String) {
  struct Case {
    int64_t mantissa;
    int exponent;
    QuantityFormat format;
    std::string_view expect, alternate;
  };
  static constexpr Case kCases[] = {
      {1073741824, 0, kBinarySI, "1Gi", "1024Mi"},
      {314572800, 0, kBinarySI, "300Mi", "307200Ki"},
      {6144, 0, kBinarySI, "6Ki", ""},
      {1074815565824, 0, kBinarySI, "1001Gi", "1025024Mi"},
      {1099511627776, 0, kBinarySI, "1Ti", "1024Gi"},
      {5, 0, kBinarySI, "5", "5000m"},
      {500, -3, kBinarySI, "500m", "0.5"},
      {1, 9, kDecimalSI, "1G", "1000M"},
      {1000, 6, kDecimalSI, "1G", "0.001T"},
      {1000000, 3, kDecimalSI, "1G", ""},
      {1000000000, 0, kDecimalSI, "1G", ""},
      {1, -3, kDecimalSI, "1m", "1000u"},
      {80, -3, kDecimalSI, "80m", ""},
      {1080, -3, kDecimalSI, "1080m", "1.08"},
      {108, -2, kDecimalSI, "1080m", "1080000000n"},
      {10800, -4, kDecimalSI, "1080m", ""},
      {300, 6, kDecimalSI, "300M", ""},
      {1, 12, kDecimalSI, "1T", ""},
      {1234567, 6, kDecimalSI, "1234567M", ""},
      {1234567, -3, kBinarySI, "1234567m", ""},
      {3, 3, kDecimalSI, "3k", ""},
      {1025, 0, kBinarySI, "1025", ""},
      {0, 0, kDecimalSI, "0", ""},
      {0, 0, kBinarySI, "0", ""},
      {1, 9, kDecimalExponent, "1e9", ".001e12"},
      {1, -3, kDecimalExponent, "1e-3", "0.001e0"},
      {1, -9, kDecimalExponent, "1e-9", "1000e-12"},
      {80, -3, kDecimalExponent, "80e-3", ""},
      {300, 6, kDecimalExponent, "300e6", ""},
      {1, 12, kDecimalExponent, "1e12", ""},
      {1, 3, kDecimalExponent, "1e3", ""},
      {3, 3, kDecimalExponent, "3e3", ""},
      {3, 3, kDecimalSI, "3k", ""},
      {0, 0, kDecimalExponent, "0", "00"},
      {1, -9, kDecimalSI, "1n", ""},
      {80, -9, kDecimalSI, "80n", ""},
      {1080, -9, kDecimalSI, "1080n", ""},
      {108, -8, kDecimalSI, "1080n", ""},
      {10800, -10, kDecimalSI, "1080n", ""},
      {1, -6, kDecimalSI, "1u", ""},
      {80, -6, kDecimalSI, "80u", ""},
      {1080, -6, kDecimalSI, "1080u", ""},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.expect);
    Quantity q = make_quantity(c.mantissa, c.exponent, c.format);
    EXPECT_EQ(q.to_string(), c.expect);
    EXPECT_EQ(must_parse(c.expect).to_string(), c.expect);
    if (!c.alternate.empty()) {
      EXPECT_EQ(must_parse(c.alternate).to_string(), c.expect) << c.alternate;
    }
    if (!q.is_zero()) {
      EXPECT_EQ(make_quantity(-c.mantissa, c.exponent, c.format).to_string(), "-" + std::string(c.expect));
    }
  }
}

TEST(QuantityUpstream, ParseEmit) {
  struct Case {
    std::string_view in, expect;
  };
  static constexpr Case kCases[] = {
      {"1Ki", "1Ki"},
      {"1Mi", "1Mi"},
      {"1Gi", "1Gi"},
      {"1024Mi", "1Gi"},
      {"1000M", "1G"},
      {".001Ki", "1024m"},
      {".000001Ki", "1024u"},
      {".000000001Ki", "1024n"},
      {".000000000001Ki", "2n"},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(must_parse(c.in).to_string(), c.expect) << c.in;
    EXPECT_EQ(must_parse("-" + std::string(c.in)).to_string(), "-" + std::string(c.expect)) << c.in;
  }
}

TEST(QuantityUpstream, AddZeroPreservesSuffix) {
  for (std::string_view text : {"100m", "1Gi"}) {
    Quantity value = must_parse(text);
    Quantity zero = must_parse("0");
    EXPECT_EQ((value + zero).to_string(), text);  // non-zero + zero
    EXPECT_EQ((zero + value).to_string(), text);  // zero + non-zero
  }
}

TEST(QuantityUpstream, SubZeroPreservesSuffix) {
  struct Case {
    std::string_view value, negated;  // negated: what upstream's Neg() prints
  };
  for (const auto& c : {Case{"100m", "-100m"}, Case{"1Gi", "-1Gi"}}) {
    Quantity value = must_parse(c.value);
    Quantity zero = must_parse("0");
    EXPECT_EQ((value - zero).to_string(), c.value);
    EXPECT_EQ((zero - value).to_string(), c.negated);
  }
}

TEST(QuantityUpstream, CanonicalizeZero) {
  Quantity q = must_parse("1000m") - Quantity::of(1);
  EXPECT_EQ(q.to_string(), "0");
}

TEST(QuantityUpstream, JsonWhitespace) {
  struct Case {
    std::string_view in, expect;
  };
  static constexpr Case kCases[] = {
      {R"(" 1")", "1"}, {R"("1 ")", "1"}, {"1", "1"},   {" 1", "1"},
      {"1 ", "1"},      {"10", "10"},     {"-1", "-1"}, {" -1", "-1"},
  };
  for (const auto& c : kCases) {
    auto q = Quantity::from_json(boost::json::parse(c.in));
    ASSERT_TRUE(q) << c.in;
    EXPECT_EQ(q->to_string(), c.expect) << c.in;
  }
}

TEST(QuantityUpstream, MilliNewSet) {
  struct Case {
    int64_t value;
    QuantityFormat format;
    std::string_view expect;
    bool exact;
  };
  static constexpr Case kCases[] = {
      {1, kDecimalSI, "1m", true},
      {1000, kDecimalSI, "1", true},
      {1234000, kDecimalSI, "1234", true},
      {1024, kBinarySI, "1024m", false},            // Format changes
      {1024 * 1024, kBinarySI, "1048576m", false},  // Format changes
  };
  for (const auto& c : kCases) {
    Quantity q = Quantity::of_milli(c.value, c.format);
    EXPECT_EQ(q.to_string(), c.expect);
    if (c.exact) {
      EXPECT_EQ(must_parse(q.to_string()).milli_value(), c.value);
    }
  }
}

TEST(QuantityUpstream, NewSet) {
  struct Case {
    int64_t value;
    QuantityFormat format;
    std::string_view expect;
  };
  static constexpr Case kCases[] = {
      {1, kDecimalSI, "1"},     {1000, kDecimalSI, "1k"},        {1234000, kDecimalSI, "1234k"},
      {1024, kBinarySI, "1Ki"}, {1024 * 1024, kBinarySI, "1Mi"},
  };
  for (const auto& c : kCases) {
    Quantity q = Quantity::of(c.value, c.format);
    EXPECT_EQ(q.to_string(), c.expect);
    EXPECT_EQ(must_parse(q.to_string()).value(), c.value);
  }
}

// TestNewScaledSet for the scales we construct (of_milli, of); the Nano and Micro rows
// have no constructor here.
TEST(QuantityUpstream, NewScaledSet) {
  struct Case {
    int64_t value;
    int scale;
    std::string_view expect;
  };
  static constexpr Case kCases[] = {
      {1, -3, "1m"}, {1000, -3, "1"}, {1, 0, "1"}, {0, -3, "0"}, {0, 0, "0"},
  };
  for (const auto& c : kCases) {
    Quantity q = c.scale == 0 ? Quantity::of(c.value) : Quantity::of_milli(c.value);
    EXPECT_EQ(q.to_string(), c.expect);
    Quantity again = must_parse(q.to_string());
    EXPECT_EQ(c.scale == 0 ? again.value() : again.milli_value(), c.value);
  }
}

// TestScaledValue: one unit at `from` read at `to`, for the readings we have: nano(),
// milli_value() and value(). Reading in micros, and the (2, -2) row, have no counterpart.
TEST(QuantityUpstream, ScaledValue) {
  struct Case {
    std::string_view from;  // NewScaledQuantity(1, from)
    int to;
    int64_t expected;
  };
  static constexpr Case kCases[] = {
      {"1n", -9, 1},         {"1n", -3, 1},   {"1n", 0, 1},  //
      {"1u", -9, 1000},      {"1u", -3, 1},   {"1u", 0, 1},  //
      {"1m", -9, 1000000},   {"1m", -3, 1},   {"1m", 0, 1},  //
      {"1", -9, 1000000000}, {"1", -3, 1000}, {"1", 0, 1},
  };
  for (const auto& c : kCases) {
    Quantity q = must_parse(c.from);
    int64_t got = c.to == -9 ? static_cast<int64_t>(q.nano()) : c.to == -3 ? q.milli_value() : q.value();
    EXPECT_EQ(got, c.expected) << c.from << " at 10^" << c.to;
  }
}

TEST(QuantityUpstream, Uninitialized) {
  Quantity q;
  EXPECT_EQ(q.value(), 0);
  EXPECT_EQ(q.milli_value(), 0);
  EXPECT_EQ(q.to_string(), "0");
}

// TestAdd and TestSub. A zero operand is upstream's Quantity{Format: DecimalSI}. Upstream
// only compares amounts; the expected formats in its table follow the documented rule
// (the left operand's format unless it is zero), so they are checked too.
struct ArithmeticCase {
  int64_t a;
  QuantityFormat a_format;
  int64_t b;
  QuantityFormat b_format;
  int64_t expected;
  QuantityFormat expected_format;
};

TEST(QuantityUpstream, Add) {
  static constexpr ArithmeticCase kCases[] = {
      {10, kDecimalSI, 10, kDecimalSI, 20, kDecimalSI}, {10, kDecimalSI, 1, kBinarySI, 11, kDecimalSI},
      {10, kBinarySI, 1, kDecimalSI, 11, kBinarySI},    {0, kDecimalSI, 50, kDecimalSI, 50, kDecimalSI},
      {50, kDecimalSI, 0, kDecimalSI, 50, kDecimalSI},  {0, kDecimalSI, 0, kDecimalSI, 0, kDecimalSI},
  };
  for (const auto& c : kCases) {
    Quantity sum = Quantity::of(c.a, c.a_format) + Quantity::of(c.b, c.b_format);
    EXPECT_EQ(sum.compare(Quantity::of(c.expected)), 0) << c.a << " + " << c.b << " = " << sum.to_string();
    EXPECT_EQ(sum.format(), c.expected_format) << c.a << " + " << c.b;
  }
}

TEST(QuantityUpstream, Sub) {
  static constexpr ArithmeticCase kCases[] = {
      {10, kDecimalSI, 10, kDecimalSI, 0, kDecimalSI}, {10, kDecimalSI, 1, kBinarySI, 9, kDecimalSI},
      {10, kBinarySI, 1, kDecimalSI, 9, kBinarySI},    {0, kDecimalSI, 50, kDecimalSI, -50, kDecimalSI},
      {50, kDecimalSI, 0, kDecimalSI, 50, kDecimalSI}, {0, kDecimalSI, 0, kDecimalSI, 0, kDecimalSI},
  };
  for (const auto& c : kCases) {
    Quantity difference = Quantity::of(c.a, c.a_format) - Quantity::of(c.b, c.b_format);
    EXPECT_EQ(difference.compare(Quantity::of(c.expected)), 0)
        << c.a << " - " << c.b << " = " << difference.to_string();
    EXPECT_EQ(difference.format(), c.expected_format) << c.a << " - " << c.b;
  }
}

TEST(QuantityUpstream, ValueSet) {
  EXPECT_FALSE(Quantity::parse("invalid"));
  Quantity q = must_parse("1Mi");
  EXPECT_EQ(q.value(), 1024 * 1024);
  EXPECT_EQ(q.to_string(), "1Mi");
}

// TestParseQuantity: values around the int64 boundary, with their exact amount
// (wantAsDec), their canonical text (the input itself when none is given) and, where
// upstream gives one, the integer value.
TEST(QuantityUpstream, ParseQuantityBoundaries) {
  struct Case {
    std::string_view input;
    std::optional<int64_t> as_int64;
    std::string_view as_dec, canonical;
  };
  static const Case kCases[] = {
      // min/max 18 digits
      {"-999999999999999999", int64_t{-999999999999999999}, "-999999999999999999", ""},
      {"999999999999999999", int64_t{999999999999999999}, "999999999999999999", ""},
      // .0
      {"-999999999999999999.0", std::nullopt, "-999999999999999999", "-999999999999999999"},
      {"999999999999999999.0", std::nullopt, "999999999999999999", "999999999999999999"},
      // .1
      {"-999999999999999999.1", std::nullopt, "-999999999999999999.1", "-999999999999999999100m"},
      {"999999999999999999.1", std::nullopt, "999999999999999999.1", "999999999999999999100m"},
      // min/max 19 digits
      {"-9999999999999999999", std::nullopt, "-9999999999999999999", ""},
      {"9999999999999999999", std::nullopt, "9999999999999999999", ""},
      {"-1E", int64_t{-1000000000000000000}, "-1000000000000000000", ""},
      {"1E", int64_t{1000000000000000000}, "1000000000000000000", ""},
      {"-1000000000000000000", std::nullopt, "-1000000000000000000", "-1E"},
      {"1000000000000000000", std::nullopt, "1000000000000000000", "1E"},
      // .0
      {"-9999999999999999999.0", std::nullopt, "-9999999999999999999", "-9999999999999999999"},
      {"9999999999999999999.0", std::nullopt, "9999999999999999999", "9999999999999999999"},
      {"-1.0E", int64_t{-1000000000000000000}, "-1000000000000000000", "-1E"},
      {"1.0E", int64_t{1000000000000000000}, "1000000000000000000", "1E"},
      {"-1000000000000000000.0", std::nullopt, "-1000000000000000000", "-1E"},
      {"1000000000000000000.0", std::nullopt, "1000000000000000000", "1E"},
      // 000m
      {"-9999999999999999999000m", std::nullopt, "-9999999999999999999", "-9999999999999999999"},
      {"9999999999999999999000m", std::nullopt, "9999999999999999999", "9999999999999999999"},
      // .1
      {"-9999999999999999999.1", std::nullopt, "-9999999999999999999.1", "-9999999999999999999100m"},
      {"9999999999999999999.1", std::nullopt, "9999999999999999999.1", "9999999999999999999100m"},
      {"-1.0000000000000000001E", std::nullopt, "-1000000000000000000.1", "-1000000000000000000100m"},
      {"1.0000000000000000001E", std::nullopt, "1000000000000000000.1", "1000000000000000000100m"},
      {"-1000000000000000000.1", std::nullopt, "-1000000000000000000.1", "-1000000000000000000100m"},
      {"1000000000000000000.1", std::nullopt, "1000000000000000000.1", "1000000000000000000100m"},
      // +1
      {"-1.000000000000000001E", std::nullopt, "-1000000000000000001", "-1000000000000000001"},
      {"1.000000000000000001E", std::nullopt, "1000000000000000001", "1000000000000000001"},
      {"-1000000000000000001", std::nullopt, "-1000000000000000001", ""},
      {"1000000000000000001", std::nullopt, "1000000000000000001", ""},
      // min/max 20 digits
      {"-10E", std::nullopt, "-10000000000000000000", ""},
      {"10E", std::nullopt, "10000000000000000000", ""},
      {"-10000000000000000000", std::nullopt, "-10000000000000000000", "-10E"},
      {"10000000000000000000", std::nullopt, "10000000000000000000", "10E"},
      // .0
      {"-10.0E", std::nullopt, "-10000000000000000000", "-10E"},
      {"10.0E", std::nullopt, "10000000000000000000", "10E"},
      {"-10000000000000000000.0", std::nullopt, "-10000000000000000000", "-10E"},
      {"10000000000000000000.0", std::nullopt, "10000000000000000000", "10E"},
      // 000m
      {"-10000000000000000000000m", std::nullopt, "-10000000000000000000", "-10E"},
      {"10000000000000000000000m", std::nullopt, "10000000000000000000", "10E"},
      // .1
      {"-10.0000000000000000001E", std::nullopt, "-10000000000000000000.1", "-10000000000000000000100m"},
      {"10.0000000000000000001E", std::nullopt, "10000000000000000000.1", "10000000000000000000100m"},
      {"-10000000000000000000.1", std::nullopt, "-10000000000000000000.1", "-10000000000000000000100m"},
      {"10000000000000000000.1", std::nullopt, "10000000000000000000.1", "10000000000000000000100m"},
      // +1
      {"-10.000000000000000001E", std::nullopt, "-10000000000000000001", "-10000000000000000001"},
      {"10.000000000000000001E", std::nullopt, "10000000000000000001", "10000000000000000001"},
      {"-10000000000000000001", std::nullopt, "-10000000000000000001", ""},
      {"10000000000000000001", std::nullopt, "10000000000000000001", ""},
      // min/max int64 - 1
      {"-9223372036854775809", std::nullopt, "-9223372036854775809", ""},
      {"9223372036854775806", std::nullopt, "9223372036854775806", ""},
      // .0
      {"-9223372036854775809.0", std::nullopt, "-9223372036854775809", "-9223372036854775809"},
      {"9223372036854775806.0", std::nullopt, "9223372036854775806", "9223372036854775806"},
      // 000m
      {"-9223372036854775809000m", std::nullopt, "-9223372036854775809", "-9223372036854775809"},
      {"9223372036854775806000m", std::nullopt, "9223372036854775806", "9223372036854775806"},
      // .1
      {"-9223372036854775809.1", std::nullopt, "-9223372036854775809.1", "-9223372036854775809100m"},
      {"9223372036854775806.1", std::nullopt, "9223372036854775806.1", "9223372036854775806100m"},
      // min/max int64
      {"-9223372036854775808", std::nullopt, "-9223372036854775808", ""},
      {"9223372036854775807", std::nullopt, "9223372036854775807", ""},
      // .0
      {"-9223372036854775808.0", std::nullopt, "-9223372036854775808", "-9223372036854775808"},
      {"9223372036854775807.0", std::nullopt, "9223372036854775807", "9223372036854775807"},
      // 000m
      {"-9223372036854775808000m", std::nullopt, "-9223372036854775808", "-9223372036854775808"},
      {"9223372036854775807000m", std::nullopt, "9223372036854775807", "9223372036854775807"},
      // .1
      {"-9223372036854775808.1", std::nullopt, "-9223372036854775808.1", "-9223372036854775808100m"},
      {"9223372036854775807.1", std::nullopt, "9223372036854775807.1", "9223372036854775807100m"},
      // min/max int64 + 1
      {"-9223372036854775807", std::nullopt, "-9223372036854775807", ""},
      {"9223372036854775808", std::nullopt, "9223372036854775808", ""},
      // .0
      {"-9223372036854775807.0", std::nullopt, "-9223372036854775807", "-9223372036854775807"},
      {"9223372036854775808.0", std::nullopt, "9223372036854775808", "9223372036854775808"},
      // 000m
      {"-9223372036854775807000m", std::nullopt, "-9223372036854775807", "-9223372036854775807"},
      {"9223372036854775808000m", std::nullopt, "9223372036854775808", "9223372036854775808"},
      // .1
      {"-9223372036854775807.1", std::nullopt, "-9223372036854775807.1", "-9223372036854775807100m"},
      {"9223372036854775808.1", std::nullopt, "9223372036854775808.1", "9223372036854775808100m"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.input);
    auto q = Quantity::parse(c.input);
    ASSERT_TRUE(q);
    EXPECT_EQ(str(q->nano()), str(nano_of(c.as_dec)));
    if (c.as_int64) {
      EXPECT_EQ(q->value(), *c.as_int64);
    }
    EXPECT_EQ(q->to_string(), c.canonical.empty() ? c.input : c.canonical);
  }
}

// Our own limit, not upstream's: amounts are held to the nano in 128 bits, so text past
// about 1.7e29 units does not parse (upstream's arbitrary-precision decimal takes it).
// Binary quantities never get there: upstream caps them at 2^63-1 units, and so do we.
TEST(QuantityLimits, BeyondOneHundredTwentyEightBits) {
  EXPECT_FALSE(Quantity::parse("200000000000000000000000000000"));
  EXPECT_TRUE(Quantity::parse("100000000000000000000000000000"));
  auto capped = Quantity::parse("1000000000000000000000000000000000000000000Ei");
  ASSERT_TRUE(capped);
  EXPECT_EQ(str(capped->nano()), str(nano_of(kMaxInt64, 0)));
}

}  // namespace
