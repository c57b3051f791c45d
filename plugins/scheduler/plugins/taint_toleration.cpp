// TaintToleration: NoSchedule / NoExecute taints must be tolerated; each untolerated
// PreferNoSchedule taint makes a node less attractive.
#include "model/match.h"
#include "plugins/args.h"
#include "plugins/event_registration.h"
#include "plugins/normalize.h"
#include "plugins/simple_plugins.h"

namespace ukube::scheduler {
namespace {

class TaintToleration final : public FilterPlugin,
                              public PreScorePlugin,
                              public ScorePlugin,
                              public EnqueueExtensions {
 public:
  std::string name() const override { return "TaintToleration"; }

  std::vector<ClusterEventWithHint> events_to_register() const override {
    return {on(EventResource::Node, action::Add | action::UpdateNodeTaint,
               when_node([](const PodInfo& pod, const NodeInfo& node) {
                 return untolerated_hard_taint(pod.tolerations, node) == nullptr;
               }))};
  }

  Status filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) override {
    const Taint* taint = untolerated_hard_taint(pod.tolerations, node);
    if (!taint) return {};
    return Status::unresolvable("node(s) had untolerated taint {" + taint->key + ": " + taint->value + "}");
  }

  Status pre_score(CycleState&, const PodInfo&, std::span<const NodeInfo* const> nodes) override {
    for (const NodeInfo* n : nodes)
      for (const auto& t : n->taints)
        if (t.effect == TaintEffect::PreferNoSchedule) return {};
    return Status::skip();  // no node has a soft taint: every score would be equal
  }

  Status score(const CycleState&, const PodInfo& pod, const NodeInfo& node, int64_t& score) override {
    int64_t count = 0;
    for (const auto& taint : node.taints) {
      if (taint.effect != TaintEffect::PreferNoSchedule) continue;
      bool tolerated = false;
      for (const auto& t : pod.tolerations)
        if ((t.effect == TaintEffect::All || t.effect == TaintEffect::PreferNoSchedule) &&
            tolerates(t, taint))
          tolerated = true;
      if (!tolerated) ++count;
    }
    score = count;
    return {};
  }

  Status normalize(const CycleState&, const PodInfo&, std::span<NodeScore> scores) override {
    default_normalize(scores, true);
    return {};
  }
};

}  // namespace

FrameworkPluginFactory taint_toleration_factory() {
  return {"TaintToleration",
          [](const boost::json::object& args, Handle&) -> std::unique_ptr<FrameworkPlugin> {
            check_known_args(args, {});
            return std::make_unique<TaintToleration>();
          }};
}

}  // namespace ukube::scheduler
