#include "runtime/informer_listers.h"

#include <algorithm>
#include <boost/json.hpp>

#include "model/resources.h"

namespace ukube::scheduler {
namespace {

constexpr const char* kByNamespace = "namespace";

std::vector<std::string> namespace_of(const boost::json::object& object) {
  const auto* meta = object.if_contains("metadata");
  const auto* ns = meta && meta->is_object() ? meta->get_object().if_contains("namespace") : nullptr;
  return {ns && ns->is_string() ? std::string(ns->get_string()) : std::string()};
}

}  // namespace

InformerListers::InformerListers(std::shared_ptr<Client> client, std::vector<GroupVersionResource> resources,
                                 InformerFactory* informers)
    : client_(std::move(client)) {
  if (!informers) {
    own_informers_ = std::make_unique<SharedInformerFactory>(client_);
    informers = own_informers_.get();
  }
  for (auto& r : resources) {
    auto informer = informers->informer(r);
    auto index = informer->add_indexer(kByNamespace, namespace_of);
    entries_.push_back({std::move(r), std::move(informer), std::move(index)});
  }
}

std::vector<GroupVersionResource> InformerListers::spread_resources() {
  return {resources::kServices, resources::kReplicationControllers, resources::kReplicaSets,
          resources::kStatefulSets};
}

// Asked only while an informer has not listed yet, so a kernel without the type costs one
// cheap list per wait, and an unreachable server still counts as serving it.
bool InformerListers::served(const GroupVersionResource& resource) const {
  try {
    ListOptions one;
    one.limit = 1;
    client_->list(resource, "", one);
  } catch (const ApiError& e) {
    return e.code() != 404 && e.code() != 403;
  } catch (const std::exception&) {
  }
  return true;
}

bool InformerListers::wait_for_sync(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& e : entries_) {
    if (e.informer->has_synced() || !served(e.resource)) continue;
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!e.informer->wait_for_sync(std::max(left, std::chrono::milliseconds(0)))) return false;
  }
  return true;
}

const Informer* InformerListers::find(const GroupVersionResource& resource) const {
  for (const auto& e : entries_)
    if (e.resource.group == resource.group && e.resource.resource == resource.resource)
      return e.informer.get();
  return nullptr;
}

std::vector<ObjectPtr> InformerListers::list(const GroupVersionResource& resource,
                                             std::string_view ns) const {
  const Informer* informer = find(resource);
  return informer ? informer->by_index(kByNamespace, ns) : std::vector<ObjectPtr>{};
}

ObjectPtr InformerListers::get(const GroupVersionResource& resource, std::string_view ns,
                               std::string_view name) const {
  const Informer* informer = find(resource);
  if (!informer) return nullptr;
  return informer->get(ns.empty() ? std::string(name) : std::string(ns) + "/" + std::string(name));
}

}  // namespace ukube::scheduler
