#include "quantity.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include <boost/json.hpp>

namespace ukube::admission {
namespace {

using Nano = Quantity::Nano;
constexpr Nano kNanoPerUnit = 1000000000;
constexpr Nano kNanoPerMilli = 1000000;

bool mul(Nano a, Nano b, Nano& out) {
  return !__builtin_mul_overflow(a, b, &out);
}

bool pow10(int exponent, Nano& out) {
  out = 1;
  for (int i = 0; i < exponent; ++i)
    if (!mul(out, 10, out)) return false;
  return true;
}

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

int64_t saturate(Nano v) {
  if (v > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (v < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

struct Suffix {
  QuantityFormat format;
  int base10 = 0;  // decimal exponent
  int base2 = 0;   // binary exponent
};

std::optional<Suffix> read_suffix(std::string_view s) {
  if (s.empty()) return Suffix{QuantityFormat::DecimalSI};
  if (s.size() == 2 && s[1] == 'i') {
    static constexpr std::string_view kBinary = "KMGTPE";
    auto at = kBinary.find(s[0]);
    if (at == std::string_view::npos) return std::nullopt;
    return Suffix{QuantityFormat::BinarySI, 0, 10 * static_cast<int>(at + 1)};
  }
  if (s.size() == 1) {
    switch (s[0]) {
      case 'n': return Suffix{QuantityFormat::DecimalSI, -9};
      case 'u': return Suffix{QuantityFormat::DecimalSI, -6};
      case 'm': return Suffix{QuantityFormat::DecimalSI, -3};
      case 'k': return Suffix{QuantityFormat::DecimalSI, 3};
      case 'M': return Suffix{QuantityFormat::DecimalSI, 6};
      case 'G': return Suffix{QuantityFormat::DecimalSI, 9};
      case 'T': return Suffix{QuantityFormat::DecimalSI, 12};
      case 'P': return Suffix{QuantityFormat::DecimalSI, 15};
      case 'E': return Suffix{QuantityFormat::DecimalSI, 18};
      default: return std::nullopt;
    }
  }
  if (s[0] == 'e' || s[0] == 'E') {
    std::string_view digits = s.substr(1);
    bool negative = false;
    if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
      negative = digits[0] == '-';
      digits.remove_prefix(1);
    }
    if (digits.empty() || digits.size() > 4) return std::nullopt;
    int exponent = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      exponent = exponent * 10 + (c - '0');
    }
    return Suffix{QuantityFormat::DecimalExponent, negative ? -exponent : exponent};
  }
  return std::nullopt;
}

}  // namespace

std::optional<Quantity> Quantity::parse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  Nano mantissa = 0;
  int fraction_digits = 0;
  int digits = 0;
  bool seen_point = false;
  size_t i = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (seen_point) return std::nullopt;
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    ++digits;
    // Digits past what 128 bits hold add nothing a real quantity needs: refuse them.
    if (!mul(mantissa, 10, mantissa) || __builtin_add_overflow(mantissa, Nano(c - '0'), &mantissa))
      return std::nullopt;
    if (seen_point) ++fraction_digits;
  }
  if (digits == 0) return std::nullopt;
  auto suffix = read_suffix(text.substr(i));
  if (!suffix) return std::nullopt;

  Nano value = mantissa;
  for (int b = 0; b < suffix->base2; ++b)
    if (!mul(value, 2, value)) return std::nullopt;
  int scale = 9 + suffix->base10 - fraction_digits;  // value * 10^scale nano
  Nano factor;
  if (scale >= 0) {
    if (!pow10(scale, factor) || !mul(value, factor, value)) return std::nullopt;
  } else if (-scale > 38) {
    value = value == 0 ? 0 : 1;
  } else {
    if (!pow10(-scale, factor)) return std::nullopt;
    value = divide_up(value, factor);
  }
  return Quantity(negative ? -value : value, suffix->format);
}

std::optional<Quantity> Quantity::from_json(const boost::json::value& v) {
  if (v.is_string()) return parse(v.get_string());
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

Quantity& Quantity::operator+=(const Quantity& other) {
  if (nano_ == 0) format_ = other.format_;
  nano_ += other.nano_;
  return *this;
}

Quantity& Quantity::operator-=(const Quantity& other) {
  if (nano_ == 0) format_ = other.format_;
  nano_ -= other.nano_;
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

}  // namespace ukube::admission
