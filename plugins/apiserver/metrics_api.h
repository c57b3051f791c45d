#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "http_types.h"
#include "kubelet_fetch.h"
#include "resource_handler.h"
#include "ukube/auth.h"
#include "ukube/pipeline.h"
#include "ukube/types.h"

// metrics.k8s.io/v1beta1, served by the API server itself so `kubectl top` works without
// a metrics-server: NodeMetrics and PodMetrics (get and list, read-only), built on each
// request from the kubelets' /stats/summary, whose CPU rates the kubelets compute from
// two samples UsageSampler::kInterval apart. Nothing is stored.
namespace ukube::apiserver {

inline constexpr const char* kMetricsGroup = "metrics.k8s.io";
inline constexpr const char* kMetricsVersion = "v1beta1";
// The kubelets' sampling interval, reported as every figure's window (as metrics-server
// reports its resolution).
inline constexpr const char* kMetricsWindow = "10s";

// GET `target` on a kubelet; throws std::runtime_error.
using KubeletFetcher = std::function<std::string(const std::string& node, const KubeletEndpoint& kubelet,
                                                 const std::string& target)>;

// The label and field selectors of a list.
struct MetricsSelection {
  std::string labels;
  std::string fields;
};

class MetricsApi {
 public:
  MetricsApi(RequestPipeline& pipeline, AuthChains& auth, KubeletFetcher fetch)
      : pipeline_(pipeline), auth_(auth), fetch_(std::move(fetch)) {}

  static bool handles(const Route& route);
  // The group's two resources, as this API serves them over HTTP.
  static const std::vector<TypeInfoPtr>& types();
  // The same, answered through this object when read through the kernel's pipeline (the
  // autoscaler reads pod usage so): the API server registers them while it runs.
  std::vector<TypeInfo> registered_types();
  // Throws ApiError (forbidden, not found, method not allowed).
  HttpResponse serve(const ResourceCall& call);

 private:
  using Selection = MetricsSelection;
  // What a get (`name` set: one item, else 404) or a list answers, without kind and
  // apiVersion. Throws ApiError (not found; 503 when no kubelet could be asked).
  std::vector<boost::json::object> node_items(const std::string& name, const Selection& selection);
  std::vector<boost::json::object> pod_items(const std::string& ns, const std::string& name,
                                             const Selection& selection);
  static HttpResponse answer(const ResourceCall& call, std::vector<boost::json::object> items,
                             const char* kind);
  // The node's summary, or null when its kubelet cannot be reached or asked; then `failure`
  // (if still empty) says why.
  std::optional<boost::json::object> summary_of(const boost::json::object& node, std::string& failure);

  RequestPipeline& pipeline_;
  AuthChains& auth_;
  KubeletFetcher fetch_;
};

// Pure conversions, for tests. `now` is the creationTimestamp metrics-server writes.
// CPU as upstream prints nano-cores ("250m", "1", "12345n"), memory as bytes in binary SI.
std::string cpu_quantity(uint64_t nano_cores);
std::string memory_quantity(uint64_t bytes);
// Null when the summary lacks the node's CPU rate or working set (the first sample).
std::optional<boost::json::object> node_metrics(const boost::json::object& summary,
                                                const boost::json::object& node, const std::string& now);
// The pod's entry in a node summary, matched by namespace, name and uid; null when absent
// or when a container lacks its CPU rate or working set, as metrics-server skips them.
std::optional<boost::json::object> pod_metrics(const boost::json::object& summary,
                                               const boost::json::object& pod, const std::string& now);

}  // namespace ukube::apiserver
