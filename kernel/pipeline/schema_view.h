#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

// A read-only cursor into a type's OpenAPI v3 schema (TypeInfo.schema) that answers the
// questions the write paths ask: which fields an object declares, how a list merges
// (x-kubernetes-list-type / patch strategy), whether unknown fields are kept. A view
// without a node means "no schema here": objects are then plain maps and lists atomic.
namespace ukube::pipeline {

enum class ListKind { Atomic, Set, Map };

class SchemaView {
 public:
  SchemaView() = default;
  explicit SchemaView(const boost::json::object* node);

  bool known() const { return inner_ != nullptr; }

  // The schema of member `key` of an object value: a declared property, else the
  // additionalProperties schema; unknown (no node) when neither says anything.
  SchemaView field(std::string_view key) const;
  SchemaView items() const;

  // Whether `key` is a declared property or allowed by additionalProperties.
  bool allows(std::string_view key) const;
  // Whether `key` is a declared property (a struct field, not a map key).
  bool declares(std::string_view key) const;
  // The additionalProperties schema of a map; unknown when there is none.
  SchemaView map_values() const;
  // An object whose undeclared members are unknown fields (and get pruned): it lists
  // properties, has no additionalProperties and does not preserve unknown fields.
  bool closed() const;
  bool preserves_unknown() const;
  // x-kubernetes-map-type: atomic (the map is one value for apply and ownership).
  bool atomic_map() const;

  // Server-side apply's view of a list: x-kubernetes-list-type (unset means atomic).
  ListKind list_kind() const;
  std::vector<std::string> list_map_keys() const;

  // Strategic merge patch's view of a list: merge key and patch strategy.
  std::string_view patch_merge_key() const;
  std::string_view patch_strategy() const;

  // Default of a property (used for list map keys a client may omit, e.g. protocol).
  const boost::json::value* default_value() const;

  // OpenAPI `type` and `format` ("" when unset), and x-kubernetes-int-or-string.
  std::string_view type() const { return text(extension("type")); }
  std::string_view format() const { return text(extension("format")); }
  bool int_or_string() const;

 private:
  // Extensions may sit beside an allOf wrapper (`outer_`) or on the wrapped schema.
  const boost::json::value* extension(std::string_view name) const;
  static std::string_view text(const boost::json::value* v);

  const boost::json::object* outer_ = nullptr;
  const boost::json::object* inner_ = nullptr;
};

}  // namespace ukube::pipeline
