#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/export.h"

// resource.Quantity as upstream parses, adds, compares and prints it: exact to the nano
// unit (finer values round up, as upstream rounds them), in a 128-bit integer, which
// holds every quantity a real object carries (up to about 1.7e29). The format (decimal
// SI, binary SI or decimal exponent) comes from the suffix it was written with and
// decides its canonical text: "1000m" prints as "1", "1024Mi" as "1Gi", "1536Mi" as
// "1536Mi" and "1.5" as "1500m".
namespace ukube::machinery {

enum class QuantityFormat { DecimalSI, BinarySI, DecimalExponent };

class UKUBE_MACHINERY_API Quantity {
 public:
  using Nano = __int128;

  Quantity() = default;  // zero, DecimalSI
  // Null when `text` is not in quantity syntax (or out of range).
  static std::optional<Quantity> parse(std::string_view text);
  // A string in quantity syntax or a JSON number.
  static std::optional<Quantity> from_json(const boost::json::value& v);
  static Quantity of(int64_t value, QuantityFormat format = QuantityFormat::DecimalSI);
  static Quantity of_milli(int64_t milli, QuantityFormat format = QuantityFormat::DecimalSI);

  Nano nano() const { return nano_; }
  QuantityFormat format() const { return format_; }
  // The value in units / thousandths, rounded up as upstream's Value() / MilliValue().
  int64_t value() const;
  int64_t milli_value() const;
  bool is_zero() const { return nano_ == 0; }
  bool is_negative() const { return nano_ < 0; }
  // <0, 0, >0 as this is less than, equal to or greater than `other`.
  int compare(const Quantity& other) const;

  // As upstream's Add/Sub: the result keeps this quantity's format unless it was zero.
  Quantity& operator+=(const Quantity& other);
  Quantity& operator-=(const Quantity& other);
  friend Quantity operator+(Quantity a, const Quantity& b) { return a += b; }
  friend Quantity operator-(Quantity a, const Quantity& b) { return a -= b; }
  // Equal values, whatever their formats.
  friend bool operator==(const Quantity& a, const Quantity& b) { return a.nano_ == b.nano_; }

  // The canonical text upstream's String() gives.
  std::string to_string() const;

 private:
  Quantity(Nano nano, QuantityFormat format) : nano_(nano), format_(format) {}
  Nano nano_ = 0;
  QuantityFormat format_ = QuantityFormat::DecimalSI;
};

// Upstream's message for text that is not a quantity.
inline constexpr std::string_view kQuantityPattern =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

}  // namespace ukube::machinery
