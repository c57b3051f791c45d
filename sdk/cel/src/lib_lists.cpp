// Kubernetes' lists library (isSorted, sum, min, max, indexOf, lastIndexOf) and cel-go's
// ext.Sets (sets.contains, sets.equivalent, sets.intersects).
#include <string>
#include <utility>
#include <vector>

#include "ukube/cel/library.h"

namespace ukube::cel {
namespace {

// Upstream declares one overload per element type, named after it: list_int_min_int.
struct ListsElement {
  const char* name;
  TypePtr type;
  bool summable;
};

std::vector<ListsElement> lists_comparable_types() {
  return {{"int", types::int64(), true},         {"uint", types::uint64(), true},
          {"double", types::double_(), true},    {"bool", types::boolean(), false},
          {"duration", types::duration(), true}, {"timestamp", types::timestamp(), false},
          {"string", types::string(), false},    {"bytes", types::bytes(), false}};
}

// A list(dyn) may mix kinds; upstream's Compare then yields an error, which is neither
// "greater" nor "less", so such a pair never reorders anything.
bool lists_greater(const Value& a, const Value& b) {
  const std::optional<int> order = compare(a, b);
  return order && *order > 0;
}

Value lists_is_sorted(std::span<const Value> args) {
  const std::vector<Value>& list = args[0].as_list();
  for (size_t i = 1; i < list.size(); ++i) {
    if (lists_greater(list[i - 1], list[i])) return Value(false);
  }
  return Value(true);
}

Value lists_extreme(std::span<const Value> args, bool want_max) {
  const std::vector<Value>& list = args[0].as_list();
  if (list.empty()) return Value::error(std::string(want_max ? "max" : "min") + " called on empty list");
  const Value* best = &list[0];
  for (size_t i = 1; i < list.size(); ++i) {
    if (want_max ? lists_greater(list[i], *best) : lists_greater(*best, list[i])) best = &list[i];
  }
  return *best;
}

constexpr __int128 kListsNanosPerSecond = 1'000'000'000;

// Sums as upstream's Add does: the same kind only, with cel-go's overflow errors. A
// duration is an int64 of nanoseconds in cel-go, so that is its range here too.
Value lists_sum(std::span<const Value> args, Value::Kind kind) {
  const std::vector<Value>& list = args[0].as_list();
  int64_t int_sum = 0;
  uint64_t uint_sum = 0;
  double double_sum = 0;
  __int128 nanos = 0;
  for (const Value& v : list) {
    if (v.kind() != kind) return Value::error("no such overload");
    switch (kind) {
      case Value::Kind::Int:
        if (__builtin_add_overflow(int_sum, v.as_int(), &int_sum)) return Value::error("integer overflow");
        break;
      case Value::Kind::Uint:
        if (__builtin_add_overflow(uint_sum, v.as_uint(), &uint_sum)) {
          return Value::error("unsigned integer overflow");
        }
        break;
      case Value::Kind::Double: double_sum += v.as_double(); break;
      default: {
        const Duration d = v.as_duration();
        nanos += d.seconds * kListsNanosPerSecond + d.nanos;
        if (nanos > INT64_MAX || nanos < INT64_MIN) return Value::error("integer overflow");
      }
    }
  }
  switch (kind) {
    case Value::Kind::Int: return Value(int_sum);
    case Value::Kind::Uint: return Value(uint_sum);
    case Value::Kind::Double: return Value(double_sum);
    default:
      return Value(Duration{static_cast<int64_t>(nanos / kListsNanosPerSecond),
                            static_cast<int32_t>(nanos % kListsNanosPerSecond)});
  }
}

Value::Kind lists_kind_of(std::string_view name) {
  if (name == "int") return Value::Kind::Int;
  if (name == "uint") return Value::Kind::Uint;
  if (name == "double") return Value::Kind::Double;
  return Value::Kind::Duration;
}

// Whether every element of `sub` equals some element of `list`, as CEL's `in` decides.
bool lists_contains_all(const std::vector<Value>& list, const std::vector<Value>& sub) {
  for (const Value& wanted : sub) {
    bool found = false;
    for (const Value& have : list) {
      if (equals(have, wanted)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

}  // namespace

void add_list_functions(Library& library) {
  // Kubernetes charges one per element for these single traversals (plus, at CRD write, the
  // length of string and bytes elements).
  const CallCost traversal = CallCost::linear(1.0, 0);
  for (const ListsElement& element : lists_comparable_types()) {
    const std::string name = element.name;
    const TypePtr list = types::list(element.type);
    library.add(
        "isSorted",
        Overload{
            "list_" + name + "_is_sorted_bool", true, {list}, types::boolean(), lists_is_sorted, traversal});
    library.add("max", Overload{"list_" + name + "_max_" + name,
                                true,
                                {list},
                                element.type,
                                [](std::span<const Value> args) { return lists_extreme(args, true); },
                                traversal});
    library.add("min", Overload{"list_" + name + "_min_" + name,
                                true,
                                {list},
                                element.type,
                                [](std::span<const Value> args) { return lists_extreme(args, false); },
                                traversal});
    if (element.summable) {
      const Value::Kind kind = lists_kind_of(name);
      library.add("sum", Overload{"list_" + name + "_sum_" + name,
                                  true,
                                  {list},
                                  element.type,
                                  [kind](std::span<const Value> args) { return lists_sum(args, kind); },
                                  traversal});
    }
  }

  const TypePtr a = types::param("A");
  library.add("indexOf", Overload{"list_a_index_of_int",
                                  true,
                                  {types::list(a), a},
                                  types::int64(),
                                  [](std::span<const Value> args) {
                                    const std::vector<Value>& list = args[0].as_list();
                                    for (size_t i = 0; i < list.size(); ++i) {
                                      if (equals(list[i], args[1])) return Value(static_cast<int64_t>(i));
                                    }
                                    return Value(int64_t{-1});
                                  },
                                  traversal});
  library.add("lastIndexOf", Overload{"list_a_last_index_of_int",
                                      true,
                                      {types::list(a), a},
                                      types::int64(),
                                      [](std::span<const Value> args) {
                                        const std::vector<Value>& list = args[0].as_list();
                                        for (size_t i = list.size(); i-- > 0;) {
                                          if (equals(list[i], args[1])) return Value(static_cast<int64_t>(i));
                                        }
                                        return Value(int64_t{-1});
                                      },
                                      traversal});

  // ext.Sets compares every element of one list with every element of the other: the
  // product of their lengths, twice over for equivalence.
  const TypePtr t = types::param("T");
  const TypePtr set = types::list(t);
  const CallCost product{CallCost::Shape::Product, 1.0, 0, 1.0};
  const CallCost double_product{CallCost::Shape::Product, 1.0, 0, 2.0};
  library.add("sets.contains",
              Overload{"list_sets_contains_list",
                       false,
                       {set, set},
                       types::boolean(),
                       [](std::span<const Value> args) {
                         return Value(lists_contains_all(args[0].as_list(), args[1].as_list()));
                       },
                       product});
  library.add("sets.equivalent",
              Overload{"list_sets_equivalent_list",
                       false,
                       {set, set},
                       types::boolean(),
                       [](std::span<const Value> args) {
                         const std::vector<Value>& x = args[0].as_list();
                         const std::vector<Value>& y = args[1].as_list();
                         return Value(lists_contains_all(x, y) && lists_contains_all(y, x));
                       },
                       double_product});
  library.add("sets.intersects", Overload{"list_sets_intersects_list",
                                          false,
                                          {set, set},
                                          types::boolean(),
                                          [](std::span<const Value> args) {
                                            const std::vector<Value>& y = args[1].as_list();
                                            for (const Value& x : args[0].as_list()) {
                                              for (const Value& candidate : y) {
                                                if (equals(x, candidate)) return Value(true);
                                              }
                                            }
                                            return Value(false);
                                          },
                                          product});
}

}  // namespace ukube::cel
