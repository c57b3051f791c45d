#include "ukube/cel/value.h"

#include <cmath>
#include <cstdio>

#include "utf8.h"

namespace ukube::cel {
namespace {

// Numbers as one ordered domain, for comparisons across int, uint and double.
struct Number {
  enum class Kind : uint8_t { Int, Uint, Double } kind;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
};

bool is_number(const Value& v) {
  return v.kind() == Value::Kind::Int || v.kind() == Value::Kind::Uint || v.kind() == Value::Kind::Double;
}

// <0, 0, >0; nullopt for NaN.
std::optional<int> compare_numbers(const Value& a, const Value& b) {
  using K = Value::Kind;
  if (a.kind() == K::Double || b.kind() == K::Double) {
    // As cel-go compares them: the integer converted to a double.
    const auto as_double = [](const Value& v) -> double {
      switch (v.kind()) {
        case K::Int: return static_cast<long double>(v.as_int());
        case K::Uint: return static_cast<long double>(v.as_uint());
        default: return v.as_double();
      }
    };
    const double x = as_double(a), y = as_double(b);
    if (std::isnan(x) || std::isnan(y)) return std::nullopt;
    return x < y ? -1 : x > y;
  }
  if (a.kind() == K::Int && b.kind() == K::Int) return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int();
  if (a.kind() == K::Uint && b.kind() == K::Uint)
    return a.as_uint() < b.as_uint() ? -1 : a.as_uint() > b.as_uint();
  if (a.kind() == K::Int) {  // int vs uint
    if (a.as_int() < 0) return -1;
    const auto x = static_cast<uint64_t>(a.as_int());
    return x < b.as_uint() ? -1 : x > b.as_uint();
  }
  if (b.as_int() < 0) return 1;
  const auto y = static_cast<uint64_t>(b.as_int());
  return a.as_uint() < y ? -1 : a.as_uint() > y;
}

template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : b < a ? 1 : 0;
}

std::string quote(std::string_view s, bool bytes) {
  std::string out = bytes ? "b\"" : "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || (bytes && static_cast<unsigned char>(c) >= 0x80)) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  return out + "\"";
}

std::string format_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  // The shortest text that reads back as the same double.
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

Value::Value(std::string s) : kind_(Kind::String), heap_(std::make_shared<const std::string>(std::move(s))) {}
Value::Value(std::vector<Value> list)
    : kind_(Kind::List), heap_(std::make_shared<const std::vector<Value>>(std::move(list))) {}
Value::Value(MapData map) : kind_(Kind::Map), heap_(std::make_shared<const MapData>(std::move(map))) {}
Value::Value(std::shared_ptr<const Opaque> opaque) : kind_(Kind::Opaque), heap_(std::move(opaque)) {}

Value Value::bytes(std::string data) {
  Value v(std::move(data));
  v.kind_ = Kind::Bytes;
  return v;
}
Value Value::type(std::string name) {
  Value v(std::move(name));
  v.kind_ = Kind::Type;
  return v;
}
Value Value::error(std::string message) {
  Value v(std::move(message));
  v.kind_ = Kind::Error;
  return v;
}
Value Value::optional_of(Value inner) {
  Value v;
  v.kind_ = Kind::Optional;
  v.heap_ = std::make_shared<const Value>(std::move(inner));
  return v;
}
Value Value::optional_none() {
  Value v;
  v.kind_ = Kind::Optional;
  return v;
}

std::string Value::type_name() const {
  switch (kind_) {
    case Kind::Null: return "null_type";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Uint: return "uint";
    case Kind::Double: return "double";
    case Kind::String: return "string";
    case Kind::Bytes: return "bytes";
    case Kind::List: return "list";
    case Kind::Map: return as_map().type_name.empty() ? "map" : as_map().type_name;
    case Kind::Duration: return "google.protobuf.Duration";
    case Kind::Timestamp: return "google.protobuf.Timestamp";
    case Kind::Type: return "type";
    case Kind::Optional: return "optional_type";
    case Kind::Opaque: return std::string(as_opaque().type_name());
    case Kind::Error: return "*types.Err";
  }
  return "unknown";
}

int64_t Value::size() const {
  switch (kind_) {
    case Kind::String: return static_cast<int64_t>(detail::code_points(as_string()));
    case Kind::Bytes: return static_cast<int64_t>(as_string().size());
    case Kind::List: return static_cast<int64_t>(as_list().size());
    case Kind::Map: return static_cast<int64_t>(as_map().entries.size());
    default: return 0;
  }
}

const Value* MapData::find(const Value& key) const {
  if (key.kind() == Value::Kind::String) return find(std::string_view(key.as_string()));
  for (const auto& [k, v] : entries)
    if (equals(k, key)) return &v;
  return nullptr;
}

const Value* MapData::find(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k.kind() == Value::Kind::String && k.as_string() == key) return &v;
  return nullptr;
}

bool equals(const Value& a, const Value& b) {
  using K = Value::Kind;
  if (is_number(a) && is_number(b)) {
    const auto c = compare_numbers(a, b);
    return c && *c == 0;
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case K::Null: return true;
    case K::Bool: return a.as_bool() == b.as_bool();
    case K::String:
    case K::Bytes:
    case K::Type:
    case K::Error: return a.as_string() == b.as_string();
    case K::List: {
      const auto &x = a.as_list(), &y = b.as_list();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!equals(x[i], y[i])) return false;
      return true;
    }
    case K::Map: {
      const auto &x = a.as_map(), &y = b.as_map();
      if (x.entries.size() != y.entries.size() || x.type_name != y.type_name) return false;
      for (const auto& [k, v] : x.entries) {
        const Value* other = y.find(k);
        if (!other || !equals(v, *other)) return false;
      }
      return true;
    }
    case K::Duration:
    case K::Timestamp:
      return a.as_duration().seconds == b.as_duration().seconds &&
             a.as_duration().nanos == b.as_duration().nanos;
    case K::Optional: {
      const Value *x = a.optional_value(), *y = b.optional_value();
      return (!x && !y) || (x && y && equals(*x, *y));
    }
    case K::Opaque: return a.as_opaque().equals(b.as_opaque());
    default: return false;
  }
}

std::optional<int> compare(const Value& a, const Value& b) {
  using K = Value::Kind;
  if (is_number(a) && is_number(b)) return compare_numbers(a, b);
  if (a.kind() != b.kind()) return std::nullopt;
  switch (a.kind()) {
    case K::Bool: return three_way(a.as_bool(), b.as_bool());
    case K::String:
    case K::Bytes: {
      const int c = a.as_string().compare(b.as_string());
      return c < 0 ? -1 : c > 0;
    }
    case K::Duration:
    case K::Timestamp: {
      const auto x = a.as_duration(), y = b.as_duration();
      return x.seconds != y.seconds ? three_way(x.seconds, y.seconds) : three_way(x.nanos, y.nanos);
    }
    default: return std::nullopt;
  }
}

std::string debug_string(const Value& v) {
  using K = Value::Kind;
  switch (v.kind()) {
    case K::Null: return "null";
    case K::Bool: return v.as_bool() ? "true" : "false";
    case K::Int: return std::to_string(v.as_int());
    case K::Uint: return std::to_string(v.as_uint()) + "u";
    case K::Double: return format_double(v.as_double());
    case K::String: return quote(v.as_string(), false);
    case K::Bytes: return quote(v.as_string(), true);
    case K::List: {
      std::string out = "[";
      for (const auto& e : v.as_list()) out += (out.size() > 1 ? ", " : "") + debug_string(e);
      return out + "]";
    }
    case K::Map: {
      std::string out = "{";
      for (const auto& [k, e] : v.as_map().entries)
        out += (out.size() > 1 ? ", " : "") + debug_string(k) + ": " + debug_string(e);
      return out + "}";
    }
    case K::Duration: return "duration(\"" + format_duration(v.as_duration()) + "\")";
    case K::Timestamp: return "timestamp(" + std::to_string(v.as_timestamp().seconds) + ")";
    case K::Type: return v.as_string();
    case K::Optional:
      return v.optional_value() ? "optional.of(" + debug_string(*v.optional_value()) + ")"
                                : "optional.none()";
    case K::Opaque: return std::string(v.as_opaque().type_name());
    case K::Error: return "error: " + v.as_string();
  }
  return "?";
}

}  // namespace ukube::cel
