#include "ukube/machinery/owners.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "ukube/machinery/json.h"

namespace ukube::machinery {
namespace json = boost::json;

const json::object* controller_of(const json::object& object) {
  if (const auto* refs = array_at(object, {"metadata", "ownerReferences"}))
    for (const auto& r : *refs)
      if (const auto* ref = r.if_object(); ref && bool_at(*ref, {"controller"}).value_or(false)) return ref;
  return nullptr;
}

bool is_controlled_by(const json::object& object, std::string_view owner_uid) {
  const auto* ref = controller_of(object);
  return ref && string_at(*ref, {"uid"}) == owner_uid;
}

json::object controller_ref(const json::object& owner, const GroupVersionKind& kind) {
  return json::object{
      {"apiVersion", kind.api_version()}, {"kind", kind.kind},  {"name", meta_string(owner, "name")},
      {"uid", meta_string(owner, "uid")}, {"controller", true}, {"blockOwnerDeletion", true}};
}

bool adopt(json::object& object, const json::object& ref) {
  if (controller_of(object)) return false;
  auto& refs = child_array(child(object, "metadata"), "ownerReferences");
  const std::string uid = string_at(ref, {"uid"});
  for (auto& r : refs)
    if (auto* existing = r.if_object(); existing && string_at(*existing, {"uid"}) == uid) {
      *existing = ref;
      return true;
    }
  refs.push_back(ref);
  return true;
}

bool release(json::object& object, std::string_view owner_uid) {
  auto* meta = object.if_contains("metadata");
  auto* refs = meta && meta->is_object() ? mutable_array(meta->get_object(), "ownerReferences") : nullptr;
  if (!refs) return false;
  const size_t before = refs->size();
  for (auto it = refs->begin(); it != refs->end();)
    if (const auto* r = it->if_object(); r && string_at(*r, {"uid"}) == owner_uid)
      it = refs->erase(it);
    else
      ++it;
  return refs->size() != before;
}

}  // namespace ukube::machinery
