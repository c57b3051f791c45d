#include "protobuf_body.h"
#include "ukube/machinery/time.h"

#include <boost/json.hpp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>
#include <vector>

#include "ukube/base64.h"
#include "ukube/errors.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;

enum Wire : int { Varint = 0, Fixed64 = 1, Bytes = 2, Fixed32 = 5 };

ApiError malformed(const std::string& why) {
  return ApiError::bad_request("the protobuf request body is malformed: " + why);
}

// A cursor over protobuf wire format.
class Reader {
 public:
  explicit Reader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}
  bool done() const { return p_ >= end_; }

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) throw malformed("truncated varint");
      auto byte = static_cast<uint8_t>(*p_++);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
    }
    throw malformed("varint too long");
  }
  std::string_view bytes() {
    uint64_t n = varint();
    if (n > static_cast<uint64_t>(end_ - p_)) throw malformed("truncated field");
    std::string_view out(p_, n);
    p_ += n;
    return out;
  }
  uint64_t fixed(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) throw malformed("truncated fixed-width field");
    uint64_t v = 0;
    std::memcpy(&v, p_, n);  // little-endian, as this machine is
    p_ += n;
    return v;
  }
  void skip(int wire) {
    switch (wire) {
      case Varint: varint(); return;
      case Fixed64: fixed(8); return;
      case Bytes: bytes(); return;
      case Fixed32: fixed(4); return;
      default: throw malformed("unsupported wire type " + std::to_string(wire));
    }
  }

 private:
  const char* p_;
  const char* end_;
};

struct Field {
  uint64_t number = 0;
  int wire = 0;
  uint64_t scalar = 0;       // Varint / Fixed
  std::string_view payload;  // Bytes
};

template <class F>
void for_each_field(std::string_view data, F&& f) {
  Reader r(data);
  while (!r.done()) {
    uint64_t key = r.varint();
    Field field;
    field.number = key >> 3;
    field.wire = static_cast<int>(key & 7);
    switch (field.wire) {
      case Varint: field.scalar = r.varint(); break;
      case Fixed64: field.scalar = r.fixed(8); break;
      case Fixed32: field.scalar = r.fixed(4); break;
      case Bytes: field.payload = r.bytes(); break;
      default: throw malformed("unsupported wire type " + std::to_string(field.wire));
    }
    f(field);
  }
}

std::string_view string_at(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

bool flag_at(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

bool is_zero(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return true;
    case json::kind::string: return v.get_string().empty();
    case json::kind::int64: return v.get_int64() == 0;
    case json::kind::uint64: return v.get_uint64() == 0;
    case json::kind::double_: return v.get_double() == 0;
    case json::kind::bool_: return !v.get_bool();
    case json::kind::object: return v.get_object().empty();
    case json::kind::array: return v.get_array().empty();
  }
  return false;
}

// metav1.Time {seconds, nanos} as RFC 3339, to the second as its JSON is; MicroTime to the
// microsecond. The zero time, which means unset, comes as an empty message (or as Go's year 1).
json::value time_value(std::string_view message, bool micro) {
  std::optional<int64_t> seconds;
  int64_t nanos = 0;
  for_each_field(message, [&](const Field& f) {
    if (f.number == 1 && f.wire == Varint) seconds = static_cast<int64_t>(f.scalar);
    if (f.number == 2 && f.wire == Varint) nanos = static_cast<int32_t>(f.scalar);
  });
  constexpr int64_t kGoZeroTime = -62135596800;
  if (!seconds || *seconds == kGoZeroTime) return nullptr;
  auto t = machinery::Clock::time_point(std::chrono::seconds(*seconds)) +
           std::chrono::duration_cast<machinery::Clock::duration>(std::chrono::microseconds(nanos / 1000));
  return json::string(micro ? machinery::format_micro_time(t) : machinery::format_time(t));
}

json::object decode_message(std::string_view data, const json::object& schema);

// One occurrence of a field, decoded by its schema; null when it cannot be decoded.
json::value decode_single(const json::object& schema, const Field& f) {
  if (flag_at(schema, "x-kubernetes-int-or-string")) {
    int64_t type = 0, int_value = 0;
    std::string str;
    for_each_field(f.payload, [&](const Field& g) {
      if (g.number == 1) type = static_cast<int64_t>(g.scalar);
      if (g.number == 2) int_value = static_cast<int32_t>(g.scalar);
      if (g.number == 3) str = std::string(g.payload);
    });
    return type == 1 ? json::value(json::string(str)) : json::value(int_value);
  }
  std::string_view format = string_at(schema, "format");
  if (format == "quantity") {
    std::string str;
    for_each_field(f.payload, [&](const Field& g) {
      if (g.number == 1 && g.wire == Bytes) str = std::string(g.payload);
    });
    return json::string(str);
  }
  if (format == "date-time")
    return f.wire == Bytes ? time_value(f.payload, flag_at(schema, "x-ukube-micro-time"))
                           : json::value(nullptr);
  std::string_view type = string_at(schema, "type");
  if (type == "string") {
    if (f.wire != Bytes) return nullptr;
    return json::string(format == "byte" ? base64_encode(f.payload) : std::string(f.payload));
  }
  if (type == "integer")
    return f.wire == Bytes ? json::value(nullptr) : json::value(static_cast<int64_t>(f.scalar));
  if (type == "boolean") return f.wire == Varint ? json::value(f.scalar != 0) : json::value(nullptr);
  if (type == "number") {
    if (f.wire != Fixed64) return nullptr;
    double d = 0;
    std::memcpy(&d, &f.scalar, sizeof d);
    return d;
  }
  if (f.wire != Bytes) return nullptr;
  if (has_proto_tags(schema)) return decode_message(f.payload, schema);
  if (flag_at(schema, "x-kubernetes-preserve-unknown-fields")) {
    // runtime.RawExtension: the embedded object's JSON in field 1.
    json::value raw = nullptr;
    for_each_field(f.payload, [&](const Field& g) {
      if (g.number != 1 || g.wire != Bytes) return;
      boost::system::error_code ec;
      raw = json::parse(g.payload, ec);
      if (ec) raw = nullptr;
    });
    return raw;
  }
  return nullptr;
}

// Map fields are repeated entries {1: key, 2: value}; values are kept even when empty
// ("" is a fine label value).
void decode_map_entry(const json::object& value_schema, const Field& f, json::object& into) {
  std::string key;
  json::value value = nullptr;
  for_each_field(f.payload, [&](const Field& g) {
    if (g.number == 1 && g.wire == Bytes) key = std::string(g.payload);
    if (g.number == 2) value = decode_single(value_schema, g);
  });
  if (value.is_null()) {
    std::string_view type = string_at(value_schema, "type");
    value = type == "string" ? json::value(json::string()) : json::value(json::object());
  }
  into[key] = std::move(value);
}

void decode_array_field(const json::object& items, const Field& f, json::array& into) {
  std::string_view type = string_at(items, "type");
  bool scalar = type == "integer" || type == "boolean" || type == "number";
  if (scalar && f.wire == Bytes) {  // packed
    Reader r(f.payload);
    while (!r.done()) {
      Field element;
      element.number = f.number;
      element.wire = type == "number" ? Fixed64 : Varint;
      element.scalar = type == "number" ? r.fixed(8) : r.varint();
      into.push_back(decode_single(items, element));
    }
    return;
  }
  json::value v = decode_single(items, f);
  if (v.is_null() && string_at(items, "type") == "string") v = json::string();
  into.push_back(std::move(v));
}

// A numbered property of a message schema; `embedded` is the field of the inline struct that
// holds it, 0 when the message holds it directly.
struct Slot {
  uint64_t number = 0;
  uint64_t embedded = 0;
  const json::key_value_pair* prop = nullptr;
};

uint64_t number_at(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  boost::system::error_code ec;
  auto n = v->to_number<uint64_t>(ec);
  return ec ? 0 : n;
}

void decode_fields(std::string_view data, const std::vector<Slot>& slots, uint64_t embedded,
                   json::object& out);

json::object decode_message(std::string_view data, const json::object& schema) {
  json::object out;
  const auto* props = schema.if_contains("properties");
  if (!props || !props->is_object()) return out;
  std::vector<Slot> slots;
  for (const auto& p : props->get_object()) {
    const auto* s = p.value().if_object();
    if (!s) continue;
    if (uint64_t tag = number_at(*s, "x-ukube-proto-tag"))
      slots.push_back({tag, number_at(*s, "x-ukube-proto-embedded"), &p});
  }
  decode_fields(data, slots, 0, out);
  // encoding/json writes a nil slice or map without omitempty as null (ClusterRole rules).
  for (const auto& slot : slots) {
    const json::object& s = slot.prop->value().get_object();
    bool list = string_at(s, "type") == "array" || s.contains("additionalProperties");
    if (slot.embedded == 0 && list && flag_at(s, "x-ukube-proto-keep-zero") &&
        !out.contains(slot.prop->key()))
      out[slot.prop->key()] = nullptr;
  }
  return out;
}

void decode_fields(std::string_view data, const std::vector<Slot>& slots, uint64_t embedded,
                   json::object& out) {
  for_each_field(data, [&](const Field& f) {
    const json::key_value_pair* prop = nullptr;
    bool holds_embedded = false;
    for (const auto& slot : slots) {
      if (slot.embedded == embedded && slot.number == f.number) prop = slot.prop;
      if (embedded == 0 && slot.embedded == f.number) holds_embedded = true;
    }
    if (!prop && holds_embedded && f.wire == Bytes) {
      // The inline struct's fields are the object's own in JSON.
      decode_fields(f.payload, slots, f.number, out);
      return;
    }
    if (!prop) return;  // a field this server does not model
    const json::object& s = prop->value().get_object();
    std::string_view type = string_at(s, "type");
    const auto* items = s.if_contains("items");
    const auto* values = s.if_contains("additionalProperties");
    if (type == "array" && items && items->is_object()) {
      json::value& slot = out[prop->key()];
      if (!slot.is_array()) slot = json::array();
      decode_array_field(items->get_object(), f, slot.get_array());
    } else if (values && values->is_object() && f.wire == Bytes) {
      json::value& slot = out[prop->key()];
      if (!slot.is_object()) slot = json::object();
      decode_map_entry(values->get_object(), f, slot.get_object());
    } else {
      json::value v = decode_single(s, f);
      bool pointer = flag_at(s, "x-ukube-proto-pointer");
      // Structs, IntOrString among them, are never omitted by encoding/json; a zero Time
      // (a template's creationTimestamp) is written as null.
      bool is_struct = v.is_object() || flag_at(s, "x-kubernetes-int-or-string");
      bool zero_time = v.is_null() && !pointer && f.wire == Bytes && string_at(s, "format") == "date-time";
      bool keep =
          !v.is_null() && (is_struct || pointer || flag_at(s, "x-ukube-proto-keep-zero") || !is_zero(v));
      if (keep || zero_time) out[prop->key()] = std::move(v);
    }
  });
}

}  // namespace

bool has_proto_tags(const json::object& schema) {
  const auto* props = schema.if_contains("properties");
  if (!props || !props->is_object()) return false;
  for (const auto& p : props->get_object())
    if (const auto* s = p.value().if_object(); s && s->contains("x-ukube-proto-tag")) return true;
  return false;
}

json::object decode_protobuf_object(std::string_view body, const TypeInfo& type) {
  if (!type.schema || !has_proto_tags(*type.schema))
    throw ApiError::unsupported_media_type(
        "the body of the request was in an unknown format (\"application/vnd.kubernetes.protobuf\"): this "
        "server "
        "cannot decode protobuf for " +
        type.group_resource() +
        " yet; send JSON (kubectl up to 1.31 does, or pipe `kubectl create ... --dry-run=client -o yaml` "
        "into "
        "`kubectl apply -f -`)");
  static constexpr std::string_view kMagic("k8s\0", 4);
  if (!body.starts_with(kMagic)) throw malformed("it does not start with the k8s protobuf magic");
  std::string api_version, kind;
  std::string_view raw;
  for_each_field(body.substr(kMagic.size()), [&](const Field& f) {
    if (f.number == 1 && f.wire == Bytes)
      for_each_field(f.payload, [&](const Field& g) {
        if (g.number == 1 && g.wire == Bytes) api_version = std::string(g.payload);
        if (g.number == 2 && g.wire == Bytes) kind = std::string(g.payload);
      });
    if (f.number == 2 && f.wire == Bytes) raw = f.payload;
  });
  json::object object = decode_message(raw, *type.schema);
  // The pipeline checks these against the URL's type, as for JSON bodies.
  if (!api_version.empty()) object["apiVersion"] = api_version;
  if (!kind.empty()) object["kind"] = kind;
  return object;
}

}  // namespace ukube::apiserver
