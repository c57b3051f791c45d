#include "local_api_services.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "ukube/errors.h"
#include "ukube/machinery/identities.h"
#include "ukube/machinery/time.h"
#include "ukube/machinery/versions.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;

const GroupVersionResource kApiServices{"apiregistration.k8s.io", "v1", "apiservices"};

// Upstream's groupPriorityMinimum of the built-in groups; others (custom resources) get 1000.
int64_t group_priority(const std::string& group) {
  static const std::map<std::string, int64_t> priorities = {
      {"", 18000},
      {"apiregistration.k8s.io", 18000},
      {"apps", 17800},
      {"events.k8s.io", 17750},
      {"authentication.k8s.io", 17700},
      {"authorization.k8s.io", 17600},
      {"autoscaling", 17500},
      {"batch", 17400},
      {"certificates.k8s.io", 17300},
      {"networking.k8s.io", 17200},
      {"policy", 17100},
      {"rbac.authorization.k8s.io", 17000},
      {"storage.k8s.io", 16800},
      {"admissionregistration.k8s.io", 16700},
      {"scheduling.k8s.io", 16600},
      {"coordination.k8s.io", 16500},
      {"apiextensions.k8s.io", 16400},
      {"node.k8s.io", 16300},
      {"discovery.k8s.io", 16200},
      {"flowcontrol.apiserver.k8s.io", 16100},
      {"metrics.k8s.io", 100},
  };
  auto it = priorities.find(group);
  return it == priorities.end() ? 1000 : it->second;
}

json::object local_api_service(const std::string& group, const std::string& version, int64_t version_priority,
                               const std::string& now) {
  const std::string name = version + "." + group;  // the core group's is "v1.", as upstream
  json::object spec{{"version", version},
                    {"groupPriorityMinimum", group_priority(group)},
                    {"versionPriority", version_priority}};
  if (!group.empty()) spec["group"] = group;
  return {{"apiVersion", "apiregistration.k8s.io/v1"},
          {"kind", "APIService"},
          {"metadata",
           json::object{{"name", name},
                        {"labels", json::object{{"kube-aggregator.kubernetes.io/automanaged", "onstart"}}}}},
          {"spec", std::move(spec)},
          {"status",
           json::object{{"conditions",
                         json::array{json::object{{"type", "Available"},
                                                  {"status", "True"},
                                                  {"lastTransitionTime", now},
                                                  {"reason", "Local"},
                                                  {"message", "Local APIServices are always available"}}}}}}};
}

}  // namespace

void register_local_api_services(RequestPipeline& pipeline, const TypeRegistry& types,
                                 const std::shared_ptr<spdlog::logger>& log) {
  if (!types.find(kApiServices)) return;
  std::map<std::string, std::set<std::string>> versions;  // by group
  for (const auto& type : types.all()) versions[type->group].insert(type->version);
  const UserInfo system = machinery::apiserver_identity();
  const std::string now = machinery::now_rfc3339();
  size_t created = 0;
  for (const auto& [group, served] : versions) {
    std::vector<std::string> ordered(served.begin(), served.end());
    std::sort(ordered.begin(), ordered.end(),
              [](const std::string& a, const std::string& b) { return machinery::version_preferred(a, b); });
    for (size_t i = 0; i < ordered.size(); ++i) {
      // The preferred version ranks highest, as upstream's 15-apart priorities do.
      const auto priority = static_cast<int64_t>(15 * (ordered.size() - i));
      json::object service = local_api_service(group, ordered[i], priority, now);
      const std::string name(service["metadata"].at("name").as_string());
      try {
        pipeline.create(system, kApiServices, "", service);
        ++created;
      } catch (const ApiError& e) {
        if (e.code() != 409 && log) log->warn("APIService {} not registered: {}", name, e.what());
        continue;
      }
      // A create drops status as upstream does; the Available condition goes in after it.
      try {
        pipeline.update(system, kApiServices, "", name, service, {}, "status");
      } catch (const ApiError& e) {
        if (log) log->warn("APIService {} has no status: {}", name, e.what());
      }
    }
  }
  if (created > 0 && log) log->info("registered {} local APIServices", created);
}

}  // namespace ukube::apiserver
