// NodeAffinity: nodeSelector and required node affinity filter; preferred terms score.
// Terms that name nodes by metadata.name narrow the candidates at PreFilter.
#include <algorithm>

#include "model/match.h"
#include "plugins/args.h"
#include "plugins/event_registration.h"
#include "plugins/normalize.h"
#include "plugins/simple_plugins.h"

namespace ukube::scheduler {
namespace {

// The node names every required term pins the pod to, if each term has a
// metadata.name In requirement; nullopt when some term allows any node.
std::optional<std::vector<std::string>> pinned_nodes(const NodeAffinity& a) {
  if (!a.has_required || a.required.empty()) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& term : a.required) {
    bool pinned = false;
    for (const auto& f : term.fields)
      if (f.key == "metadata.name" && f.op == SelectorOp::In) {
        names.insert(names.end(), f.values.begin(), f.values.end());
        pinned = true;
      }
    if (!pinned) return std::nullopt;
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

class NodeAffinityPlugin final : public PreFilterPlugin,
                                 public FilterPlugin,
                                 public PreScorePlugin,
                                 public ScorePlugin,
                                 public EnqueueExtensions {
 public:
  std::string name() const override { return "NodeAffinity"; }

  std::vector<ClusterEventWithHint> events_to_register() const override {
    return {on(EventResource::Node, action::Add | action::UpdateNodeLabel,
               when_node(matches_required_node_affinity))};
  }

  Status pre_filter(CycleState&, const PodInfo& pod, PreFilterResult& result) override {
    if (pod.node_selector.empty() && !pod.node_affinity.has_required) return Status::skip();
    if (pod.node_affinity.has_required && pod.node_affinity.required.empty())
      return Status::unresolvable("node(s) didn't match Pod's node affinity/selector");
    if (auto names = pinned_nodes(pod.node_affinity)) {
      result.all_nodes = false;
      result.node_names = std::move(*names);
    }
    return {};
  }

  Status filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) override {
    if (matches_required_node_affinity(pod, node)) return {};
    return Status::unresolvable("node(s) didn't match Pod's node affinity/selector");
  }

  Status pre_score(CycleState&, const PodInfo& pod, std::span<const NodeInfo* const>) override {
    return pod.node_affinity.preferred.empty() ? Status::skip() : Status();
  }

  Status score(const CycleState&, const PodInfo& pod, const NodeInfo& node, int64_t& score) override {
    score = 0;
    for (const auto& p : pod.node_affinity.preferred)
      if (p.weight != 0 && matches(p.term, node.labels, node.name)) score += p.weight;
    return {};
  }

  Status normalize(const CycleState&, const PodInfo&, std::span<NodeScore> scores) override {
    default_normalize(scores, false);
    return {};
  }
};

}  // namespace

FrameworkPluginFactory node_affinity_factory() {
  return {"NodeAffinity", [](const boost::json::object& args, Handle&) -> std::unique_ptr<FrameworkPlugin> {
            check_known_args(args, {});
            return std::make_unique<NodeAffinityPlugin>();
          }};
}

}  // namespace ukube::scheduler
