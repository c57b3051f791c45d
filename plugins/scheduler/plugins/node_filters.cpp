// NodeUnschedulable, NodeName and NodePorts: filters that look at one field of the node.
#include "model/match.h"
#include "plugins/args.h"
#include "plugins/event_registration.h"
#include "plugins/simple_plugins.h"

namespace ukube::scheduler {
namespace {

// Pods that tolerate the cordon taint (DaemonSet pods) may still land on a cordoned node.
bool unschedulable_allows(const PodInfo& pod, const NodeInfo& node) {
  static const Taint cordon{"node.kubernetes.io/unschedulable", "", TaintEffect::NoSchedule};
  return !node.unschedulable || tolerates(pod.tolerations, cordon);
}

class NodeUnschedulable final : public FilterPlugin, public EnqueueExtensions {
 public:
  std::string name() const override { return "NodeUnschedulable"; }
  Status filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) override {
    if (unschedulable_allows(pod, node)) return {};
    return Status::unresolvable("node(s) were unschedulable");
  }
  std::vector<ClusterEventWithHint> events_to_register() const override {
    return {on(EventResource::Node, action::Add | action::UpdateNodeTaint, when_node(unschedulable_allows))};
  }
};

class NodeName final : public FilterPlugin, public EnqueueExtensions {
 public:
  std::string name() const override { return "NodeName"; }
  std::vector<ClusterEventWithHint> events_to_register() const override {
    return {on(EventResource::Node, action::Add, when_node([](const PodInfo& pod, const NodeInfo& node) {
                 return pod.node_name.empty() || pod.node_name == node.name;
               }))};
  }
  Status filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) override {
    if (pod.node_name.empty() || pod.node_name == node.name) return {};
    return Status::unresolvable("node(s) didn't match the requested node name");
  }
};

bool ports_conflict(const HostPort& a, const HostPort& b) {
  if (a.port != b.port || a.protocol != b.protocol) return false;
  auto any = [](const std::string& ip) { return ip.empty() || ip == "0.0.0.0" || ip == "::"; };
  return any(a.ip) || any(b.ip) || a.ip == b.ip;
}

class NodePorts final : public PreFilterPlugin, public FilterPlugin, public EnqueueExtensions {
 public:
  std::string name() const override { return "NodePorts"; }
  // Ports free up when a pod leaves; a new node has all of them.
  std::vector<ClusterEventWithHint> events_to_register() const override {
    return {on(EventResource::AssignedPod, action::Delete),
            on(EventResource::Node, action::Add | action::Update)};
  }
  Status pre_filter(CycleState&, const PodInfo& pod, PreFilterResult&) override {
    return pod.host_ports.empty() ? Status::skip() : Status();
  }
  Status filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) override {
    for (const auto& want : pod.host_ports)
      for (const auto& used : node.used_ports)
        if (ports_conflict(want, used))
          return Status::unschedulable("node(s) didn't have free ports for the requested pod ports");
    return {};
  }
};

template <class T>
FrameworkPluginFactory no_args(const char* name) {
  return {name, [](const boost::json::object& args, Handle&) -> std::unique_ptr<FrameworkPlugin> {
            check_known_args(args, {});
            return std::make_unique<T>();
          }};
}

}  // namespace

FrameworkPluginFactory node_unschedulable_factory() {
  return no_args<NodeUnschedulable>("NodeUnschedulable");
}
FrameworkPluginFactory node_name_factory() {
  return no_args<NodeName>("NodeName");
}
FrameworkPluginFactory node_ports_factory() {
  return no_args<NodePorts>("NodePorts");
}

}  // namespace ukube::scheduler
