#include "ukube/machinery/quantity.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace ukube::machinery {
namespace {

using Nano = Quantity::Nano;
constexpr Nano kNanoPerUnit = 1000000000;
constexpr Nano kNanoPerMilli = 1000000;

// a / b rounded away from zero, as upstream rounds values finer than a nano.
Nano divide_up(Nano a, Nano b) {
  Nano q = a / b;
  if (a % b != 0) q += a < 0 ? -1 : 1;
  return q;
}

std::string to_text(Nano v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  std::string digits;
  while (v != 0) {
    int d = static_cast<int>(v % 10);
    digits.push_back(static_cast<char>('0' + (d < 0 ? -d : d)));
    v /= 10;
  }
  if (negative) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

// An unsigned integer of any size, for parsing only: upstream parses into an
// arbitrary-precision decimal and rounds to the nano unit afterwards, so a long fraction
// ("1.000…0001") or a large binary quantity that upstream caps must not fail half-way.
class BigUnsigned {
 public:
  BigUnsigned() { limbs_.reserve(5); }  // 128 bits and a carry: one allocation per parse
  bool is_zero() const { return limbs_.empty(); }
  // *this = *this * m + a
  void mul_add(uint32_t m, uint32_t a) {
    uint64_t carry = a;
    for (auto& limb : limbs_) {
      uint64_t v = uint64_t(limb) * m + carry;
      limb = static_cast<uint32_t>(v);
      carry = v >> 32;
    }
    if (carry) limbs_.push_back(static_cast<uint32_t>(carry));
  }
  // *this /= d; returns the remainder.
  uint32_t divide(uint32_t d) {
    uint64_t rem = 0;
    for (size_t i = limbs_.size(); i-- > 0;) {
      uint64_t cur = (rem << 32) | limbs_[i];
      limbs_[i] = static_cast<uint32_t>(cur / d);
      rem = cur % d;
    }
    while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
    return static_cast<uint32_t>(rem);
  }
  // The value, when it fits in 128 bits.
  std::optional<unsigned __int128> to_u128() const {
    if (limbs_.size() > 4) return std::nullopt;
    unsigned __int128 v = 0;
    for (size_t i = limbs_.size(); i-- > 0;) v = (v << 32) | limbs_[i];
    return v;
  }

 private:
  std::vector<uint32_t> limbs_;  // little-endian, base 2^32, no leading zero limbs
};

// strconv.ParseInt(s, 10, 64): an optional sign, at least one digit, in int64 range.
std::optional<int64_t> parse_go_int64(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  uint64_t magnitude = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (magnitude > (std::numeric_limits<uint64_t>::max() - 9) / 10) return std::nullopt;
    magnitude = magnitude * 10 + static_cast<uint64_t>(c - '0');
  }
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (magnitude > kMax + (negative ? 1 : 0)) return std::nullopt;
  return negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
}

int64_t saturate(Nano v) {
  if (v > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (v < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

struct Suffix {
  QuantityFormat format;
  int base = 10;         // 10 or 2
  int32_t exponent = 0;  // of `base`
};

// Upstream's quantitySuffixer.interpret: the SI and binary tables, else "e"/"E" followed
// by whatever strconv.ParseInt takes, truncated to int32 as upstream truncates it.
std::optional<Suffix> interpret_suffix(std::string_view s) {
  using enum QuantityFormat;
  static constexpr std::pair<std::string_view, Suffix> kTable[] = {
      {"", {DecimalSI, 10, 0}},   {"n", {DecimalSI, 10, -9}}, {"u", {DecimalSI, 10, -6}},
      {"m", {DecimalSI, 10, -3}}, {"k", {DecimalSI, 10, 3}},  {"M", {DecimalSI, 10, 6}},
      {"G", {DecimalSI, 10, 9}},  {"T", {DecimalSI, 10, 12}}, {"P", {DecimalSI, 10, 15}},
      {"E", {DecimalSI, 10, 18}}, {"Ki", {BinarySI, 2, 10}},  {"Mi", {BinarySI, 2, 20}},
      {"Gi", {BinarySI, 2, 30}},  {"Ti", {BinarySI, 2, 40}},  {"Pi", {BinarySI, 2, 50}},
      {"Ei", {BinarySI, 2, 60}},
  };
  for (const auto& [text, suffix] : kTable)
    if (s == text) return suffix;
  if (s.size() > 1 && (s[0] == 'e' || s[0] == 'E')) {
    auto exponent = parse_go_int64(s.substr(1));
    if (!exponent) return std::nullopt;
    return Suffix{DecimalExponent, 10, static_cast<int32_t>(*exponent)};  // int32(parsed)
  }
  return std::nullopt;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// strings.TrimSpace: ASCII white space and the other runes unicode.IsSpace accepts
// (U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
size_t space_width(std::string_view s, bool at_end) {
  static constexpr std::string_view kWide[] = {"\xC2\x85",     "\xC2\xA0",     "\xE1\x9A\x80", "\xE2\x80\x80",
                                               "\xE2\x80\x81", "\xE2\x80\x82", "\xE2\x80\x83", "\xE2\x80\x84",
                                               "\xE2\x80\x85", "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88",
                                               "\xE2\x80\x89", "\xE2\x80\x8A", "\xE2\x80\xA8", "\xE2\x80\xA9",
                                               "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80"};
  if (s.empty()) return 0;
  if (std::string_view(" \t\n\v\f\r").find(at_end ? s.back() : s.front()) != std::string_view::npos) return 1;
  for (auto w : kWide)
    if (at_end ? s.ends_with(w) : s.starts_with(w)) return w.size();
  return 0;
}

std::string_view trim_space(std::string_view s) {
  while (size_t n = space_width(s, false)) s.remove_prefix(n);
  while (size_t n = space_width(s, true)) s.remove_suffix(n);
  return s;
}

// Upstream caps binary quantities at 2^63-1 units.
constexpr Nano kBinaryCap = Nano(std::numeric_limits<int64_t>::max()) * kNanoPerUnit;
constexpr Nano kNanoMax = std::numeric_limits<Nano>::max();

}  // namespace

// Upstream's parseQuantityString + ParseQuantity. The scanner is more lenient than the
// regular expression in its error message: the number may be empty ("." "+" "-" "Ki" are
// all zero), the suffix is any run of [eEinumkKMGTP] followed by an optional sign and
// digits, and only then is the suffix looked up.
std::optional<Quantity> Quantity::parse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  size_t pos = 0;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    ++pos;
  }
  size_t num_begin = pos;
  while (pos < text.size() && is_digit(text[pos])) ++pos;
  std::string_view num = text.substr(num_begin, pos - num_begin);
  std::string_view denom;
  if (pos < text.size() && text[pos] == '.') {
    size_t denom_begin = ++pos;
    while (pos < text.size() && is_digit(text[pos])) ++pos;
    denom = text.substr(denom_begin, pos - denom_begin);
  }
  size_t suffix_begin = pos;
  while (pos < text.size() && std::string_view("eEinumkKMGTP").find(text[pos]) != std::string_view::npos)
    ++pos;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
  while (pos < text.size() && is_digit(text[pos])) ++pos;
  if (pos != text.size()) return std::nullopt;
  auto suffix = interpret_suffix(text.substr(suffix_begin));
  if (!suffix) return std::nullopt;

  // |value| in nano = digits(num denom) * base^exponent * 10^(9 - len(denom)), rounded up.
  BigUnsigned amount;
  for (char c : num) amount.mul_add(10, static_cast<uint32_t>(c - '0'));
  for (char c : denom) amount.mul_add(10, static_cast<uint32_t>(c - '0'));
  int64_t shift = 9 - static_cast<int64_t>(denom.size());
  if (suffix->base == 2) {
    for (int32_t i = 0; i < suffix->exponent; ++i) amount.mul_add(2, 0);
  } else {
    shift += suffix->exponent;
  }
  Nano magnitude = 0;
  if (!amount.is_zero()) {
    if (shift > 0) {
      if (shift > 39) return std::nullopt;  // at least 10^39 nano: past 128 bits
      for (int64_t i = 0; i < shift; ++i) amount.mul_add(10, 0);
    } else if (shift < 0) {
      // amount < 10^(digits + 19) (2^60 < 10^19): dividing by more leaves less than a nano.
      auto digits = static_cast<int64_t>(num.size() + denom.size());
      bool inexact = false;
      if (-shift > digits + 20) {
        amount = BigUnsigned();
        inexact = true;
      } else {
        for (int64_t i = 0; i < -shift; ++i) inexact |= amount.divide(10) != 0;
      }
      if (inexact) amount.mul_add(1, 1);  // round up, away from zero
    }
    auto value = amount.to_u128();
    if (suffix->format == QuantityFormat::BinarySI &&
        (!value || *value > static_cast<unsigned __int128>(kBinaryCap)))
      magnitude = kBinaryCap;
    else if (!value || *value > static_cast<unsigned __int128>(kNanoMax))
      return std::nullopt;  // beyond what 128 bits of nano hold
    else
      magnitude = static_cast<Nano>(*value);
  }
  QuantityFormat format = suffix->format;
  // A binary quantity under one unit turns decimal, as upstream's does.
  if (format == QuantityFormat::BinarySI && magnitude > 0 && magnitude < kNanoPerUnit)
    format = QuantityFormat::DecimalSI;
  return Quantity(negative ? -magnitude : magnitude, format);
}

std::optional<Quantity> Quantity::from_json(const boost::json::value& v) {
  // Upstream's UnmarshalJSON trims white space around the quoted text.
  if (v.is_string()) return parse(trim_space(v.get_string()));
  if (v.is_int64()) return of(v.get_int64());
  if (v.is_uint64()) return parse(std::to_string(v.get_uint64()));
  if (v.is_double()) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v.get_double());
    if (r.ec != std::errc()) return std::nullopt;
    return parse(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
  }
  return std::nullopt;
}

Quantity Quantity::of(int64_t value, QuantityFormat format) {
  return Quantity(Nano(value) * kNanoPerUnit, format);
}

Quantity Quantity::of_milli(int64_t milli, QuantityFormat format) {
  return Quantity(Nano(milli) * kNanoPerMilli, format);
}

int64_t Quantity::value() const {
  return saturate(divide_up(nano_, kNanoPerUnit));
}

int64_t Quantity::milli_value() const {
  return saturate(divide_up(nano_, kNanoPerMilli));
}

int Quantity::compare(const Quantity& other) const {
  return nano_ < other.nano_ ? -1 : nano_ > other.nano_ ? 1 : 0;
}

// Upstream's sums are unbounded; ours stop at the 128-bit range rather than wrap (signed
// overflow would be undefined), and stay symmetric so negating a sum never overflows.
Quantity& Quantity::operator+=(const Quantity& other) {
  if (nano_ == 0) format_ = other.format_;
  if (__builtin_add_overflow(nano_, other.nano_, &nano_) || nano_ < -kNanoMax)
    nano_ = other.nano_ < 0 ? -kNanoMax : kNanoMax;
  return *this;
}

Quantity& Quantity::operator-=(const Quantity& other) {
  if (nano_ == 0) format_ = other.format_;
  if (__builtin_sub_overflow(nano_, other.nano_, &nano_) || nano_ < -kNanoMax)
    nano_ = other.nano_ > 0 ? -kNanoMax : kNanoMax;
  return *this;
}

std::string Quantity::to_string() const {
  if (nano_ == 0) return "0";
  QuantityFormat format = format_;
  if (format == QuantityFormat::BinarySI) {
    // Small or fractional binary quantities print in decimal, as upstream's do.
    Nano magnitude = nano_ < 0 ? -nano_ : nano_;
    if (magnitude < 1024 * kNanoPerUnit || nano_ % kNanoPerUnit != 0) format = QuantityFormat::DecimalSI;
  }
  if (format == QuantityFormat::BinarySI) {
    static constexpr const char* kSuffixes[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    Nano amount = nano_ / kNanoPerUnit;
    int exponent = 0;
    while (exponent < 6 && amount % 1024 == 0) {
      amount /= 1024;
      ++exponent;
    }
    return to_text(amount) + kSuffixes[exponent];
  }
  // Decimal: strip factors of ten, then step the exponent down to a multiple of three.
  Nano amount = nano_;
  int exponent = -9;
  while (amount % 10 == 0) {
    amount /= 10;
    ++exponent;
  }
  int rest = ((exponent % 3) + 3) % 3;
  for (int i = 0; i < rest; ++i) amount *= 10;
  exponent -= rest;
  if (format == QuantityFormat::DecimalExponent)
    return to_text(amount) + (exponent == 0 ? std::string() : "e" + std::to_string(exponent));
  while (exponent > 18) {  // beyond exa there is no SI suffix
    amount *= 1000;
    exponent -= 3;
  }
  static constexpr const char* kDecimal[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
  return to_text(amount) + kDecimal[(exponent + 9) / 3];
}

}  // namespace ukube::machinery
