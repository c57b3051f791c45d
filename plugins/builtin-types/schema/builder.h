#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

// Helpers that spell OpenAPI v3 schemas compactly, with upstream's x-kubernetes-*
// extensions for list semantics and strategic merge patch, and the protobuf field numbers
// the API server decodes protobuf request bodies with (x-ukube-proto-*, see
// plugins/apiserver/protobuf_body.h). Conventions the kernel reads:
//  - an object with `properties` and no `additionalProperties` is closed (unknown fields
//    are reported under strict validation) unless it carries preserve-unknown-fields;
//  - IntOrString is {"x-kubernetes-int-or-string": true, anyOf: [integer, string]};
//  - a resource.Quantity is {anyOf: [number, string], format: "quantity"} (YAML `cpu: 0.5`).
namespace ukube::builtin::schema {

using Schema = boost::json::object;

// How upstream's Go field treats zero values, which the protobuf decoder has to know because
// client-go's protobuf encoding writes every non-pointer field, zero or not.
enum class Go : uint8_t {
  omitempty,  // non-pointer with omitempty: a zero value means unset, as JSON drops it
  always,     // non-pointer without omitempty: JSON carries zero values (PriorityClass value) and
              // null for an unset list (ClusterRole rules)
  pointer,    // a pointer: set means present, even at zero (replicas: 0)
};
inline constexpr Go kAlways = Go::always;
inline constexpr Go kPointer = Go::pointer;

// Where upstream's protobuf message holds a property: its field number (0: upstream has no
// such field), and for the fields of an inline Go struct (a Volume's sources, the name of
// ConfigMapKeySelector's LocalObjectReference) the number of the field holding that struct.
struct ProtoTag {
  constexpr ProtoTag(int field = 0) : number(field) {}  // implicit: a bare number is the common case
  int number = 0;
  int embedded_in = 0;
};
constexpr ProtoTag embedded(int outer, int field) {
  ProtoTag t(field);
  t.embedded_in = outer;
  return t;
}

struct Prop {
  Prop(std::string_view n, Schema s, ProtoTag t = {}, Go g = Go::omitempty)
      : name(n), schema(std::move(s)), tag(t), go(g) {}
  std::string_view name;
  Schema schema;
  ProtoTag tag;
  Go go;
};
using Props = std::initializer_list<Prop>;

Schema string(std::string_view description = {});
Schema enum_string(std::initializer_list<std::string_view> values, std::string_view description = {});
Schema integer(std::string_view description = {});  // int32
Schema int64(std::string_view description = {});
Schema number(std::string_view description = {});
Schema boolean(std::string_view description = {});
Schema date_time(std::string_view description = {});
Schema bytes(std::string_view description = {});  // base64 data
Schema int_or_string(std::string_view description = {});
Schema quantity(std::string_view description = {});

Schema object(Props properties, std::string_view description = {});
// Adds `properties` (with their protobuf extensions) to an object schema.
void add_properties(Schema& object_schema, Props properties);
// A property's schema with its protobuf extensions.
Schema property_schema(const Prop& p);
// Properties we know, anything else kept as is (for sub-objects modelled only partly).
Schema open_object(Props properties, std::string_view description = {});
// An object we do not model at all.
Schema preserve(std::string_view description = {});
Schema map_of(Schema value, std::string_view description = {});
Schema string_map(std::string_view description = {});
Schema quantity_map(std::string_view description = {});

// Lists. Every list says how it merges: atomic (replaced whole), set (merged as a set of
// scalars), or map (merged by key fields, as strategic merge patch and SSA do).
Schema atomic_list(Schema items, std::string_view description = {});
Schema set_list(Schema items, std::string_view description = {}, bool merge_patch = false);
// A list merged by `keys`; `merge_key` (upstream's patchMergeKey) is keys[0]; `strategy`
// is the patch strategy ("merge" or "merge,retainKeys").
Schema map_list(Schema items, std::vector<std::string> keys, std::string_view description = {},
                std::string_view strategy = "merge");
// A list that strategic merge patch merges by `merge_key` but SSA treats as atomic
// (upstream's Job conditions).
Schema atomic_merge_list(Schema items, std::string_view merge_key, std::string_view description = {});

Schema with_description(Schema s, std::string_view description);
Schema with_default(Schema s, std::string_view value);  // e.g. protocol TCP, so list map keys may be omitted
Schema atomic_struct(Schema s);  // x-kubernetes-map-type: atomic (apply owns it as one value)
Schema retain_keys(Schema s);    // patch strategy retainKeys on an object (deployment strategy)

// The whole object of a resource: apiVersion, kind, metadata and `properties`, tagged
// with its GroupVersionKind as upstream's OpenAPI definitions are.
Schema resource(std::string_view group, std::string_view version, std::string_view kind,
                std::string_view description, Props properties);
std::shared_ptr<const Schema> share(Schema s);

}  // namespace ukube::builtin::schema
