#include "schema_validation.h"

#include <arpa/inet.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <variant>

#include "ukube/machinery/field_errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/names.h"

namespace ukube::apiextensions {
namespace {

namespace json = boost::json;
using machinery::Errors;
using machinery::FieldPath;
using machinery::quote;
using machinery::value_repr;

// The JSON type of a value as the OpenAPI validator names it in "must be of type".
std::string type_of(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return "string";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "number";
    case json::kind::bool_: return "boolean";
    case json::kind::object: return "object";
    case json::kind::array: return "array";
    case json::kind::null: return "null";
  }
  return "null";
}

bool whole_number(const json::value& v) {
  return machinery::as_int(v).has_value();
}

using machinery::as_number;

// Go's %v of a bound: whole numbers as integers, others as Go prints floats.
std::string go_number(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  return machinery::go_float(d);
}

// The name the validator gives a value in its messages: its path, "body" at the root.
// A failed match (one too costly to finish included) is a mismatch.
bool matches(const cel::Regex& regex, std::string_view text) {
  const auto result = regex.search(text);
  return std::holds_alternative<bool>(result) && std::get<bool>(result);
}

std::string subject(const FieldPath& p) {
  return p.str().empty() ? "body" : p.str();
}

bool type_matches(const SchemaNode& s, const json::value& v) {
  if (s.int_or_string) return v.is_string() || whole_number(v);
  if (s.type.empty()) return true;
  const std::string actual = type_of(v);
  if (s.type == actual) return true;
  if (s.type == "integer") return actual == "number" && whole_number(v);
  if (s.type == "number") return actual == "integer";
  return false;
}

// The OpenAPI validator's type error, as apiextensions reports it: the bad value shown is
// the JSON type that arrived.
void type_error(Errors& e, const FieldPath& p, const std::string& expected, const std::string& actual) {
  e.type_invalid(p, quote(actual),
                 subject(p) + " in body must be of type " + expected + ": " + quote(actual));
}

// Characters, not bytes: upstream's maxLength and minLength count runes.
size_t rune_count(std::string_view text) {
  return static_cast<size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Composite rules (anyOf, oneOf, allOf, not) report on no field at all, as upstream's do,
// naming the path in the message instead.
const FieldPath& no_field() {
  static const FieldPath none("<nil>");
  return none;
}

// Where a value sits, spelled out only when an error needs it: most objects are valid,
// and building every path string would be much of the cost of checking them. A Where
// points at its parent, so it lives only as long as the call that made it.
class Where {
 public:
  explicit Where(const FieldPath& base) : base_(&base) {}
  Where child(std::string_view key) const { return Where(this, key, kNoIndex); }
  Where index(size_t i) const { return Where(this, {}, i); }
  FieldPath path() const {
    if (!parent_) return *base_;
    FieldPath p = parent_->path();
    return index_ == kNoIndex ? p.child(key_) : p.index(index_);
  }

 private:
  static constexpr size_t kNoIndex = static_cast<size_t>(-1);
  Where(const Where* parent, std::string_view key, size_t index)
      : parent_(parent), key_(key), index_(index) {}
  const FieldPath* base_ = nullptr;
  const Where* parent_ = nullptr;
  std::string_view key_;
  size_t index_ = kNoIndex;
};

// `old`: the same value in the object being updated, for ratcheting (null on create).
void check_value(const json::value& v, const SchemaNode& s, const Where& p, std::vector<FieldError>& out,
                 const json::value* old = nullptr);
void check_list_types(const json::value& v, const SchemaNode& s, const Where& p, std::vector<FieldError>& out,
                      const json::value* old = nullptr);
void check_composites(const json::value& v, const SchemaNode& s, const Where& p,
                      std::vector<FieldError>& out);

// How Go's %#v prints a decoded JSON value, as upstream's duplicate-item messages show it.
std::string go_value(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return quote(v.get_string());
    case json::kind::null: return "interface {}(nil)";
    case json::kind::object: {
      std::vector<std::string> keys;
      for (const auto& m : v.get_object()) keys.emplace_back(m.key());
      std::sort(keys.begin(), keys.end());
      std::string out = "map[string]interface {}{";
      for (size_t i = 0; i < keys.size(); ++i)
        out += (i ? ", " : "") + quote(keys[i]) + ":" + go_value(v.get_object().at(keys[i]));
      return out + "}";
    }
    case json::kind::array: {
      std::string out = "[]interface {}{";
      const auto& a = v.get_array();
      for (size_t i = 0; i < a.size(); ++i) out += (i ? ", " : "") + go_value(a[i]);
      return out + "}";
    }
    default: return json::serialize(v);
  }
}

void validate_string(Errors& e, const SchemaNode& s, const json::value& v, const Where& p) {
  const std::string_view text = v.get_string();
  const auto length = static_cast<int64_t>(rune_count(text));
  // One string error per value, the first of these that fails.
  if (s.max_length && length > *s.max_length)
    e.too_long(p.path(), *s.max_length);
  else if (s.min_length && length < *s.min_length)
    e.invalid(
        p.path(), quote(text),
        subject(p.path()) + " in body should be at least " + std::to_string(*s.min_length) + " chars long");
  else if (s.pattern && !matches(*s.pattern, text))
    e.invalid(p.path(), quote(text), subject(p.path()) + " in body should match '" + s.pattern_text + "'");
  if (!s.format.empty() && !s.int_or_string && !format_matches(s.format, text))
    e.type_invalid(p.path(), quote(text),
                   subject(p.path()) + " in body must be of type " + s.format + ": " + quote(text));
}

void validate_number(Errors& e, const SchemaNode& s, const json::value& v, const Where& p) {
  const double d = *as_number(v);
  const std::string shown = value_repr(v);
  if (s.multiple_of && *s.multiple_of != 0) {
    const double q = d / *s.multiple_of;
    if (std::fabs(q - std::round(q)) > 1e-9)
      e.invalid(p.path(), shown,
                subject(p.path()) + " in body should be a multiple of " + go_number(*s.multiple_of));
  }
  if (s.maximum) {
    if (s.exclusive_maximum && d >= *s.maximum)
      e.invalid(p.path(), shown, subject(p.path()) + " in body should be less than " + go_number(*s.maximum));
    else if (!s.exclusive_maximum && d > *s.maximum)
      e.invalid(p.path(), shown,
                subject(p.path()) + " in body should be less than or equal to " + go_number(*s.maximum));
  }
  if (s.minimum) {
    if (s.exclusive_minimum && d <= *s.minimum)
      e.invalid(p.path(), shown,
                subject(p.path()) + " in body should be greater than " + go_number(*s.minimum));
    else if (!s.exclusive_minimum && d < *s.minimum)
      e.invalid(p.path(), shown,
                subject(p.path()) + " in body should be greater than or equal to " + go_number(*s.minimum));
  }
}

// The item of `old` that `item` updates: only list-type map items are correlated, by
// their keys, as upstream's ratcheting correlates them.
const json::value* old_member(const json::value* old, std::string_view key) {
  const auto* object = old ? old->if_object() : nullptr;
  return object ? object->if_contains(key) : nullptr;
}

void validate_array(Errors& e, const SchemaNode& s, const json::array& a, const Where& p,
                    std::vector<FieldError>& out, const json::value* old) {
  const auto size = static_cast<int64_t>(a.size());
  if (s.max_items && size > *s.max_items) e.too_many(p.path(), a.size(), *s.max_items);
  if (s.min_items && size < *s.min_items)
    e.invalid(p.path(), std::to_string(size),
              subject(p.path()) + " in body should have at least " + std::to_string(*s.min_items) + " items");
  if (s.unique_items)
    for (size_t i = 1; i < a.size(); ++i)
      if (std::find(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(i), a[i]) !=
          a.begin() + static_cast<std::ptrdiff_t>(i)) {
        e.duplicate(p.index(i).path(), value_repr(a[i]));
        break;
      }
  if (s.items)
    for (size_t i = 0; i < a.size(); ++i)
      check_value(a[i], *s.items, p.index(i), out, correlated_item(s, a[i], old));
}

void validate_object(Errors& e, const SchemaNode& s, const json::object& o, const Where& p,
                     std::vector<FieldError>& out, const json::value* old) {
  const auto size = static_cast<int64_t>(o.size());
  if (s.max_properties && size > *s.max_properties) e.too_many(p.path(), o.size(), *s.max_properties);
  if (s.min_properties && size < *s.min_properties)
    e.invalid(p.path(), std::to_string(size),
              subject(p.path()) + " in body should have at least " + std::to_string(*s.min_properties) +
                  " properties");
  for (const auto& name : s.required)
    if (!o.contains(name)) e.required(p.child(name).path());
  for (const auto& [key, value] : o) {
    auto prop = s.properties.find(std::string_view(key));
    if (prop != s.properties.end()) {
      check_value(value, prop->second, p.child(key), out, old_member(old, key));
    } else if (s.additional_properties) {
      check_value(value, *s.additional_properties, p.child(key), out, old_member(old, key));
    }
  }
}

// Whether `v` passes `s` without reporting where it fails (anyOf / oneOf / not).
bool passes(const json::value& v, const SchemaNode& s, const Where& p) {
  std::vector<FieldError> scratch;
  check_value(v, s, p, scratch);
  return scratch.empty();
}

void check_value(const json::value& v, const SchemaNode& s, const Where& p, std::vector<FieldError>& out,
                 const json::value* old) {
  // Ratcheting: what an update leaves as it was is not checked again, so a schema made
  // stricter does not block updates of other fields.
  if (old && *old == v) return;
  Errors e(out);
  if (v.is_null()) {
    if (!s.nullable && !s.type.empty()) type_error(e, p.path(), s.type, "null");
    return;
  }
  if (!type_matches(s, v)) {
    type_error(e, p.path(), s.int_or_string ? "integer,string" : s.type, type_of(v));
    return;
  }
  if (!s.enum_values.empty() &&
      std::find(s.enum_values.begin(), s.enum_values.end(), v) == s.enum_values.end()) {
    std::vector<std::string> supported;
    for (const auto& allowed : s.enum_values)
      supported.push_back(allowed.is_string() ? quote(allowed.get_string())
                                              : quote(json::serialize(allowed)));
    e.unsupported_shown(p.path(), value_repr(v), supported);
  }
  if (v.is_string()) {
    validate_string(e, s, v, p);
  } else if (as_number(v)) {
    validate_number(e, s, v, p);
  } else if (v.is_array()) {
    validate_array(e, s, v.get_array(), p, out, old);
  } else if (v.is_object()) {
    validate_object(e, s, v.get_object(), p, out, old);
  }
  if (!s.all_of.empty() || !s.any_of.empty() || !s.one_of.empty() || s.not_) check_composites(v, s, p, out);
}

// allOf, anyOf, oneOf and not: upstream reports each on no field, naming the path instead.
void check_composites(const json::value& v, const SchemaNode& s, const Where& p,
                      std::vector<FieldError>& out) {
  Errors e(out);
  const std::string named = quote(p.path().str());
  if (!s.all_of.empty()) {
    size_t passed = 0;
    const size_t before = out.size();
    for (const auto& sub : s.all_of) {
      const size_t at = out.size();
      check_value(v, sub, p, out);
      passed += out.size() == at ? 1 : 0;
    }
    if (out.size() != before)
      e.invalid(no_field(), "\"\"",
                named + " must validate all the schemas (allOf)" + (passed == 0 ? ". None validated" : ""));
  }
  if (!s.any_of.empty() && std::none_of(s.any_of.begin(), s.any_of.end(),
                                        [&](const SchemaNode& sub) { return passes(v, sub, p); }))
    e.invalid(no_field(), "\"\"", named + " must validate at least one schema (anyOf)");
  if (!s.one_of.empty()) {
    const auto valid = std::count_if(s.one_of.begin(), s.one_of.end(),
                                     [&](const SchemaNode& sub) { return passes(v, sub, p); });
    if (valid != 1)
      e.invalid(no_field(), "\"\"",
                named + " must validate one and only one schema (oneOf). " +
                    (valid == 0 ? std::string("Found none valid")
                                : "Found " + std::to_string(valid) + " valid alternatives"));
  }
  if (s.not_ && passes(v, *s.not_, p))
    e.invalid(no_field(), "\"\"", named + " must not validate the schema (not)");
}

void check_list_types(const json::value& v, const SchemaNode& s, const Where& p, std::vector<FieldError>& out,
                      const json::value* old) {
  if (old && *old == v) return;
  Errors e(out);
  if (const auto* a = v.if_array()) {
    if (s.list_type == "set") {
      // Each value's second copy is reported, later ones are not.
      for (size_t i = 1; i < a->size(); ++i)
        if (std::count(a->begin(), a->begin() + static_cast<std::ptrdiff_t>(i), (*a)[i]) == 1)
          e.duplicate(p.index(i).path(),
                      (*a)[i].is_object() || (*a)[i].is_array() ? go_value((*a)[i]) : value_repr((*a)[i]));
    } else if (s.list_type == "map" && !s.list_map_keys.empty()) {
      std::vector<json::object> seen;
      for (size_t i = 0; i < a->size(); ++i) {
        if ((*a)[i].is_null()) continue;
        const auto* item = (*a)[i].if_object();
        if (!item) {
          e.invalid(p.index(i).path(), value_repr((*a)[i]),
                    "must be an object for an array of list-type map");
          return;
        }
        json::object key;
        for (const auto& k : s.list_map_keys)
          if (const auto* kv = item->if_contains(k); kv && !kv->is_null()) key[k] = *kv;
        if (std::find(seen.begin(), seen.end(), key) != seen.end())
          e.duplicate(p.index(i).path(), go_value(key));
        else
          seen.push_back(std::move(key));
      }
    }
    if (s.items)
      for (size_t i = 0; i < a->size(); ++i)
        check_list_types((*a)[i], *s.items, p.index(i), out, correlated_item(s, (*a)[i], old));
  } else if (const auto* o = v.if_object()) {
    for (const auto& [key, value] : *o) {
      auto prop = s.properties.find(std::string_view(key));
      if (prop != s.properties.end())
        check_list_types(value, prop->second, p.child(key), out, old_member(old, key));
      else if (s.additional_properties)
        check_list_types(value, *s.additional_properties, p.child(key), out, old_member(old, key));
    }
  }
}

}  // namespace

void validate_custom_resource(const json::object& object, const SchemaNode& root,
                              std::vector<FieldError>& out, const json::object* old) {
  Errors e(out);
  const FieldPath root_path;
  const Where top(root_path);
  for (const auto& name : root.required)
    if (name != "apiVersion" && name != "kind" && name != "metadata" && !object.contains(name))
      e.required(root_path.child(name));
  for (const auto& [key, value] : object) {
    if (key == "apiVersion" || key == "kind") continue;
    auto prop = root.properties.find(std::string_view(key));
    if (prop == root.properties.end()) continue;
    if (key == "metadata") {
      // Only the name rules apply: the rest of metadata is the API server's.
      const auto* meta = value.if_object();
      for (const char* field : {"name", "generateName"}) {
        auto rule = prop->second.properties.find(std::string_view(field));
        const json::value* member = meta ? meta->if_contains(field) : nullptr;
        if (rule != prop->second.properties.end() && member)
          check_value(*member, rule->second, top.child("metadata").child(field), out);
      }
      continue;
    }
    const json::value* before = old ? old->if_contains(key) : nullptr;
    check_value(value, prop->second, top.child(key), out, before);
    check_list_types(value, prop->second, top.child(key), out, before);
  }
}

const json::value* correlated_item(const SchemaNode& s, const json::value& item, const json::value* old) {
  const auto* list = old ? old->if_array() : nullptr;
  const auto* object = item.if_object();
  if (!list || !object || s.list_type != "map" || s.list_map_keys.empty()) return nullptr;
  for (const auto& candidate : *list) {
    const auto* c = candidate.if_object();
    if (!c) continue;
    bool same = true;
    for (const auto& key : s.list_map_keys) {
      const auto* a = object->if_contains(key);
      const auto* b = c->if_contains(key);
      same = same && (a == nullptr) == (b == nullptr) && (!a || *a == *b);
    }
    if (same) return &candidate;
  }
  return nullptr;
}

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// RFC 3339's shape, as upstream's date-time format checks it: 2006-01-02T15:04:05[.999][Z|±07:00]
// (a space may stand for the T). Every create of a resource with a timestamp passes here,
// so it is read by hand.
bool date_time_shaped(std::string_view t) {
  if (t.size() < 20 || !all_digits(t.substr(0, 4)) || t[4] != '-' || !all_digits(t.substr(5, 2)) ||
      t[7] != '-' || !all_digits(t.substr(8, 2)) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
      !all_digits(t.substr(11, 2)) || t[13] != ':' || !all_digits(t.substr(14, 2)) || t[16] != ':' ||
      !all_digits(t.substr(17, 2)))
    return false;
  size_t at = 19;
  if (t[at] == '.') {
    const size_t digits = at + 1;
    at = digits;
    while (at < t.size() && t[at] >= '0' && t[at] <= '9') ++at;
    if (at == digits) return false;
  }
  const std::string_view zone = t.substr(at);
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && all_digits(zone.substr(1, 2)) &&
         zone[3] == ':' && all_digits(zone.substr(4, 2));
}

// Go-style durations with upstream's extra units: (-?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w))+
bool duration_shaped(std::string_view t) {
  if (t.empty()) return false;
  size_t at = 0;
  const auto digits = [&] {
    const size_t from = at;
    while (at < t.size() && t[at] >= '0' && t[at] <= '9') ++at;
    return at - from;
  };
  while (at < t.size()) {
    if (t[at] == '-') ++at;
    const size_t whole = digits();
    size_t fraction = 0;
    if (at < t.size() && t[at] == '.') {
      ++at;
      fraction = digits();
    }
    if (whole == 0 && fraction == 0) return false;
    static constexpr std::string_view kUnits[] = {"ns", "us", "\xC2\xB5s", "ms", "s", "m", "h", "d", "w"};
    size_t unit = 0;
    for (auto u : kUnits)
      if (t.substr(at, u.size()) == u && u.size() > unit) unit = u.size();
    if (unit == 0) return false;
    at += unit;
  }
  return true;
}

// One @ with something on each side and no white space, as upstream's email format says.
bool email_shaped(std::string_view t) {
  const size_t at = t.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == t.size() ||
      t.find('@', at + 1) != std::string_view::npos)
    return false;
  return std::none_of(t.begin(), t.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

}  // namespace

bool format_matches(std::string_view format, std::string_view value) {
  // RE2 patterns run by an engine that does not recurse per character: these take strings
  // of any length.
  static const cel::Regex date(R"(^\d{4}-\d{2}-\d{2}$)");
  static const cel::Regex uuid(
      R"(^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$)");
  static const cel::Regex byte(R"(^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$)");
  static const cel::Regex hostname(
      R"(^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$)");
  static const cel::Regex mac(R"(^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$)");
  static const cel::Regex uri(R"(^[A-Za-z][A-Za-z0-9+.-]*:\S*$)");
  const std::string text(value);
  auto ip = [&](int family) {
    unsigned char buf[16];
    return inet_pton(family, text.c_str(), buf) == 1;
  };
  if (format == "date-time" || format == "datetime") return date_time_shaped(value);
  if (format == "date") return matches(date, value);
  if (format == "uuid" || format == "uuid3" || format == "uuid4" || format == "uuid5")
    return matches(uuid, value);
  if (format == "byte") return !value.empty() && matches(byte, value);
  if (format == "duration") return duration_shaped(value);
  if (format == "hostname") return value.size() <= 253 && matches(hostname, value);
  if (format == "email") return email_shaped(value);
  if (format == "mac") return matches(mac, value);
  if (format == "uri") return matches(uri, value);
  if (format == "ipv4") return ip(AF_INET);
  if (format == "ipv6") return ip(AF_INET6);
  if (format == "cidr") {
    auto slash = text.find('/');
    if (slash == std::string::npos) return false;
    const std::string addr = text.substr(0, slash), bits = text.substr(slash + 1);
    unsigned char buf[16];
    const bool v4 = inet_pton(AF_INET, addr.c_str(), buf) == 1;
    const bool v6 = !v4 && inet_pton(AF_INET6, addr.c_str(), buf) == 1;
    if ((!v4 && !v6) || bits.empty() || bits.size() > 3 ||
        !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return false;
    return std::stoi(bits) <= (v4 ? 32 : 128);
  }
  return true;
}

}  // namespace ukube::apiextensions
