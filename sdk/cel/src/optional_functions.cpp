// CEL's optional values (cel-go's OptionalTypes library): optional.of, optional.none,
// optional.ofNonZeroValue, hasValue, value, orValue and or. The syntax a.?b and m[?k]
// belongs to the evaluator.
#include "ukube/cel/library.h"

namespace ukube::cel {
namespace {

bool is_zero_value(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null: return true;
    case Value::Kind::Bool: return !v.as_bool();
    case Value::Kind::Int: return v.as_int() == 0;
    case Value::Kind::Uint: return v.as_uint() == 0;
    case Value::Kind::Double: return v.as_double() == 0;
    case Value::Kind::String:
    case Value::Kind::Bytes: return v.as_string().empty();
    case Value::Kind::List:
    case Value::Kind::Map: return v.size() == 0;
    case Value::Kind::Duration:
    case Value::Kind::Timestamp: return v.as_duration().seconds == 0 && v.as_duration().nanos == 0;
    case Value::Kind::Optional: return !v.optional_value();
    default: return false;
  }
}

}  // namespace

void add_optional_functions(Library& l) {
  using Args = std::span<const Value>;
  const auto a = types::param("A"), optional_a = types::optional(a);
  l.add("optional.of",
        {"optional_of", false, {a}, optional_a, [](Args v) { return Value::optional_of(v[0]); }, CallCost{}});
  l.add("optional.ofNonZeroValue",
        {"optional_ofNonZeroValue",
         false,
         {a},
         optional_a,
         [](Args v) { return is_zero_value(v[0]) ? Value::optional_none() : Value::optional_of(v[0]); },
         CallCost{}});
  l.add("optional.none", {"optional_none",
                          false,
                          {},
                          types::optional(types::dyn()),
                          [](Args) { return Value::optional_none(); },
                          CallCost{}});
  l.add("hasValue", {"optional_hasValue",
                     true,
                     {optional_a},
                     types::boolean(),
                     [](Args v) { return Value(v[0].optional_value() != nullptr); },
                     CallCost{}});
  l.add("value", {"optional_value",
                  true,
                  {optional_a},
                  a,
                  [](Args v) -> Value {
                    if (const Value* inner = v[0].optional_value()) return *inner;
                    return Value::error("optional.none() dereference");
                  },
                  CallCost{}});
  l.add("orValue", {"optional_orValue_value",
                    true,
                    {optional_a, a},
                    a,
                    [](Args v) -> Value {
                      const Value* inner = v[0].optional_value();
                      return inner ? *inner : v[1];
                    },
                    CallCost{}});
  l.add("or", {"optional_or_optional",
               true,
               {optional_a, optional_a},
               optional_a,
               [](Args v) -> Value { return v[0].optional_value() ? v[0] : v[1]; },
               CallCost{}});
}

}  // namespace ukube::cel
