// Kubernetes' quantity library: quantity(), isQuantity() and the kubernetes.Quantity
// members, on machinery's Quantity so that rules and the API server agree on every value.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include "ukube/cel/library.h"
#include "ukube/machinery/quantity.h"

namespace ukube::cel {
namespace {

constexpr std::string_view kQuantityTypeName = "kubernetes.Quantity";
constexpr machinery::Quantity::Nano kQuantityNanosPerUnit = 1'000'000'000;

class QuantityValue final : public Opaque {
 public:
  explicit QuantityValue(machinery::Quantity q) : quantity_(q) {}
  std::string_view type_name() const override { return kQuantityTypeName; }
  // Equal amounts, whatever their suffixes: quantity("1k") == quantity("1000").
  bool equals(const Opaque& other) const override {
    const auto* q = dynamic_cast<const QuantityValue*>(&other);
    return q != nullptr && q->quantity_ == quantity_;
  }
  const machinery::Quantity& quantity() const { return quantity_; }

 private:
  machinery::Quantity quantity_;
};

Value quantity_value(machinery::Quantity q) {
  return Value(std::make_shared<const QuantityValue>(q));
}

// The receiver and operand of a member; the checker lets only quantities through.
const machinery::Quantity& quantity_of(const Value& v) {
  return v.opaque_as<QuantityValue>()->quantity();
}

// The whole number of units, when the quantity is one that fits an int64 (upstream's AsInt64).
std::optional<int64_t> quantity_as_int(const machinery::Quantity& q) {
  if (q.nano() % kQuantityNanosPerUnit != 0) return std::nullopt;
  const machinery::Quantity::Nano units = q.nano() / kQuantityNanosPerUnit;
  if (units > std::numeric_limits<int64_t>::max() || units < std::numeric_limits<int64_t>::min())
    return std::nullopt;
  return static_cast<int64_t>(units);
}

// The 128-bit nano count holds any quantity written in an object, but a sum of two near
// its limit would wrap; say so instead.
Value quantity_sum(const machinery::Quantity& a, const machinery::Quantity& b, bool subtract) {
  machinery::Quantity::Nano ignored;
  const bool overflow = subtract ? __builtin_sub_overflow(a.nano(), b.nano(), &ignored)
                                 : __builtin_add_overflow(a.nano(), b.nano(), &ignored);
  if (overflow) return Value::error("quantity overflow");
  return quantity_value(subtract ? a - b : a + b);
}

// Which of upstream's three messages ParseQuantity gives for text machinery refuses: the
// shape (sign, digits, '.', digits, suffix letters, signed exponent digits) is wrong, the
// suffix is not one it knows ("10Mm"), or the number is not one (an overflow).
std::string quantity_parse_error(std::string_view text) {
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t at = 0;
  if (at < text.size() && (text[at] == '+' || text[at] == '-')) ++at;
  while (at < text.size() && is_digit(text[at])) ++at;
  if (at < text.size() && text[at] == '.') {
    ++at;
    while (at < text.size() && is_digit(text[at])) ++at;
  }
  const size_t suffix_start = at;
  while (at < text.size() && std::string_view("eEinumkKMGTP").find(text[at]) != std::string_view::npos) ++at;
  if (at < text.size() && (text[at] == '+' || text[at] == '-')) ++at;
  while (at < text.size() && is_digit(text[at])) ++at;
  if (text.empty() || at < text.size()) return std::string(machinery::kQuantityPattern);

  const std::string_view suffix = text.substr(suffix_start);
  bool known = suffix.empty() || suffix.size() == 1
                   ? std::string_view("numkMGTPE").find(suffix) != std::string_view::npos
                   : suffix.size() == 2 && suffix[1] == 'i' &&
                         std::string_view("KMGTPE").find(suffix[0]) != std::string_view::npos;
  if (!known && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::string_view exponent = suffix.substr(1);
    if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) exponent.remove_prefix(1);
    known = !exponent.empty() && exponent.find_first_not_of("0123456789") == std::string_view::npos;
  }
  return known ? "unable to parse numeric part of quantity" : "unable to parse quantity's suffix";
}

bool quantity_is_quantity(const Value& v) {
  return v.opaque_as<QuantityValue>() != nullptr;
}

Value quantity_no_overload() {
  return Value::error("no such overload");
}

}  // namespace

void add_quantity_functions(Library& library) {
  const TypePtr quantity = types::opaque(std::string(kQuantityTypeName));
  const TypePtr str = types::string();
  const TypePtr integer = types::int64();
  const TypePtr boolean = types::boolean();

  // Parsing is a traversal of the text; every member is a nominal 1.
  library.add("quantity", Overload{"string_to_quantity",
                                   false,
                                   {str},
                                   quantity,
                                   [](std::span<const Value> args) {
                                     const std::optional<machinery::Quantity> q =
                                         machinery::Quantity::parse(args[0].as_string());
                                     if (!q) return Value::error(quantity_parse_error(args[0].as_string()));
                                     return quantity_value(*q);
                                   },
                                   CallCost::linear(0.1, 0)});
  library.add("isQuantity",
              Overload{"is_quantity_string",
                       false,
                       {str},
                       boolean,
                       [](std::span<const Value> args) {
                         return Value(machinery::Quantity::parse(args[0].as_string()).has_value());
                       },
                       CallCost::linear(0.1, 0)});

  // Every member below checks its receiver (and quantity operand) so that a dyn value
  // that is not a quantity fails as upstream fails, not by a bad cast.
  const auto unary = [&](const char* name, const char* id, TypePtr result,
                         Value (*impl)(const machinery::Quantity&), bool member = true) {
    library.add(name, Overload{id,
                               member,
                               {quantity},
                               std::move(result),
                               [impl](std::span<const Value> args) {
                                 return quantity_is_quantity(args[0]) ? impl(quantity_of(args[0]))
                                                                      : quantity_no_overload();
                               },
                               CallCost::constant()});
  };
  const auto binary = [&](const char* name, const char* id, TypePtr result,
                          Value (*impl)(const machinery::Quantity&, const machinery::Quantity&)) {
    library.add(name, Overload{id,
                               true,
                               {quantity, quantity},
                               std::move(result),
                               [impl](std::span<const Value> args) {
                                 if (!quantity_is_quantity(args[0]) || !quantity_is_quantity(args[1])) {
                                   return quantity_no_overload();
                                 }
                                 return impl(quantity_of(args[0]), quantity_of(args[1]));
                               },
                               CallCost::constant()});
  };
  const auto with_int = [&](const char* name, const char* id, bool subtract) {
    library.add(name, Overload{id,
                               true,
                               {quantity, integer},
                               quantity,
                               [subtract](std::span<const Value> args) {
                                 if (!quantity_is_quantity(args[0])) return quantity_no_overload();
                                 const machinery::Quantity operand = machinery::Quantity::of(
                                     args[1].as_int(), machinery::QuantityFormat::DecimalExponent);
                                 return quantity_sum(quantity_of(args[0]), operand, subtract);
                               },
                               CallCost::constant()});
  };

  // Upstream declares sign as a global function, sign(q), unlike its documentation's q.sign().
  unary(
      "sign", "quantity_sign", integer,
      [](const machinery::Quantity& q) {
        return Value(int64_t{q.is_negative() ? -1 : q.is_zero() ? 0 : 1});
      },
      false);
  unary("isInteger", "quantity_is_integer", boolean,
        [](const machinery::Quantity& q) { return Value(quantity_as_int(q).has_value()); });
  unary("asInteger", "quantity_get_int", integer, [](const machinery::Quantity& q) {
    const std::optional<int64_t> units = quantity_as_int(q);
    return units ? Value(*units) : Value::error("cannot convert value to integer");
  });
  unary("asApproximateFloat", "quantity_get_float", types::double_(), [](const machinery::Quantity& q) {
    return Value(static_cast<double>(q.nano()) / static_cast<double>(kQuantityNanosPerUnit));
  });

  binary("isGreaterThan", "quantity_is_greater_than", boolean,
         [](const machinery::Quantity& a, const machinery::Quantity& b) { return Value(a.compare(b) > 0); });
  binary("isLessThan", "quantity_is_less_than", boolean,
         [](const machinery::Quantity& a, const machinery::Quantity& b) { return Value(a.compare(b) < 0); });
  binary("compareTo", "quantity_compare_to", integer,
         [](const machinery::Quantity& a, const machinery::Quantity& b) {
           const int order = a.compare(b);
           return Value(int64_t{order < 0 ? -1 : order > 0 ? 1 : 0});
         });
  binary("add", "quantity_add", quantity, [](const machinery::Quantity& a, const machinery::Quantity& b) {
    return quantity_sum(a, b, false);
  });
  binary("sub", "quantity_sub", quantity,
         [](const machinery::Quantity& a, const machinery::Quantity& b) { return quantity_sum(a, b, true); });
  with_int("add", "quantity_add_int", false);
  with_int("sub", "quantity_sub_int", true);
}

}  // namespace ukube::cel
