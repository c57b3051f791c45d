#include "pod_streams.h"

#include <algorithm>
#include <boost/json.hpp>

#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/runtime/driver.h"

namespace ukube::kubelet {
namespace {

namespace json = boost::json;
using machinery::string_at;

bool names_container(const json::object& spec, const std::string& container) {
  for (const char* field : {"containers", "initContainers", "ephemeralContainers"}) {
    bool found = false;
    machinery::for_each_object(machinery::array_at(spec, {field}), [&](const json::object& c, size_t) {
      found = found || string_at(c, {"name"}) == container;
    });
    if (found) return true;
  }
  return false;
}

// Why the container has not run yet, as its status says (ContainerCreating until it says).
std::string waiting_reason(const json::object& pod, const std::string& container) {
  std::string reason = "ContainerCreating";
  for (const char* field : {"initContainerStatuses", "containerStatuses"})
    machinery::for_each_object(machinery::array_at(pod, {"status", field}),
                               [&](const json::object& s, size_t) {
                                 if (string_at(s, {"name"}) != container) return;
                                 const std::string waiting = string_at(s, {"state", "waiting", "reason"});
                                 if (!waiting.empty()) reason = waiting;
                               });
  return reason;
}

}  // namespace

struct PodStreams::Located {
  ObjectPtr pod;
  std::shared_ptr<runtime::RuntimeDriver> driver;
  std::vector<runtime::ContainerStatus> runs;  // newest first
};

std::string PodStreams::node_for(const std::string& ns, const std::string& pod) {
  if (!pod.empty() && pods_)
    if (ObjectPtr object = pods_->get(ns + "/" + pod)) {
      std::string node = string_at(*object, {"spec", "nodeName"});
      if (drivers_.count(node)) return node;
    }
  return drivers_.empty() ? std::string() : drivers_.begin()->first;
}

PodStreams::Located PodStreams::find_pod(const std::string& ns, const std::string& pod) const {
  Located out;
  out.pod = pods_ ? pods_->get(ns + "/" + pod) : nullptr;
  auto driver = out.pod ? drivers_.find(string_at(*out.pod, {"spec", "nodeName"})) : drivers_.end();
  if (driver != drivers_.end()) out.driver = driver->second;
  return out;
}

PodStreams::Located PodStreams::locate(const std::string& ns, const std::string& pod,
                                       const std::string& container) {
  Located out = find_pod(ns, pod);
  if (!out.driver) throw ApiError::not_found("pods", pod);
  if (!names_container(machinery::object_or_empty(machinery::object_at(*out.pod, {"spec"})), container))
    throw ApiError::bad_request("container " + container + " is not valid for pod " + pod);
  runtime::ContainerFilter filter;
  filter.label_selector = {{runtime::label::kPodNamespace, ns},
                           {runtime::label::kPodName, pod},
                           {runtime::label::kPodUid, machinery::uid_of(*out.pod)},
                           {runtime::label::kContainerName, container}};
  out.runs = out.driver->list_containers(filter);
  std::sort(out.runs.begin(), out.runs.end(),
            [](const auto& a, const auto& b) { return a.metadata.attempt > b.metadata.attempt; });
  return out;
}

LogTarget PodStreams::log_target(const std::string& ns, const std::string& pod, const std::string& container,
                                 bool previous) {
  Located found = locate(ns, pod, container);
  if (previous) {
    if (found.runs.size() < 2)
      throw ApiError::bad_request("previous terminated container \"" + container + "\" in pod \"" + pod +
                                  "\" not found");
    return {found.runs[1].log_path, [] { return false; }};
  }
  if (found.runs.empty())
    throw ApiError::bad_request("container \"" + container + "\" in pod \"" + pod +
                                "\" is waiting to start: " + waiting_reason(*found.pod, container));
  const runtime::ContainerStatus& current = found.runs.front();
  return {current.log_path, [driver = found.driver, id = current.id] {
            try {
              const auto state = driver->container_status(id).state;
              return state == runtime::ContainerState::Running || state == runtime::ContainerState::Created;
            } catch (const std::exception&) {
              return false;
            }
          }};
}

StreamTarget PodStreams::stream_target(const std::string& ns, const std::string& pod,
                                       const std::string& container) {
  Located found = locate(ns, pod, container);
  if (found.runs.empty() || found.runs.front().state != runtime::ContainerState::Running)
    throw ApiError::bad_request("container \"" + container + "\" in pod \"" + pod + "\" is not running");
  return {found.driver, found.runs.front().id};
}

PortForwardTarget PodStreams::port_forward_target(const std::string& ns, const std::string& pod,
                                                  const std::string& uid) {
  Located found = find_pod(ns, pod);
  // Upstream's kubelet's words for both.
  if (!found.driver) throw ApiError(404, "NotFound", "pod does not exist");
  const std::string pod_uid = machinery::uid_of(*found.pod);
  if (!uid.empty() && uid != pod_uid) throw ApiError(404, "NotFound", "pod not found");
  runtime::PodSandboxFilter filter;
  filter.state = runtime::SandboxState::Ready;
  filter.label_selector = {{runtime::label::kPodNamespace, ns},
                           {runtime::label::kPodName, pod},
                           {runtime::label::kPodUid, pod_uid}};
  auto sandboxes = found.driver->list_pod_sandboxes(filter);
  if (sandboxes.empty())
    throw ApiError::internal("failed to find sandboxID for pod " + pod + "_" + ns + "(" + pod_uid + ")");
  const auto newest = std::max_element(sandboxes.begin(), sandboxes.end(), [](const auto& a, const auto& b) {
    return a.created_at < b.created_at;
  });
  return {found.driver, newest->id};
}

std::string PodStreams::stats_summary(const std::string& node, bool only_cpu_and_memory) {
  return stats::summary_json(usage_.summary(node), only_cpu_and_memory);
}

std::string PodStreams::kubelet_metrics(const std::string& node) {
  auto found = metrics_.find(node);
  if (found == metrics_.end()) throw ApiError::not_found("nodes", node);
  return found->second->render();
}

std::string PodStreams::resource_metrics(const std::string& node) {
  return stats::resource_metrics(usage_.summary(node));
}

}  // namespace ukube::kubelet
