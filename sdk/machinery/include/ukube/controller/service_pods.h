#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/informer.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/export.h"

// The Service and pod side that upstream's endpoints and endpointslice controllers share:
// the shared Service and pod informers (indexed by namespace), the pods a Service selects,
// and the informer handlers that queue a Service key whenever a change of it or of one of
// its pods may change its endpoints. What each controller writes is its own business
// (ukube/machinery/service_endpoints.h holds what a pod means to a Service).
namespace ukube::controller {

using EnqueueKey = std::function<void(const std::string& key)>;

class UKUBE_MACHINERY_API ServicePods {
 public:
  // The factory's Service and pod informers, each given a namespace index while this lives.
  explicit ServicePods(InformerFactory& informers);
  ~ServicePods();
  ServicePods(const ServicePods&) = delete;
  ServicePods& operator=(const ServicePods&) = delete;

  const std::shared_ptr<Informer>& services() const { return services_; }
  const std::shared_ptr<Informer>& pods() const { return pods_; }

  // The Service of key "namespace/name" as cached, null when there is none.
  ObjectPtr service(const std::string& key) const;
  // The cached pods of the Service's namespace its selector selects; none without a selector.
  std::vector<ObjectPtr> selected_pods(const boost::json::object& service) const;

  // Service handlers: every add, update and delete queues the Service's key.
  InformerHandlers service_handlers(EnqueueKey enqueue) const;
  // Pod handlers: an added or deleted pod queues the Services selecting it, an update the
  // Services machinery::services_for_pod_change names.
  InformerHandlers pod_handlers(EnqueueKey enqueue) const;

 private:
  std::shared_ptr<Informer> services_, pods_;
  std::vector<InformerRegistration> indexers_;
};

}  // namespace ukube::controller
