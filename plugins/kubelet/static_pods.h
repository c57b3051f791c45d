#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/client.h"
#include "ukube/informer.h"

namespace spdlog {
class logger;
}

// Static pods (upstream's file and HTTP pod sources): Pod manifests in a folder, or behind
// a URL, that the kubelet runs without anyone creating them through the API. Each becomes
// a mirror pod in the API (annotation kubernetes.io/config.mirror, owned by the Node), so
// `kubectl get pods` shows it. The kubelet runs the mirror pod it made; deleting the
// manifest deletes it, changing the manifest replaces it, and a mirror pod deleted by
// someone else comes back.
namespace ukube::kubelet {

// A manifest as the kubelet runs it: named <name>-<node>, in "default" unless it says,
// bound to the node, tolerating every NoExecute taint, with a UID and
// kubernetes.io/config.hash derived from the node, the source and the content.
// `source_kind` is "file" or "http"; `source` the path or URL.
boost::json::object static_pod(boost::json::object manifest, const std::string& node_name,
                               const std::string& source_kind, const std::string& source);

// The mirror pod of a static pod: the same pod with kubernetes.io/config.mirror and a
// controller owner reference to the Node, as NodeRestriction admits from a kubelet.
boost::json::object mirror_pod(const boost::json::object& static_pod, const std::string& node_uid);

// Pods in a manifest text (YAML or JSON; a Pod, or a PodList / List of them). Throws
// std::runtime_error naming `source` and what is wrong.
std::vector<boost::json::object> manifest_pods(const std::string& text, const std::string& source);

class StaticPods {
 public:
  // `folder` (created when missing) and `url` may be empty.
  StaticPods(std::string node_name, std::string folder, std::string url, std::shared_ptr<Client> client,
             std::shared_ptr<Informer> pods, std::shared_ptr<spdlog::logger> log);
  ~StaticPods();
  StaticPods(const StaticPods&) = delete;
  StaticPods& operator=(const StaticPods&) = delete;

  // Re-reads the sources every 20 s and at once when the folder changes, and keeps the
  // mirror pods in line with them.
  void tick(std::chrono::steady_clock::time_point now);

 private:
  std::vector<boost::json::object> read_sources();
  void sync_mirrors();
  void warn_once(const std::string& key, const std::string& message);

  std::string node_name_, folder_, url_;
  std::shared_ptr<Client> client_;
  std::shared_ptr<Informer> pods_;
  std::shared_ptr<spdlog::logger> log_;
  int inotify_ = -1;
  std::chrono::steady_clock::time_point next_read_{};
  std::map<std::string, boost::json::object> desired_;  // mirror pods by namespace/name
  std::set<std::string> made_;                          // mirror pods this kubelet may own
  std::string node_uid_;
  std::map<std::string, std::string> warned_;  // by mirror pod: the problem last logged
  bool swept_ = false;                         // stale mirror pods of this node from before a restart removed
};

}  // namespace ukube::kubelet
