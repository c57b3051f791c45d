// CEL's standard operators and functions: arithmetic with overflow errors, comparisons
// (across numeric types, as Kubernetes enables), equality, membership, indexing, size,
// the type conversions, and durations and timestamps.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "ukube/cel/library.h"
#include "utf8.h"

namespace ukube::cel {
namespace {

using K = Value::Kind;
using Args = std::span<const Value>;

const Value kOverflow = Value::error("integer overflow");
const Value kUnsignedOverflow = Value::error("unsigned integer overflow");

void add(Library& l, std::string_view function, std::string id, std::vector<TypePtr> params, TypePtr result,
         FunctionImpl impl, CallCost cost = CallCost::constant(), bool member = false) {
  l.add(function,
        Overload{std::move(id), member, std::move(params), std::move(result), std::move(impl), cost});
}

// ---- arithmetic

void add_arithmetic(Library& l) {
  const auto i = types::int64(), u = types::uint64(), d = types::double_();
  add(l, "_+_", "add_int64", {i, i}, i, [](Args a) -> Value {
    int64_t r;
    return __builtin_add_overflow(a[0].as_int(), a[1].as_int(), &r) ? kOverflow : Value(r);
  });
  add(l, "_+_", "add_uint64", {u, u}, u, [](Args a) -> Value {
    uint64_t r;
    return __builtin_add_overflow(a[0].as_uint(), a[1].as_uint(), &r) ? kUnsignedOverflow : Value(r);
  });
  add(l, "_+_", "add_double", {d, d}, d, [](Args a) { return Value(a[0].as_double() + a[1].as_double()); });
  add(
      l, "_+_", "add_string", {types::string(), types::string()}, types::string(),
      [](Args a) { return Value(a[0].as_string() + a[1].as_string()); }, CallCost::linear(0.1, -1));
  add(
      l, "_+_", "add_bytes", {types::bytes(), types::bytes()}, types::bytes(),
      [](Args a) { return Value::bytes(a[0].as_string() + a[1].as_string()); }, CallCost::linear(0.1, -1));
  const auto list_a = types::list(types::param("A"));
  add(
      l, "_+_", "add_list", {list_a, list_a}, list_a,
      [](Args a) {
        std::vector<Value> out = a[0].as_list();
        out.insert(out.end(), a[1].as_list().begin(), a[1].as_list().end());
        return Value(std::move(out));
      },
      CallCost::linear(0.1, -1));

  add(l, "_-_", "subtract_int64", {i, i}, i, [](Args a) -> Value {
    int64_t r;
    return __builtin_sub_overflow(a[0].as_int(), a[1].as_int(), &r) ? kOverflow : Value(r);
  });
  add(l, "_-_", "subtract_uint64", {u, u}, u, [](Args a) -> Value {
    uint64_t r;
    return __builtin_sub_overflow(a[0].as_uint(), a[1].as_uint(), &r) ? kUnsignedOverflow : Value(r);
  });
  add(l, "_-_", "subtract_double", {d, d}, d,
      [](Args a) { return Value(a[0].as_double() - a[1].as_double()); });

  add(l, "_*_", "multiply_int64", {i, i}, i, [](Args a) -> Value {
    int64_t r;
    return __builtin_mul_overflow(a[0].as_int(), a[1].as_int(), &r) ? kOverflow : Value(r);
  });
  add(l, "_*_", "multiply_uint64", {u, u}, u, [](Args a) -> Value {
    uint64_t r;
    return __builtin_mul_overflow(a[0].as_uint(), a[1].as_uint(), &r) ? kUnsignedOverflow : Value(r);
  });
  add(l, "_*_", "multiply_double", {d, d}, d,
      [](Args a) { return Value(a[0].as_double() * a[1].as_double()); });

  add(l, "_/_", "divide_int64", {i, i}, i, [](Args a) -> Value {
    if (a[1].as_int() == 0) return Value::error("division by zero");
    if (a[0].as_int() == INT64_MIN && a[1].as_int() == -1) return kOverflow;
    return a[0].as_int() / a[1].as_int();
  });
  add(l, "_/_", "divide_uint64", {u, u}, u, [](Args a) -> Value {
    if (a[1].as_uint() == 0) return Value::error("division by zero");
    return a[0].as_uint() / a[1].as_uint();
  });
  add(l, "_/_", "divide_double", {d, d}, d,
      [](Args a) { return Value(a[0].as_double() / a[1].as_double()); });

  add(l, "_%_", "modulo_int64", {i, i}, i, [](Args a) -> Value {
    if (a[1].as_int() == 0) return Value::error("modulus by zero");
    if (a[0].as_int() == INT64_MIN && a[1].as_int() == -1) return kOverflow;
    return a[0].as_int() % a[1].as_int();
  });
  add(l, "_%_", "modulo_uint64", {u, u}, u, [](Args a) -> Value {
    if (a[1].as_uint() == 0) return Value::error("modulus by zero");
    return a[0].as_uint() % a[1].as_uint();
  });

  add(l, "-_", "negate_int64", {i}, i,
      [](Args a) -> Value { return a[0].as_int() == INT64_MIN ? kOverflow : Value(-a[0].as_int()); });
  add(l, "-_", "negate_double", {d}, d, [](Args a) { return Value(-a[0].as_double()); });
  add(l, "!_", "logical_not", {types::boolean()}, types::boolean(),
      [](Args a) { return Value(!a[0].as_bool()); });
}

// ---- comparisons

void add_comparisons(Library& l) {
  struct Relation {
    const char* function;
    const char* id;
    bool (*holds)(int);
  };
  static constexpr Relation kRelations[] = {
      {"_<_", "less", [](int c) { return c < 0; }},
      {"_<=_", "less_equals", [](int c) { return c <= 0; }},
      {"_>_", "greater", [](int c) { return c > 0; }},
      {"_>=_", "greater_equals", [](int c) { return c >= 0; }},
  };
  const std::pair<const char*, TypePtr> kOrdered[] = {
      {"bool", types::boolean()},      {"int64", types::int64()},         {"uint64", types::uint64()},
      {"double", types::double_()},    {"string", types::string()},       {"bytes", types::bytes()},
      {"duration", types::duration()}, {"timestamp", types::timestamp()},
  };
  for (const auto& relation : kRelations) {
    const auto holds = relation.holds;
    const FunctionImpl impl = [holds](Args a) -> Value {
      const auto c = compare(a[0], a[1]);
      return c ? Value(holds(*c)) : Value(false);
    };
    for (const auto& [name, type] : kOrdered) {
      const bool text = type->kind == Type::Kind::String || type->kind == Type::Kind::Bytes;
      add(l, relation.function, std::string(relation.id) + "_" + name, {type, type}, types::boolean(), impl,
          text ? CallCost::linear(0.1, -1) : CallCost::constant());
    }
    for (const auto& [x, tx] : {kOrdered[1], kOrdered[2], kOrdered[3]})
      for (const auto& [y, ty] : {kOrdered[1], kOrdered[2], kOrdered[3]})
        if (tx != ty)
          add(l, relation.function, std::string(relation.id) + "_" + x + "_" + y, {tx, ty}, types::boolean(),
              impl);
  }
  const auto a = types::param("A");
  add(
      l, "_==_", "equals", {a, a}, types::boolean(), [](Args v) { return Value(equals(v[0], v[1])); },
      CallCost::linear(0.1, -1));
  add(
      l, "_!=_", "not_equals", {a, a}, types::boolean(), [](Args v) { return Value(!equals(v[0], v[1])); },
      CallCost::linear(0.1, -1));
}

// ---- lists and maps

void add_containers(Library& l) {
  const auto a = types::param("A"), b = types::param("B");
  add(
      l, "@in", "in_list", {a, types::list(a)}, types::boolean(),
      [](Args v) {
        for (const auto& e : v[1].as_list())
          if (equals(e, v[0])) return Value(true);
        return Value(false);
      },
      CallCost::linear(1, 1));
  add(l, "@in", "in_map", {a, types::map(a, b)}, types::boolean(),
      [](Args v) { return Value(v[1].as_map().find(v[0]) != nullptr); });

  // Indexes may arrive as uint or double through dyn; whole numbers index as ints do.
  const FunctionImpl index_list = [](Args v) -> Value {
    const auto& list = v[0].as_list();
    int64_t index = 0;
    if (v[1].kind() == K::Int) {
      index = v[1].as_int();
    } else if (v[1].kind() == K::Uint) {
      index = v[1].as_uint() > INT64_MAX ? -1 : static_cast<int64_t>(v[1].as_uint());
    } else if (v[1].kind() == K::Double) {
      const double d = v[1].as_double();
      if (std::trunc(d) != d || d < -9.2e18 || d > 9.2e18) return Value::error("unsupported index value");
      index = static_cast<int64_t>(d);
    } else {
      return Value::error("unsupported index type");
    }
    if (index < 0 || static_cast<size_t>(index) >= list.size())
      return Value::error("index out of range: " + std::to_string(index));
    return list[static_cast<size_t>(index)];
  };
  add(l, "_[_]", "index_list", {types::list(a), types::int64()}, a, index_list);
  add(l, "_[_]", "index_list_uint", {types::list(a), types::uint64()}, a, index_list);
  add(l, "_[_]", "index_list_double", {types::list(a), types::double_()}, a, index_list);
  add(l, "_[_]", "index_map", {types::map(a, b), a}, b, [](Args v) -> Value {
    if (const Value* found = v[0].as_map().find(v[1])) return *found;
    return Value::error("no such key: " + (v[1].kind() == K::String ? v[1].as_string() : debug_string(v[1])));
  });

  const std::pair<const char*, TypePtr> kSized[] = {
      {"string", types::string()},
      {"bytes", types::bytes()},
      {"list", types::list(a)},
      {"map", types::map(a, b)},
  };
  for (const auto& [name, type] : kSized) {
    const FunctionImpl impl = [](Args v) { return Value(v[0].size()); };
    add(l, "size", std::string("size_") + name, {type}, types::int64(), impl);
    add(l, "size", std::string(name) + "_size", {type}, types::int64(), impl, CallCost::constant(), true);
  }
}

// ---- conversions

// Go's strconv.FormatFloat(d, 'g', -1, 64), which cel-go's string(double) prints with.
std::string go_g_format(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  if (d == 0) return std::signbit(d) ? "-0" : "0";
  char buf[40];
  int precision = 1;
  for (; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  std::string text = buf;  // -d.ddde±XX
  const size_t e = text.find('e');
  const int exponent = std::atoi(text.c_str() + e + 1);
  std::string digits;
  for (size_t i = 0; i < e; ++i)
    if (std::isdigit(static_cast<unsigned char>(text[i]))) digits.push_back(text[i]);
  const std::string sign = d < 0 ? "-" : "";
  if (exponent < -4 || exponent >= std::max<int>(static_cast<int>(digits.size()), 21)) {
    std::string mantissa = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "");
    char exp_text[16];
    std::snprintf(exp_text, sizeof exp_text, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return sign + mantissa + exp_text;
  }
  if (exponent < 0) return sign + "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  if (static_cast<size_t>(exponent) + 1 >= digits.size())
    return sign + digits + std::string(static_cast<size_t>(exponent) + 1 - digits.size(), '0');
  return sign + digits.substr(0, static_cast<size_t>(exponent) + 1) + "." +
         digits.substr(static_cast<size_t>(exponent) + 1);
}

template <class T>
Value parse_integer(const std::string& text, const char* type) {
  T out{};
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, end, out);
  if (ec == std::errc::result_out_of_range) return kOverflow;
  if (ec != std::errc() || ptr != end || begin == end)
    return Value::error(std::string("cannot convert string '") + text + "' to " + type);
  return Value(out);
}

void add_conversions(Library& l) {
  const auto i = types::int64(), u = types::uint64(), d = types::double_(), s = types::string(),
             b = types::bytes(), t = types::timestamp(), dur = types::duration(), bo = types::boolean();
  add(l, "int", "int64_to_int64", {i}, i, [](Args v) { return v[0]; });
  add(l, "int", "uint64_to_int64", {u}, i, [](Args v) -> Value {
    return v[0].as_uint() > INT64_MAX ? kOverflow : Value(static_cast<int64_t>(v[0].as_uint()));
  });
  add(l, "int", "double_to_int64", {d}, i, [](Args v) -> Value {
    const double x = v[0].as_double();
    if (!std::isfinite(x) || x <= -9223372036854775808.0 || x >= 9223372036854775807.0) return kOverflow;
    return static_cast<int64_t>(x);
  });
  add(l, "int", "string_to_int64", {s}, i,
      [](Args v) { return parse_integer<int64_t>(v[0].as_string(), "int"); });
  add(l, "int", "timestamp_to_int64", {t}, i, [](Args v) { return Value(v[0].as_timestamp().seconds); });

  add(l, "uint", "uint64_to_uint64", {u}, u, [](Args v) { return v[0]; });
  add(l, "uint", "int64_to_uint64", {i}, u, [](Args v) -> Value {
    return v[0].as_int() < 0 ? kUnsignedOverflow : Value(static_cast<uint64_t>(v[0].as_int()));
  });
  add(l, "uint", "double_to_uint64", {d}, u, [](Args v) -> Value {
    const double x = v[0].as_double();
    if (!std::isfinite(x) || x < 0 || x >= 18446744073709551616.0) return kUnsignedOverflow;
    return static_cast<uint64_t>(x);
  });
  add(l, "uint", "string_to_uint64", {s}, u,
      [](Args v) { return parse_integer<uint64_t>(v[0].as_string(), "uint"); });

  add(l, "double", "double_to_double", {d}, d, [](Args v) { return v[0]; });
  add(l, "double", "int64_to_double", {i}, d,
      [](Args v) { return Value(static_cast<double>(v[0].as_int())); });
  add(l, "double", "uint64_to_double", {u}, d,
      [](Args v) { return Value(static_cast<double>(v[0].as_uint())); });
  add(l, "double", "string_to_double", {s}, d, [](Args v) -> Value {
    const std::string& text = v[0].as_string();
    char* end = nullptr;
    const double x = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size())
      return Value::error("cannot convert string '" + text + "' to double");
    return x;
  });

  add(l, "string", "string_to_string", {s}, s, [](Args v) { return v[0]; });
  add(l, "string", "int64_to_string", {i}, s, [](Args v) { return Value(std::to_string(v[0].as_int())); });
  add(l, "string", "uint64_to_string", {u}, s, [](Args v) { return Value(std::to_string(v[0].as_uint())); });
  add(l, "string", "double_to_string", {d}, s, [](Args v) { return Value(go_g_format(v[0].as_double())); });
  add(l, "string", "bool_to_string", {bo}, s,
      [](Args v) { return Value(v[0].as_bool() ? "true" : "false"); });
  add(l, "string", "bytes_to_string", {b}, s, [](Args v) -> Value {
    const std::string& data = v[0].as_string();
    for (size_t at = 0; at < data.size();) {
      const size_t before = at;
      if (detail::next_code_point(data, at) == 0xFFFD &&
          !(at - before == 3 && data.compare(before, 3, "\xEF\xBF\xBD") == 0))
        return Value::error("invalid UTF-8 in bytes, cannot convert to string");
    }
    return Value(data);
  });
  add(l, "string", "timestamp_to_string", {t}, s,
      [](Args v) { return Value(format_timestamp(v[0].as_timestamp())); });
  add(l, "string", "duration_to_string", {dur}, s,
      [](Args v) { return Value(format_duration(v[0].as_duration())); });

  add(l, "bytes", "bytes_to_bytes", {b}, b, [](Args v) { return v[0]; });
  add(l, "bytes", "string_to_bytes", {s}, b, [](Args v) { return Value::bytes(v[0].as_string()); });

  add(l, "bool", "bool_to_bool", {bo}, bo, [](Args v) { return v[0]; });
  add(l, "bool", "string_to_bool", {s}, bo, [](Args v) -> Value {
    static constexpr std::string_view kTrue[] = {"1", "t", "T", "true", "TRUE", "True"};
    static constexpr std::string_view kFalse[] = {"0", "f", "F", "false", "FALSE", "False"};
    for (auto w : kTrue)
      if (v[0].as_string() == w) return true;
    for (auto w : kFalse)
      if (v[0].as_string() == w) return false;
    return Value::error("type conversion error from 'string' to 'bool'");
  });

  const auto a = types::param("A");
  add(l, "dyn", "to_dyn", {a}, types::dyn(), [](Args v) { return v[0]; });
  add(l, "type", "type", {a}, types::type(a), [](Args v) {
    switch (v[0].kind()) {
      case K::Optional: return Value::type("optional_type");
      case K::Type: return Value::type("type");
      default: return Value::type(v[0].type_name());
    }
  });

  add(l, "duration", "duration_to_duration", {dur}, dur, [](Args v) { return v[0]; });
  add(l, "duration", "string_to_duration", {s}, dur, [](Args v) -> Value {
    if (auto parsed = parse_duration(v[0].as_string())) return *parsed;
    return Value::error("cannot convert string '" + v[0].as_string() + "' to duration");
  });
  add(l, "timestamp", "timestamp_to_timestamp", {t}, t, [](Args v) { return v[0]; });
  add(l, "timestamp", "string_to_timestamp", {s}, t, [](Args v) -> Value {
    if (auto parsed = parse_timestamp(v[0].as_string())) return *parsed;
    return Value::error("cannot convert string '" + v[0].as_string() + "' to timestamp");
  });
  add(l, "timestamp", "int64_to_timestamp", {i}, t, [](Args v) {
    return Value(Timestamp{v[0].as_int(), 0});
  });
}

// ---- durations and timestamps

constexpr int64_t kNanosPerSecond = 1'000'000'000;
// google.protobuf.Timestamp's range: years 0001 to 9999.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

Value normalized_duration(__int128 nanos) {
  const __int128 seconds = nanos / kNanosPerSecond;
  if (seconds > 315576000000 || seconds < -315576000000) return kOverflow;
  return Value(Duration{static_cast<int64_t>(seconds), static_cast<int32_t>(nanos % kNanosPerSecond)});
}
Value normalized_timestamp(__int128 nanos) {
  __int128 seconds = nanos / kNanosPerSecond, rest = nanos % kNanosPerSecond;
  if (rest < 0) {
    rest += kNanosPerSecond;
    --seconds;
  }
  if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds) return kOverflow;
  return Value(Timestamp{static_cast<int64_t>(seconds), static_cast<int32_t>(rest)});
}
__int128 nanos_of(const Value& v) {
  const Duration d = v.as_duration();  // a Timestamp has the same layout
  return static_cast<__int128>(d.seconds) * kNanosPerSecond + d.nanos;
}

void add_time(Library& l) {
  const auto t = types::timestamp(), d = types::duration();
  add(l, "_+_", "add_duration_duration", {d, d}, d,
      [](Args v) { return normalized_duration(nanos_of(v[0]) + nanos_of(v[1])); });
  add(l, "_+_", "add_timestamp_duration", {t, d}, t,
      [](Args v) { return normalized_timestamp(nanos_of(v[0]) + nanos_of(v[1])); });
  add(l, "_+_", "add_duration_timestamp", {d, t}, t,
      [](Args v) { return normalized_timestamp(nanos_of(v[0]) + nanos_of(v[1])); });
  add(l, "_-_", "subtract_duration_duration", {d, d}, d,
      [](Args v) { return normalized_duration(nanos_of(v[0]) - nanos_of(v[1])); });
  add(l, "_-_", "subtract_timestamp_duration", {t, d}, t,
      [](Args v) { return normalized_timestamp(nanos_of(v[0]) - nanos_of(v[1])); });
  add(l, "_-_", "subtract_timestamp_timestamp", {t, t}, d,
      [](Args v) { return normalized_duration(nanos_of(v[0]) - nanos_of(v[1])); });
  add(l, "-_", "negate_duration", {d}, d, [](Args v) { return normalized_duration(-nanos_of(v[0])); });

  struct Getter {
    const char* name;
    int64_t (*of)(const std::tm&);
  };
  static constexpr Getter kGetters[] = {
      {"getFullYear", [](const std::tm& tm) -> int64_t { return tm.tm_year + 1900; }},
      {"getMonth", [](const std::tm& tm) -> int64_t { return tm.tm_mon; }},
      {"getDayOfYear", [](const std::tm& tm) -> int64_t { return tm.tm_yday; }},
      {"getDayOfMonth", [](const std::tm& tm) -> int64_t { return tm.tm_mday - 1; }},
      {"getDate", [](const std::tm& tm) -> int64_t { return tm.tm_mday; }},
      {"getDayOfWeek", [](const std::tm& tm) -> int64_t { return tm.tm_wday; }},
      {"getHours", [](const std::tm& tm) -> int64_t { return tm.tm_hour; }},
      {"getMinutes", [](const std::tm& tm) -> int64_t { return tm.tm_min; }},
      {"getSeconds", [](const std::tm& tm) -> int64_t { return tm.tm_sec; }},
  };
  for (const auto& getter : kGetters) {
    const auto of = getter.of;
    add(
        l, getter.name, std::string("timestamp_to_") + getter.name, {t}, types::int64(),
        [of](Args v) {
          const std::time_t seconds = v[0].as_timestamp().seconds;
          std::tm tm{};
          gmtime_r(&seconds, &tm);
          return Value(of(tm));
        },
        CallCost::constant(), true);
  }
  add(
      l, "getMilliseconds", "timestamp_to_milliseconds", {t}, types::int64(),
      [](Args v) { return Value(static_cast<int64_t>(v[0].as_timestamp().nanos / 1'000'000)); },
      CallCost::constant(), true);
  add(
      l, "getHours", "duration_to_hours", {d}, types::int64(),
      [](Args v) { return Value(v[0].as_duration().seconds / 3600); }, CallCost::constant(), true);
  add(
      l, "getMinutes", "duration_to_minutes", {d}, types::int64(),
      [](Args v) { return Value(v[0].as_duration().seconds / 60); }, CallCost::constant(), true);
  add(
      l, "getSeconds", "duration_to_seconds", {d}, types::int64(),
      [](Args v) { return Value(v[0].as_duration().seconds); }, CallCost::constant(), true);
  add(
      l, "getMilliseconds", "duration_to_milliseconds", {d}, types::int64(),
      [](Args v) { return Value(v[0].as_duration().seconds * 1000 + v[0].as_duration().nanos / 1'000'000); },
      CallCost::constant(), true);
}

}  // namespace

void add_standard_functions(Library& library) {
  add_arithmetic(library);
  add_comparisons(library);
  add_containers(library);
  add_conversions(library);
  add_time(library);
}

}  // namespace ukube::cel
