#include "kernel/pipeline/strategic_merge.h"

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "kernel/pipeline/list_order.h"
#include "ukube/errors.h"

namespace ukube::pipeline {
namespace {

namespace json = boost::json;

constexpr std::string_view kPatch = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

bool starts_with(json::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::string_view(s.data(), prefix.size()) == prefix;
}

// Only these spellings are directives: a `$` key of any other name is data.
bool is_directive(json::string_view key) {
  return key == kPatch || key == kRetainKeys || starts_with(key, kSetElementOrder) ||
         starts_with(key, kDeleteFromPrimitiveList);
}

std::string_view patch_directive(const json::object& o) {
  const auto* v = o.if_contains(kPatch);
  if (!v) return {};
  if (!v->is_string())
    throw ApiError::bad_request("invalid patch: $patch must be a string, got " + json::serialize(*v));
  std::string_view d(v->get_string().data(), v->get_string().size());
  if (d != "merge" && d != "replace" && d != "delete")
    throw ApiError::bad_request("invalid patch: unknown patch type \"" + std::string(d) + "\" in " +
                                json::serialize(o));
  return d;
}

// The patch's own data, as the stored object should carry it (directives never are).
json::value without_directives(const json::value& v) {
  if (const auto* o = v.if_object()) {
    json::object out;
    for (const auto& m : *o)
      if (!is_directive(m.key())) out.emplace(m.key(), without_directives(m.value()));
    return out;
  }
  if (const auto* a = v.if_array()) {
    json::array out;
    for (const auto& item : *a) {
      // An element that is only a directive ({"$patch": "replace"}) is not data.
      if (const auto* o = item.if_object(); o && !o->empty() && o->size() == 1 && o->contains(kPatch))
        continue;
      out.push_back(without_directives(item));
    }
    return out;
  }
  return v;
}

bool merges(SchemaView list) {
  std::string_view strategy = list.patch_strategy();
  while (!strategy.empty()) {
    auto comma = strategy.find(',');
    if (strategy.substr(0, comma) == "merge") return true;
    if (comma == std::string_view::npos) break;
    strategy.remove_prefix(comma + 1);
  }
  return false;
}

void merge_object(json::object& target, const json::object& patch, SchemaView schema);

void merge_list(json::value& slot, const json::array& patch, SchemaView schema) {
  if (!merges(schema)) {
    slot = without_directives(patch);
    return;
  }
  for (const auto& item : patch) {
    const auto* o = item.if_object();
    if (o && patch_directive(*o) == "replace") {
      slot = without_directives(patch);  // drops the directive element itself
      return;
    }
  }
  if (!slot.is_array()) slot = json::array{};
  json::array& list = slot.get_array();
  const json::array original = list;
  std::string_view key = schema.patch_merge_key();

  for (const auto& item : patch) {
    const auto* p = item.if_object();
    if (key.empty() || !p) {
      // A set of values: union, first occurrence wins.
      if (p && p->contains(kPatch)) continue;
      bool present = false;
      for (const auto& existing : list) present = present || existing == item;
      if (!present) list.push_back(item);
      continue;
    }
    const auto* id = p->if_contains(key);
    if (!id)
      throw ApiError::bad_request("invalid patch: map: " + json::serialize(*p) +
                                  " does not contain declared merge key: " + std::string(key));
    auto matches = [&](const json::value& existing) {
      const auto* e = existing.if_object();
      const auto* v = e ? e->if_contains(key) : nullptr;
      return v && *v == *id;
    };
    if (patch_directive(*p) == "delete") {
      for (size_t i = list.size(); i-- > 0;)
        if (matches(list[i])) list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    json::value* found = nullptr;
    for (auto& existing : list)
      if (matches(existing)) {
        found = &existing;
        break;
      }
    if (found) {
      merge_object(found->get_object(), *p, schema.items());
    } else {
      json::object fresh;
      merge_object(fresh, *p, schema.items());
      list.push_back(std::move(fresh));
    }
  }
  interleave_patch_order(list, original, patch, key);
}

void delete_from_primitive_list(json::object& target, std::string_view name, const json::value& values) {
  if (!values.is_array())
    throw ApiError::bad_request("invalid patch: $deleteFromPrimitiveList/" + std::string(name) +
                                " must be a list");
  auto* slot = target.if_contains(name);
  if (!slot || !slot->is_array()) return;
  auto& list = slot->get_array();
  for (const auto& drop : values.get_array())
    for (size_t i = list.size(); i-- > 0;)
      if (list[i] == drop) list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
}

void retain_keys(json::object& target, const json::value& keys) {
  if (!keys.is_array())
    throw ApiError::bad_request("invalid patch: $retainKeys must be a list of field names");
  std::vector<std::string> drop;
  for (const auto& m : target) {
    bool kept = false;
    for (const auto& k : keys.get_array()) kept = kept || (k.is_string() && k.get_string() == m.key());
    if (!kept) drop.emplace_back(m.key());
  }
  for (const auto& k : drop) target.erase(k);
}

void merge_object(json::object& target, const json::object& patch, SchemaView schema) {
  std::string_view directive = patch_directive(patch);
  if (directive == "replace") {
    target = without_directives(patch).get_object();
    return;
  }
  if (directive == "delete") {
    target.clear();
    return;
  }
  if (const auto* keys = patch.if_contains(kRetainKeys)) retain_keys(target, *keys);
  for (const auto& m : patch)
    if (starts_with(m.key(), kDeleteFromPrimitiveList))
      delete_from_primitive_list(target, std::string_view(m.key()).substr(kDeleteFromPrimitiveList.size()),
                                 m.value());

  for (const auto& m : patch) {
    if (is_directive(m.key())) continue;
    const json::value& value = m.value();
    if (value.is_null()) {
      target.erase(m.key());
      continue;
    }
    SchemaView field = schema.field(m.key());
    if (const auto* o = value.if_object()) {
      std::string_view d = patch_directive(*o);
      if (d == "delete") {
        target.erase(m.key());
      } else if (d == "replace" || field.patch_strategy() == "replace") {
        target[m.key()] = without_directives(value);
      } else {
        json::value& slot = target[m.key()];
        if (!slot.is_object()) slot = json::object{};
        merge_object(slot.get_object(), *o, field);
      }
    } else if (const auto* a = value.if_array()) {
      merge_list(target[m.key()], *a, field);
    } else {
      target[m.key()] = value;
    }
  }

  for (const auto& m : patch) {
    if (!starts_with(m.key(), kSetElementOrder)) continue;
    std::string_view name = std::string_view(m.key()).substr(kSetElementOrder.size());
    if (!m.value().is_array())
      throw ApiError::bad_request("invalid patch: $setElementOrder/" + std::string(name) + " must be a list");
    auto* slot = target.if_contains(name);
    if (slot && slot->is_array())
      order_list(slot->get_array(), m.value().get_array(), schema.field(name).patch_merge_key());
  }
}

}  // namespace

void apply_strategic_merge_patch(json::object& target, const json::object& patch, SchemaView schema) {
  merge_object(target, patch, schema);
}

}  // namespace ukube::pipeline
