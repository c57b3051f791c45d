#include "openapi_v2_protobuf.h"

#include <boost/json.hpp>
#include <cstdint>
#include <cstring>
#include <vector>

// Its own namespace: the apiserver's sources are compiled together (unity build), and these
// short names would meet theirs.
namespace ukube::apiserver::openapi_v2_wire {
namespace {

namespace json = boost::json;

// Protobuf wire format, proto3 rules: zero scalars and empty strings are not written.
class Wire {
 public:
  void varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void tag(int field, int wire_type) { varint((static_cast<uint64_t>(field) << 3) | wire_type); }
  void bytes(int field, std::string_view b) {
    tag(field, 2);
    varint(b.size());
    out_.append(b);
  }
  void string(int field, std::string_view s) {
    if (!s.empty()) bytes(field, s);
  }
  void boolean(int field, bool b) {
    if (!b) return;
    tag(field, 0);
    varint(1);
  }
  void int64(int field, int64_t v) {
    if (v == 0) return;
    tag(field, 0);
    varint(static_cast<uint64_t>(v));
  }
  void number(int field, double d) {
    if (d == 0) return;
    tag(field, 1);
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>(bits >> (8 * i)));
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

enum class Kind {
  String,
  Bool,
  Number,
  Int64,
  Strings,   // repeated string
  Any,       // Any{yaml}
  Anys,      // repeated Any
  Message,   // one message of `layout`, or `encode`
  Messages,  // repeated message of `layout`, or `encode`, from a JSON array
  NamedMap,  // a JSON object as repeated {1: name, 2: message of `layout` / `encode`}
};

struct Layout;
using Encoder = std::string (*)(const json::value&);

struct Field {
  Field(const char* key_, int number_, Kind kind_, const Layout* layout_ = nullptr, Encoder encode_ = nullptr)
      : key(key_), number(number_), kind(kind_), layout(layout_), encode(encode_) {}
  const char* key;
  int number;
  Kind kind;
  const Layout* layout;
  Encoder encode;
};

// A message: its fields by JSON key, and where it keeps x- vendor extensions (0: nowhere).
struct Layout {
  explicit Layout(std::vector<Field> fields_, int extensions_ = 0)
      : fields(std::move(fields_)), extensions(extensions_) {}
  std::vector<Field> fields;
  int extensions;
};

std::string message(const json::value& v, const Layout& layout);

std::string any(const json::value& v) {
  Wire w;
  w.string(2, v.is_string() ? std::string(v.get_string()) : json::serialize(v));
  return w.take();
}

std::string sub(const json::value& v, const Field& f) {
  return f.encode ? f.encode(v) : message(v, *f.layout);
}

std::string named(std::string_view name, const std::string& value) {
  Wire w;
  w.string(1, name);
  w.bytes(2, value);
  return w.take();
}

void write_field(Wire& w, const Field& f, const json::value& v) {
  switch (f.kind) {
    case Kind::String:
      if (v.is_string()) w.string(f.number, v.get_string());
      break;
    case Kind::Bool:
      if (v.is_bool()) w.boolean(f.number, v.get_bool());
      break;
    case Kind::Number:
      if (v.is_number()) w.number(f.number, v.to_number<double>());
      break;
    case Kind::Int64:
      if (v.is_number()) w.int64(f.number, v.to_number<int64_t>());
      break;
    case Kind::Strings:
      if (v.is_array())
        for (const auto& s : v.get_array())
          if (s.is_string()) w.bytes(f.number, s.get_string());
      break;
    case Kind::Any: w.bytes(f.number, any(v)); break;
    case Kind::Anys:
      if (v.is_array())
        for (const auto& item : v.get_array()) w.bytes(f.number, any(item));
      break;
    case Kind::Message: w.bytes(f.number, sub(v, f)); break;
    case Kind::Messages:
      if (v.is_array())
        for (const auto& item : v.get_array()) w.bytes(f.number, sub(item, f));
      break;
    case Kind::NamedMap:
      if (v.is_object())
        for (const auto& m : v.get_object()) w.bytes(f.number, named(m.key(), sub(m.value(), f)));
      break;
  }
}

std::string message_of(const json::object& o, const Layout& layout) {
  Wire w;
  for (const auto& f : layout.fields)
    if (const auto* value = o.if_contains(f.key)) write_field(w, f, *value);
  if (layout.extensions)
    for (const auto& m : o)
      if (m.key().starts_with("x-")) w.bytes(layout.extensions, named(m.key(), any(m.value())));
  return w.take();
}

std::string message(const json::value& v, const Layout& layout) {
  const json::object* o = v.if_object();
  return o ? message_of(*o, layout) : std::string();
}

// A map with extensions beside it (Paths, Responses): each x- member a NamedAny in field
// `extensions`, every other member a Named* entry in field `entries`.
std::string entries_and_extensions(const json::value& v, int entries, Encoder encode, int extensions) {
  Wire w;
  if (const auto* o = v.if_object())
    for (const auto& m : *o) {
      if (m.key().starts_with("x-"))
        w.bytes(extensions, named(m.key(), any(m.value())));
      else
        w.bytes(entries, named(m.key(), encode(m.value())));
    }
  return w.take();
}

// A map message of one repeated Named* field numbered 1 (Definitions, Properties).
std::string wrapped(const json::value& v, const Field& inner) {
  Wire w;
  write_field(w, inner, v);
  return w.take();
}

extern const Layout kSchema;
std::string schema(const json::value& v) {
  return message(v, kSchema);
}
std::string properties(const json::value& v) {
  return wrapped(v, {"", 1, Kind::NamedMap, nullptr, schema});
}
// TypeItem and ItemsItem: one value or a list of them, as a repeated field 1.
std::string type_item(const json::value& v) {
  Wire w;
  if (v.is_string()) w.bytes(1, v.get_string());
  write_field(w, {"", 1, Kind::Strings}, v);
  return w.take();
}
std::string items_item(const json::value& v) {
  Wire w;
  if (v.is_object()) w.bytes(1, schema(v));
  write_field(w, {"", 1, Kind::Messages, nullptr, schema}, v);
  return w.take();
}
std::string additional_properties(const json::value& v) {
  Wire w;
  if (v.is_bool()) {
    w.tag(2, 0);
    w.varint(v.get_bool() ? 1 : 0);
  } else {
    w.bytes(1, schema(v));
  }
  return w.take();
}

const Layout kExternalDocs{{{"description", 1, Kind::String}, {"url", 2, Kind::String}}, 3};

const Layout kSchema{{{"$ref", 1, Kind::String},
                      {"format", 2, Kind::String},
                      {"title", 3, Kind::String},
                      {"description", 4, Kind::String},
                      {"default", 5, Kind::Any},
                      {"multipleOf", 6, Kind::Number},
                      {"maximum", 7, Kind::Number},
                      {"exclusiveMaximum", 8, Kind::Bool},
                      {"minimum", 9, Kind::Number},
                      {"exclusiveMinimum", 10, Kind::Bool},
                      {"maxLength", 11, Kind::Int64},
                      {"minLength", 12, Kind::Int64},
                      {"pattern", 13, Kind::String},
                      {"maxItems", 14, Kind::Int64},
                      {"minItems", 15, Kind::Int64},
                      {"uniqueItems", 16, Kind::Bool},
                      {"maxProperties", 17, Kind::Int64},
                      {"minProperties", 18, Kind::Int64},
                      {"required", 19, Kind::Strings},
                      {"enum", 20, Kind::Anys},
                      {"additionalProperties", 21, Kind::Message, nullptr, additional_properties},
                      {"type", 22, Kind::Message, nullptr, type_item},
                      {"items", 23, Kind::Message, nullptr, items_item},
                      {"allOf", 24, Kind::Messages, nullptr, schema},
                      {"properties", 25, Kind::Message, nullptr, properties},
                      {"discriminator", 26, Kind::String},
                      {"readOnly", 27, Kind::Bool},
                      {"externalDocs", 29, Kind::Message, &kExternalDocs},
                      {"example", 30, Kind::Any}},
                     31};

// The validation keywords simple (non-body) parameters and their items share, in the order
// their messages number them from `first`.
std::vector<Field> simple_keywords(int first, const Layout* items) {
  const std::pair<const char*, Kind> keywords[] = {
      {"type", Kind::String},           {"format", Kind::String},
      {"items", Kind::Message},         {"collectionFormat", Kind::String},
      {"default", Kind::Any},           {"maximum", Kind::Number},
      {"exclusiveMaximum", Kind::Bool}, {"minimum", Kind::Number},
      {"exclusiveMinimum", Kind::Bool}, {"maxLength", Kind::Int64},
      {"minLength", Kind::Int64},       {"pattern", Kind::String},
      {"maxItems", Kind::Int64},        {"minItems", Kind::Int64},
      {"uniqueItems", Kind::Bool},      {"enum", Kind::Anys},
      {"multipleOf", Kind::Number}};
  std::vector<Field> out;
  int number = first;
  for (const auto& [key, kind] : keywords)
    out.push_back({key, number++, kind, kind == Kind::Message ? items : nullptr});
  return out;
}

extern const Layout kPrimitivesItems;
const Layout kPrimitivesItems{simple_keywords(1, &kPrimitivesItems), 18};

// Header and path parameters: required, in, description, name, then the keywords.
// Query and form parameters put allowEmptyValue before them.
Layout parameter_layout(bool allow_empty_value) {
  Layout l({{"required", 1, Kind::Bool},
            {"in", 2, Kind::String},
            {"description", 3, Kind::String},
            {"name", 4, Kind::String}});
  int next = 5;
  if (allow_empty_value) l.fields.push_back({"allowEmptyValue", next++, Kind::Bool});
  for (auto& f : simple_keywords(next, &kPrimitivesItems)) l.fields.push_back(f);
  l.extensions = next + 17;
  return l;
}
const Layout kHeaderOrPathParameter = parameter_layout(false);
const Layout kQueryOrFormParameter = parameter_layout(true);
const Layout kBodyParameter{{{"description", 1, Kind::String},
                             {"name", 2, Kind::String},
                             {"in", 3, Kind::String},
                             {"required", 4, Kind::Bool},
                             {"schema", 5, Kind::Message, nullptr, schema}},
                            6};

// Parameter: a body parameter, or one of the four non-body kinds by where it goes.
std::string parameter(const json::value& v) {
  const auto* in = v.is_object() ? v.get_object().if_contains("in") : nullptr;
  const std::string where = in && in->is_string() ? std::string(in->get_string()) : "";
  Wire w;
  if (where == "body") {
    w.bytes(1, message(v, kBodyParameter));
    return w.take();
  }
  Wire non_body;
  if (where == "header") non_body.bytes(1, message(v, kHeaderOrPathParameter));
  if (where == "formData") non_body.bytes(2, message(v, kQueryOrFormParameter));
  if (where == "query") non_body.bytes(3, message(v, kQueryOrFormParameter));
  if (where == "path") non_body.bytes(4, message(v, kHeaderOrPathParameter));
  w.bytes(2, non_body.take());
  return w.take();
}

const Layout kJsonReference{{{"$ref", 1, Kind::String}, {"description", 2, Kind::String}}};

bool is_reference(const json::value& v) {
  return v.is_object() && v.get_object().contains("$ref");
}

// ParametersItem and ResponseValue: a JSON reference (field 2) or the thing itself (1).
std::string reference_or(const json::value& v, Encoder encode) {
  Wire w;
  if (is_reference(v))
    w.bytes(2, message(v, kJsonReference));
  else
    w.bytes(1, encode(v));
  return w.take();
}
std::string parameters_item(const json::value& v) {
  return reference_or(v, parameter);
}

std::string schema_item(const json::value& v) {
  Wire w;
  w.bytes(1, schema(v));
  return w.take();
}
const Layout kResponse{{{"description", 1, Kind::String}, {"schema", 2, Kind::Message, nullptr, schema_item}},
                       5};
std::string response(const json::value& v) {
  return message(v, kResponse);
}
std::string response_value(const json::value& v) {
  return reference_or(v, response);
}
// Responses: the status codes in field 1, extensions in field 2.
std::string responses(const json::value& v) {
  return entries_and_extensions(v, 1, response_value, 2);
}

const Layout kOperation{{{"tags", 1, Kind::Strings},
                         {"summary", 2, Kind::String},
                         {"description", 3, Kind::String},
                         {"externalDocs", 4, Kind::Message, &kExternalDocs},
                         {"operationId", 5, Kind::String},
                         {"produces", 6, Kind::Strings},
                         {"consumes", 7, Kind::Strings},
                         {"parameters", 8, Kind::Messages, nullptr, parameters_item},
                         {"responses", 9, Kind::Message, nullptr, responses},
                         {"schemes", 10, Kind::Strings},
                         {"deprecated", 11, Kind::Bool}},
                        13};
const Layout kPathItem{{{"$ref", 1, Kind::String},
                        {"get", 2, Kind::Message, &kOperation},
                        {"put", 3, Kind::Message, &kOperation},
                        {"post", 4, Kind::Message, &kOperation},
                        {"delete", 5, Kind::Message, &kOperation},
                        {"options", 6, Kind::Message, &kOperation},
                        {"head", 7, Kind::Message, &kOperation},
                        {"patch", 8, Kind::Message, &kOperation},
                        {"parameters", 9, Kind::Messages, nullptr, parameters_item}},
                       10};
std::string path_item(const json::value& v) {
  return message(v, kPathItem);
}
// Paths: the paths in field 2, extensions in field 1.
std::string paths(const json::value& v) {
  return entries_and_extensions(v, 2, path_item, 1);
}

const Layout kInfo{
    {{"title", 1, Kind::String}, {"version", 2, Kind::String}, {"description", 3, Kind::String}}, 7};
const Layout kDocument{{{"swagger", 1, Kind::String},
                        {"info", 2, Kind::Message, &kInfo},
                        {"host", 3, Kind::String},
                        {"basePath", 4, Kind::String},
                        {"schemes", 5, Kind::Strings},
                        {"consumes", 6, Kind::Strings},
                        {"produces", 7, Kind::Strings},
                        {"paths", 8, Kind::Message, nullptr, paths},
                        {"definitions", 9, Kind::Message, nullptr, properties}},
                       16};

}  // namespace

std::string document(const json::object& swagger) {
  return message_of(swagger, kDocument);
}

}  // namespace ukube::apiserver::openapi_v2_wire

namespace ukube::apiserver {

std::string openapi_v2_protobuf(const boost::json::object& swagger) {
  return openapi_v2_wire::document(swagger);
}

}  // namespace ukube::apiserver
