#include "ukube/controller/service_pods.h"

#include <boost/json/object.hpp>

#include "ukube/controller/cache_indexes.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/service_endpoints.h"

namespace ukube::controller {

ServicePods::ServicePods(InformerFactory& informers)
    : services_(informers.informer(machinery::kServices)), pods_(informers.informer(machinery::kPods)) {
  indexers_.push_back(services_->add_indexer(kNamespaceIndex, index_by_namespace));
  indexers_.push_back(pods_->add_indexer(kNamespaceIndex, index_by_namespace));
}

ServicePods::~ServicePods() = default;

ObjectPtr ServicePods::service(const std::string& key) const {
  return services_->get(key);
}

std::vector<ObjectPtr> ServicePods::selected_pods(const boost::json::object& service) const {
  std::vector<ObjectPtr> selected;
  if (!machinery::service_selector(service)) return selected;
  for (auto& pod : pods_->by_index(kNamespaceIndex, machinery::namespace_of(service)))
    if (pod && machinery::selects(service, *pod)) selected.push_back(std::move(pod));
  return selected;
}

InformerHandlers ServicePods::service_handlers(EnqueueKey enqueue) const {
  auto queue = [enqueue](const ObjectPtr& service) {
    if (service) enqueue(object_key(*service));
  };
  return {queue, [queue](const ObjectPtr&, const ObjectPtr& service) { queue(service); }, queue};
}

InformerHandlers ServicePods::pod_handlers(EnqueueKey enqueue) const {
  std::shared_ptr<Informer> services = services_;
  auto changed = [services, enqueue](const ObjectPtr& old_pod, const ObjectPtr& new_pod) {
    const ObjectPtr& pod = new_pod ? new_pod : old_pod;
    if (!pod) return;
    auto in_namespace = services->by_index(kNamespaceIndex, machinery::namespace_of(*pod));
    for (const auto& key : machinery::services_for_pod_change(in_namespace, old_pod.get(), new_pod.get()))
      enqueue(key);
  };
  return {[changed](const ObjectPtr& pod) { changed(nullptr, pod); }, changed,
          [changed](const ObjectPtr& pod) { changed(pod, nullptr); }};
}

}  // namespace ukube::controller
