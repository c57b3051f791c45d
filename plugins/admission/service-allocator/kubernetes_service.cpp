#include "kubernetes_service.h"

#include <spdlog/logger.h>

#include <boost/json.hpp>

#include "ip_range.h"
#include "ukube/admission/plugin_support.h"

namespace ukube::admission::service_allocator {

using machinery::kEndpoints;
using machinery::kEndpointSlices;
using machinery::kServiceCIDRs;

KubernetesService::KubernetesService(KubernetesServiceDeps deps)
    : deps_(std::move(deps)),
      loop_(
          {"kubernetes service", 1, kAdmissionLoopLimits}, [this](const std::string&) { return sync(); },
          deps_.log) {}

void KubernetesService::start() {
  loop_.start();
  loop_.add(kKubernetes);
}

void KubernetesService::stop() {
  loop_.stop();
}

void KubernetesService::ensure(const GroupVersionResource& gvr, const json::object& desired) {
  const std::string ns = namespace_of(desired);
  ObjectPtr current;
  try {
    current = deps_.client->get(gvr, ns, kKubernetes);
  } catch (const ApiError& e) {
    if (!is_not_found(e)) throw;
  }
  if (!current) {
    try {
      deps_.client->create(gvr, ns, desired);
      if (deps_.log) deps_.log->info("created {} {}/{}", gvr.resource, ns, kKubernetes);
    } catch (const ApiError& e) {
      if (!is_already_exists(e)) throw;  // someone was quicker: the next pass compares
    }
    return;
  }
  if (owned_fields_match(*current, desired)) return;
  // An EndpointSlice's address type never changes: the slice is made again.
  if (string_at(desired, {"kind"}) == "EndpointSlice" &&
      string_at(*current, {"addressType"}) != string_at(desired, {"addressType"})) {
    deps_.client->remove(gvr, ns, kKubernetes);
    deps_.client->create(gvr, ns, desired);
    return;
  }
  deps_.client->update(gvr, ns, with_owned_fields(*current, desired));
  if (deps_.log) deps_.log->info("updated {} {}/{}", gvr.resource, ns, kKubernetes);
}

void KubernetesService::ensure_service_cidr() {
  const json::object desired = default_service_cidr(deps_.cidrs);
  ObjectPtr current;
  try {
    current = deps_.client->get(kServiceCIDRs, "", kKubernetes);
  } catch (const ApiError& e) {
    if (!is_not_found(e)) throw;
  }
  if (!current) {
    try {
      current = deps_.client->create(kServiceCIDRs, "", desired);
    } catch (const ApiError& e) {
      if (!is_already_exists(e)) throw;
      return;  // the next pass sets its status
    }
  }
  const auto have = machinery::strings_at(*current, {"spec", "cidrs"});
  const auto want = machinery::strings_at(desired, {"spec", "cidrs"});
  if (have != want) {
    // Upstream lets a single-stack range gain its second family, and otherwise leaves a
    // ServiceCIDR that disagrees with the flags to the administrator.
    if (have.size() == 1 && want.size() == 2 && have[0] == want[0]) {
      json::object upgraded = *current;
      machinery::child(upgraded, "spec")["cidrs"] = desired.at("spec").at("cidrs");
      current = deps_.client->update(kServiceCIDRs, "", upgraded);
    } else {
      if (deps_.log)
        deps_.log->warn(
            "the ServiceCIDR kubernetes holds {} but this server is configured for {}: Services get "
            "addresses "
            "from both; delete the ServiceCIDR to have it made again from the config",
            boost::json::serialize(current->at("spec")), boost::json::serialize(desired.at("spec")));
      return;
    }
  }
  bool ready = false;
  machinery::for_each_object(machinery::array_at(*current, {"status", "conditions"}),
                             [&](const json::object& c, size_t) {
                               if (string_at(c, {"type"}) == "Ready")
                                 ready = string_at(c, {"status"}) == "True";
                             });
  if (ready) return;
  json::object with_status = *current;
  with_status["status"] = ready_service_cidr_status();
  deps_.client->update(kServiceCIDRs, "", with_status, {}, "status");
}

controller::Result KubernetesService::sync() {
  ensure_service_cidr();
  if (auto endpoint = deps_.endpoint()) {
    auto range = ServiceIPRange::of(deps_.cidrs.front());
    if (range) ensure(kServices, kubernetes_service(range->first(), endpoint->port));
    ensure(kEndpoints, kubernetes_endpoints(endpoint->address, endpoint->port));
    ensure(kEndpointSlices, kubernetes_endpoint_slice(endpoint->address, endpoint->port));
  }
  return controller::Result::requeue_after(
      std::chrono::duration_cast<std::chrono::milliseconds>(deps_.interval));
}

}  // namespace ukube::admission::service_allocator
