#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

// Helpers that spell OpenAPI v3 schemas compactly, with upstream's x-kubernetes-*
// extensions for list semantics and strategic merge patch. Conventions the kernel reads:
//  - an object with `properties` and no `additionalProperties` is closed (unknown fields
//    are reported under strict validation) unless it carries preserve-unknown-fields;
//  - IntOrString is {"x-kubernetes-int-or-string": true, anyOf: [integer, string]};
//  - a resource.Quantity is {anyOf: [number, string], format: "quantity"} (YAML `cpu: 0.5`).
namespace ukube::builtin::schema {

using Schema = boost::json::object;

struct Prop {
  std::string_view name;
  Schema schema;
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
