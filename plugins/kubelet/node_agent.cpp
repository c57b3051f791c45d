#include "node_agent.h"

#include <spdlog/spdlog.h>

namespace ukube::kubelet {

NodeAgent::NodeAgent(NodeAgentDeps deps)
    : deps_(std::move(deps)),
      view_(*deps_.driver),
      reporter_(deps_.node_name, *deps_.settings, *deps_.machine, deps_.driver, deps_.client, deps_.log),
      pods_(PodWorkerDeps{deps_.node_name, deps_.settings->node_ip, deps_.logs_root, deps_.driver, &view_,
                          deps_.client, deps_.pods, deps_.events, deps_.prober, deps_.log,
                          deps_.volumes_root}) {}

NodeAgent::~NodeAgent() {
  stop();
}

void NodeAgent::start() {
  if (!deps_.static_pod_path.empty() || !deps_.static_pod_url.empty())
    static_pods_ = std::make_unique<StaticPods>(deps_.node_name, deps_.static_pod_path, deps_.static_pod_url,
                                                deps_.client, deps_.pods, deps_.log);
  // The handler runs on a driver thread: it only looks the pod up and queues it.
  subscription_ = deps_.driver->subscribe([this](const runtime::ContainerEvent& event) {
    PodKey key = view_.pod_of_sandbox(event.pod_sandbox_id);
    if (!key.empty()) deps_.enqueue(key);
  });
}

void NodeAgent::stop() {
  if (subscription_) deps_.driver->unsubscribe(*subscription_);
  subscription_.reset();
}

void NodeAgent::tick(std::chrono::steady_clock::time_point now) {
  reporter_.tick(now);
  if (static_pods_) static_pods_->tick(now);
  if (now < next_relist_) return;
  next_relist_ = now + deps_.settings->relist;
  try {
    for (const auto& key : view_.relist()) deps_.enqueue(key);
  } catch (const std::exception& e) {
    deps_.log->warn("node {}: listing the runtime's containers failed: {}; retrying", deps_.node_name,
                    e.what());
    next_relist_ = now + std::chrono::seconds(1);
  }
}

}  // namespace ukube::kubelet
