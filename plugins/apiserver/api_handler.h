#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit_log.h"
#include "discovery.h"
#include "http_types.h"
#include "kubelet_proxy.h"
#include "metrics.h"
#include "metrics_api.h"
#include "openapi.h"
#include "resource_handler.h"
#include "resource_proxy.h"
#include "ukube/auth.h"
#include "ukube/errors.h"
#include "ukube/pipeline.h"
#include "ukube/plugin.h"
#include "ukube/types.h"

namespace spdlog {
class logger;
}
namespace ukube::watch {
class WatchBus;
}

// Every request the server reads comes here: authentication, the in-flight limit, then
// discovery / OpenAPI / health / metrics, or a resource request for the pipeline. Plain
// data in and out, so it is tested without a network.
namespace ukube::apiserver {

struct HandlerDeps {
  HandlerDeps(RequestPipeline& p, AuthChains& a, const TypeRegistry& t) : pipeline(p), auth(a), types(t) {}

  RequestPipeline& pipeline;
  AuthChains& auth;
  const TypeRegistry& types;
  watch::WatchBus* bus = nullptr;          // for /metrics only
  store::Store* store = nullptr;           // for /metrics only
  std::shared_ptr<spdlog::logger> logger;  // null: internal errors go unlogged
  size_t max_in_flight = 400;
  std::string server_address;  // host:port clients reach us at (APIVersions)
  AuditLog* audit = nullptr;   // null: no audit log
  // The daemon's plugins for /debug/plugins; empty: not served (404).
  std::function<std::vector<PluginStatus>()> plugins;
};

class ApiHandler {
 public:
  explicit ApiHandler(HandlerDeps deps);

  // Never throws: failures become metav1.Status responses.
  HttpResponse handle(const HttpRequest& request);
  // Whether handle() answers `request` from memory at once (a GET of one object, the
  // health checks, the version), so the event loop may call it without a hand-off to a
  // worker thread. Anything that can wait (writes, watches, lists, subresources such as
  // logs) or take long (discovery and OpenAPI are built on first use) says no.
  static bool answers_at_once(const HttpRequest& request);

  // /readyz answers 200 only while ready.
  void set_ready(bool ready) { ready_ = ready; }
  // Where logs, exec, attach and port-forward go: the kubelets, reached with these credentials.
  KubeletProxy& kubelets() { return kubelets_; }
  MetricsApi& usage_metrics() { return usage_metrics_; }
  Metrics& metrics() { return metrics_; }

  static HttpResponse error_response(const ApiError& error);

 private:
  HttpResponse serve_non_resource(const HttpRequest& request, const struct Route& route,
                                  const UserInfo& user);
  void audit(const HttpRequest& request, const struct Route& route, const std::string& verb,
             std::chrono::system_clock::time_point received, const std::optional<UserInfo>& authenticated,
             const std::optional<UserInfo>& served_as, const std::optional<ApiError>& failure, bool watch,
             const HttpResponse& response);
  // (group-resource, objects stored) for every registered type, counted now.
  std::vector<std::pair<std::string, int64_t>> stored_object_counts() const;

  HandlerDeps deps_;
  Metrics metrics_;
  Discovery discovery_;
  OpenApi openapi_;
  ResourceHandler resources_;
  KubeletProxy kubelets_;
  ResourceProxy proxies_;     // pods, services and nodes proxy; nodes through kubelets_' credentials
  MetricsApi usage_metrics_;  // metrics.k8s.io, from the kubelets reached through kubelets_
  std::atomic<bool> ready_{false};
};

}  // namespace ukube::apiserver
