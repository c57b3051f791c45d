#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "kernel/pipeline/schema_view.h"

// Sets of field paths, the currency of field ownership (metadata.managedFields). A path
// is a sequence of elements spelled as FieldsV1 spells them: "f:<field>", "k:<key fields
// as JSON>" (an element of a keyed list), "v:<value as JSON>" (an element of a set),
// "i:<index>". The set is a trie; a node is a member when that path itself is owned.
namespace ukube::pipeline {

using FieldPath = std::vector<std::string>;

class FieldSet {
 public:
  bool member = false;
  std::map<std::string, FieldSet, std::less<>> children;

  bool empty() const;  // no member anywhere
  FieldSet& child(std::string_view element) {
    // Most lookups find the element: no string is built for those.
    if (auto it = children.find(element); it != children.end()) return it->second;
    return children.emplace(std::string(element), FieldSet{}).first->second;
  }
  void insert(const FieldPath& path);
  bool contains(const FieldPath& path) const;
  // Whether `path` or anything below it is a member.
  bool owns_at_or_under(const FieldPath& path) const;

  void unite(const FieldSet& other);
  // Drops the members `other` has (not their descendants).
  void subtract(const FieldSet& other);
  // Drops every member at or below a member of `roots`.
  void erase_subtrees(const FieldSet& roots);
  // Removes nodes with no member below them.
  void prune();

  // Calls `visit(path, is_leaf)` for every member, parents before children.
  void for_each_member(const std::function<void(const FieldPath&, bool leaf)>& visit) const;

  // FieldsV1: {"f:spec":{"f:replicas":{}}, "k:{\"name\":\"a\"}":{".":{}, ...}}.
  boost::json::object to_json() const;
  static FieldSet from_json(const boost::json::object& fields_v1);

 private:
  void visit(FieldPath& prefix, const std::function<void(const FieldPath&, bool)>& fn) const;
};

// Elements naming a field, an element of a keyed list (by the schema's list map keys;
// a missing key takes the key field's schema default), and an element of a set.
std::string field_element(std::string_view name);
std::string key_element(const boost::json::value& item, SchemaView list);
std::string value_element(const boost::json::value& item);

// ".spec.template.spec.containers[name=\"web\"].image": how conflicts name paths.
std::string path_string(const FieldPath& path);

// What a value sets, as apply and create record it: every scalar, every atomic value
// (atomic lists and maps, lists without a list type, empty objects) and every element of
// a keyed list or set. Objects without a schema are maps; object members that are null
// are not set.
void collect_fields(const boost::json::value& value, SchemaView schema, FieldSet& into);
void collect_fields(const boost::json::object& object, SchemaView schema, FieldSet& into);
// The same set printed as FieldsV1 (collect_fields then to_json) in one walk, without the
// trie: a create, whose writer owns everything it set, needs no set algebra.
boost::json::object fields_v1_of(const boost::json::object& object, SchemaView schema);

// What a write changed: `changed` gets what `now` sets that `old` did not set to the same
// value; `removed` the roots of what `old` had and `now` does not.
void diff_fields(const boost::json::object& old, const boost::json::object& now, SchemaView schema,
                 FieldSet& changed, FieldSet& removed);

// Locates (or erases) the value at `path` in an object following `schema`; null / false
// when the path does not exist.
const boost::json::value* find_path(const boost::json::value& root, const FieldPath& path, SchemaView schema);
bool erase_path(boost::json::value& root, const FieldPath& path, SchemaView schema);

}  // namespace ukube::pipeline
