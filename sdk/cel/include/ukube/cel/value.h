#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The values a CEL expression computes with. Scalars are held inline; strings, lists, maps
// and the rest are shared and immutable, so copying a Value is cheap. An evaluation error
// is a Value too (Kind::Error): CEL's && and || absorb an error when the other side
// decides the result, so errors travel as values until something needs them.
namespace ukube::cel {

class Value;
struct MapData;

// A value of a type CEL does not know natively, such as Kubernetes' Quantity or URL.
class Opaque {
 public:
  virtual ~Opaque() = default;
  virtual std::string_view type_name() const = 0;  // "kubernetes.Quantity"
  virtual bool equals(const Opaque& other) const = 0;
};

// google.protobuf.Duration and Timestamp, as seconds and nanoseconds (0 <= nanos < 1e9
// for timestamps; same sign as seconds for durations).
struct Duration {
  int64_t seconds = 0;
  int32_t nanos = 0;
};
struct Timestamp {
  int64_t seconds = 0;  // since the Unix epoch
  int32_t nanos = 0;
};

class Value {
 public:
  enum class Kind : uint8_t {
    Null,
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    List,
    Map,  // also objects: a map whose type_name is set ("Object.spec")
    Duration,
    Timestamp,
    Type,      // the value of type(x): its name is the type's name
    Optional,  // optional.of(x) or optional.none()
    Opaque,
    Error,
  };

  Value() = default;  // null
  Value(bool b) : kind_(Kind::Bool) { scalar_.b = b; }
  Value(int64_t i) : kind_(Kind::Int) { scalar_.i = i; }
  Value(int i) : Value(static_cast<int64_t>(i)) {}
  Value(uint64_t u) : kind_(Kind::Uint) { scalar_.u = u; }
  Value(double d) : kind_(Kind::Double) { scalar_.d = d; }
  Value(std::string s);
  Value(const char* s) : Value(std::string(s)) {}
  Value(std::vector<Value> list);
  Value(MapData map);
  Value(Duration d) : kind_(Kind::Duration) { scalar_.t = {d.seconds, d.nanos}; }
  Value(Timestamp t) : kind_(Kind::Timestamp) { scalar_.t = {t.seconds, t.nanos}; }
  Value(std::shared_ptr<const Opaque> opaque);

  static Value bytes(std::string data);
  static Value type(std::string name);
  static Value error(std::string message);
  static Value optional_of(Value v);
  static Value optional_none();

  Kind kind() const { return kind_; }
  bool is_error() const { return kind_ == Kind::Error; }
  bool is_null() const { return kind_ == Kind::Null; }

  bool as_bool() const { return scalar_.b; }
  int64_t as_int() const { return scalar_.i; }
  uint64_t as_uint() const { return scalar_.u; }
  double as_double() const { return scalar_.d; }
  Duration as_duration() const { return {scalar_.t.seconds, scalar_.t.nanos}; }
  Timestamp as_timestamp() const { return {scalar_.t.seconds, scalar_.t.nanos}; }
  // String, Bytes, Type (its name) and Error (its message).
  const std::string& as_string() const { return *static_cast<const std::string*>(heap_.get()); }
  const std::vector<Value>& as_list() const { return *static_cast<const std::vector<Value>*>(heap_.get()); }
  const MapData& as_map() const { return *static_cast<const MapData*>(heap_.get()); }
  const Opaque& as_opaque() const { return *static_cast<const Opaque*>(heap_.get()); }
  template <class T>
  const T* opaque_as() const {
    return kind_ == Kind::Opaque ? dynamic_cast<const T*>(&as_opaque()) : nullptr;
  }
  // The value an optional holds, or nullptr for optional.none().
  const Value* optional_value() const { return static_cast<const Value*>(heap_.get()); }

  // CEL's name for the value's type: "int", "string", "list", "map", "null_type",
  // "google.protobuf.Duration", an object's type name, an opaque type's name.
  std::string type_name() const;

  // size(): code points of a string, bytes, elements of a list or map.
  int64_t size() const;

 private:
  Kind kind_ = Kind::Null;
  union Scalar {
    bool b;
    int64_t i;
    uint64_t u;
    double d;
    struct {
      int64_t seconds;
      int32_t nanos;
    } t;
  } scalar_{};
  std::shared_ptr<const void> heap_;
};

// A map's entries in insertion order; keys are bool, int, uint or string. Objects (values
// of a schema with properties) are maps with a type name, so error messages and type()
// name them as upstream names them.
struct MapData {
  std::vector<std::pair<Value, Value>> entries;
  std::string type_name;  // empty for a plain map

  // Numeric keys match across int, uint and double as CEL's heterogeneous equality says.
  const Value* find(const Value& key) const;
  const Value* find(std::string_view key) const;
};

// CEL's equality: numbers compare by value across int, uint and double; lists and maps
// element-wise; values of different types are unequal. An error or an unequal comparison
// of NaN follows the spec (NaN != NaN).
bool equals(const Value& a, const Value& b);

// <0, 0 or >0 for ordered kinds (numbers across kinds, strings, bytes, bools, durations,
// timestamps); nullopt when they are not comparable (a NaN, or different kinds).
std::optional<int> compare(const Value& a, const Value& b);

// The value as CEL source would print it, for messages and tests: 1, 2u, 1.5, "s", b"x",
// [1, 2], {"a": 1}, duration("1s").
std::string debug_string(const Value& v);

// Durations as Go writes them ("1h30m", "1.5s", "-300ms") and timestamps as RFC 3339
// ("2024-01-02T03:04:05.5Z", "...+01:00"): what duration() and timestamp() read, string()
// prints, and date-time and duration formatted schema strings hold.
std::optional<Duration> parse_duration(std::string_view text);
std::string format_duration(Duration d);
std::optional<Timestamp> parse_timestamp(std::string_view text);
std::string format_timestamp(Timestamp t);

}  // namespace ukube::cel
