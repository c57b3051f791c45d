#include "ukube/controller/controller_ref_manager.h"

#include <stdexcept>

#include <boost/json.hpp>

#include "ukube/controller/cache_indexes.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/owners.h"

namespace ukube::controller {
namespace json = boost::json;
namespace {

// The merge patch that writes `refs` as the object's owner references, on the condition
// that the object is still as the caller saw it.
std::string owner_refs_patch(const json::object& object, const json::array* refs) {
  json::object meta;
  if (refs && !refs->empty())
    meta["ownerReferences"] = *refs;
  else
    meta["ownerReferences"] = nullptr;
  std::string rv = machinery::meta_string(object, "resourceVersion");
  if (!rv.empty()) meta["resourceVersion"] = rv;
  return json::serialize(json::object{{"metadata", std::move(meta)}});
}

std::string ref_key(const json::object& object) {
  return machinery::namespace_of(object) + "/" + machinery::name_of(object);
}

}  // namespace

CanAdopt recheck_owner(Client& client, const GroupVersionResource& resource, const std::string& kind,
                       const json::object& owner) {
  return [&client, resource, kind, ns = machinery::namespace_of(owner), name = machinery::name_of(owner),
          uid = machinery::uid_of(owner)] {
    ObjectPtr fresh;
    try {
      fresh = client.get(resource, ns, name);
    } catch (const std::exception& e) {
      throw std::runtime_error("can't recheck DeletionTimestamp: " + std::string(e.what()));
    }
    if (!fresh)
      throw std::runtime_error("can't recheck DeletionTimestamp: " + ns + "/" + name + " not found");
    std::string fresh_uid = machinery::uid_of(*fresh);
    if (fresh_uid != uid)
      throw std::runtime_error("can't recheck DeletionTimestamp: original " + kind + " " + ns + "/" + name +
                               " is gone: got uid " + fresh_uid + ", wanted " + uid);
    if (machinery::has_deletion_timestamp(*fresh))
      throw std::runtime_error(ns + "/" + name + " has just been deleted at " +
                               machinery::meta_string(*fresh, "deletionTimestamp"));
  };
}

std::string ControllerRefManager::Claimed::error() const {
  if (errors.empty()) return {};
  if (errors.size() == 1) return errors.front();
  std::string out = "[";
  for (size_t i = 0; i < errors.size(); ++i) out += (i ? ", " : "") + errors[i];
  return out + "]";
}

ControllerRefManager::ControllerRefManager(Client& client, GroupVersionResource resource,
                                           std::string object_kind, const json::object& owner,
                                           GroupVersionKind owner_kind, LabelSelector selector,
                                           CanAdopt can_adopt)
    : client_(client),
      resource_(std::move(resource)),
      object_kind_(std::move(object_kind)),
      owner_ns_(machinery::namespace_of(owner)),
      owner_uid_(machinery::uid_of(owner)),
      owner_deleting_(machinery::has_deletion_timestamp(owner)),
      owner_ref_(machinery::controller_ref(owner, owner_kind)),
      selector_(std::move(selector)),
      can_adopt_(std::move(can_adopt)) {}

bool ControllerRefManager::matches(const json::object& object, const Filter& filter) const {
  // The selector first, so filters only see objects that could be claimed.
  if (!machinery::matches(selector_, machinery::labels_of(object))) return false;
  return !filter || filter(object);
}

bool ControllerRefManager::claim(const json::object& object, const Filter& filter) {
  if (const auto* ref = machinery::controller_of(object)) {
    if (machinery::string_at(*ref, {"uid"}) != owner_uid_) return false;  // another controller's
    // Already ours and still matching: nothing to write, so fine even while being deleted.
    if (matches(object, filter)) return true;
    if (owner_deleting_) return false;
    release(object);
    return false;
  }
  // An orphan.
  if (owner_deleting_ || !matches(object, filter)) return false;
  if (machinery::has_deletion_timestamp(object)) return false;
  if (!owner_ns_.empty() && owner_ns_ != machinery::namespace_of(object)) return false;
  try {
    adopt(object);
  } catch (const ApiError& e) {
    if (is_not_found(e)) return false;  // gone meanwhile
    throw;
  }
  return true;
}

ControllerRefManager::Claimed ControllerRefManager::claim(const std::vector<ObjectPtr>& objects,
                                                          const Filter& filter) {
  Claimed out;
  for (const auto& object : objects) {
    try {
      if (claim(*object, filter)) out.objects.push_back(object);
    } catch (const std::exception& e) {
      out.errors.emplace_back(e.what());
    }
  }
  return out;
}

void ControllerRefManager::adopt(const json::object& object) {
  {
    std::lock_guard lock(mutex_);
    if (!adopt_refused_) {
      adopt_refused_ = "";
      if (can_adopt_) {
        try {
          can_adopt_();
        } catch (const std::exception& e) {
          adopt_refused_ = e.what();
        }
      }
    }
    if (!adopt_refused_->empty())
      throw std::runtime_error("can't adopt " + object_kind_ + " " + ref_key(object) + " (" +
                               machinery::uid_of(object) + "): " + *adopt_refused_);
  }
  json::object adopted = object;
  if (!machinery::adopt(adopted, owner_ref_))
    throw std::runtime_error("can't adopt " + object_kind_ + " " + ref_key(object) + " (" +
                             machinery::uid_of(object) + "): it already has a controller");
  client_.patch(resource_, machinery::namespace_of(object), machinery::name_of(object), PatchType::JsonMerge,
                owner_refs_patch(object, machinery::array_at(adopted, {"metadata", "ownerReferences"})));
}

void ControllerRefManager::release(const json::object& object) {
  json::object released = object;
  if (!machinery::release(released, owner_uid_)) return;
  try {
    client_.patch(resource_, machinery::namespace_of(object), machinery::name_of(object),
                  PatchType::JsonMerge,
                  owner_refs_patch(object, machinery::array_at(released, {"metadata", "ownerReferences"})));
  } catch (const ApiError& e) {
    // Gone, or (as upstream) refused because it no longer is the object we saw.
    if (is_not_found(e) || is_invalid(e)) return;
    throw;
  }
}

ObjectPtr resolve_controller_ref(const Informer& owners, const std::string& ns, const json::object* ref,
                                 std::string_view kind) {
  if (!ref || machinery::string_at(*ref, {"kind"}) != kind) return nullptr;
  ObjectPtr owner = owners.get(ns + "/" + machinery::string_at(*ref, {"name"}));
  if (!owner || machinery::uid_of(*owner) != machinery::string_at(*ref, {"uid"})) return nullptr;
  return owner;
}

std::vector<ObjectPtr> owners_selecting(const Informer& owners, const json::object& object,
                                        const SelectorOf& selector_of) {
  std::vector<ObjectPtr> out;
  const json::object* labels = machinery::labels_of(object);
  if (!labels || labels->empty()) return out;
  for (const auto& owner : owners.by_index(kNamespaceIndex, machinery::namespace_of(object))) {
    auto selector = selector_of(*owner, nullptr);
    if (!selector || selector->empty() || !machinery::matches(*selector, labels)) continue;
    out.push_back(owner);
  }
  return out;
}

}  // namespace ukube::controller
