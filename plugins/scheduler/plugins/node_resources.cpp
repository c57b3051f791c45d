// NodeResourcesFit (requests against allocatable and the pod count, scored by the
// configured strategy) and NodeResourcesBalancedAllocation (prefers nodes whose cpu and
// memory use stay even).
#include <algorithm>
#include <cmath>

#include "plugins/args.h"
#include "plugins/event_registration.h"
#include "plugins/resource_plugins.h"
#include "plugins/resource_scoring.h"

namespace ukube::scheduler {
namespace {

class NodeResourcesFit final : public FilterPlugin, public ScorePlugin, public EnqueueExtensions {
 public:
  NodeResourcesFit(ScoringStrategy strategy, std::vector<std::string> ignored,
                   std::vector<std::string> ignored_groups)
      : strategy_(std::move(strategy)),
        ignored_(std::move(ignored)),
        ignored_groups_(std::move(ignored_groups)) {}
  std::string name() const override { return "NodeResourcesFit"; }

  // Room appears when a pod leaves or shrinks, or on a new or bigger node.
  std::vector<ClusterEventWithHint> events_to_register() const override {
    return {on(EventResource::AssignedPod, action::Delete | action::UpdatePodScaleDown),
            on(EventResource::Node, action::Add | action::UpdateNodeAllocatable,
               when_node([this](const PodInfo& pod, const NodeInfo& node) { return fits(pod, node); }))};
  }

  Status filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) override {
    return check(pod, node);
  }

  Status score(const CycleState&, const PodInfo& pod, const NodeInfo& node, int64_t& score) override {
    score = score_node(strategy_, node, pod);
    return {};
  }

 private:
  bool fits(const PodInfo& pod, const NodeInfo& node) const { return check(pod, node).ok(); }

  Status check(const PodInfo& pod, const NodeInfo& node) const {
    std::vector<std::string> reasons;
    if (static_cast<int64_t>(node.pods.size()) + 1 > node.allocatable.pods)
      reasons.emplace_back("Too many pods");
    const Resources& want = pod.requests;
    const Resources& used = node.requested;
    const Resources& have = node.allocatable;
    if (want.milli_cpu > 0 && want.milli_cpu > have.milli_cpu - used.milli_cpu)
      reasons.emplace_back("Insufficient cpu");
    if (want.memory > 0 && want.memory > have.memory - used.memory)
      reasons.emplace_back("Insufficient memory");
    if (want.ephemeral_storage > 0 &&
        want.ephemeral_storage > have.ephemeral_storage - used.ephemeral_storage)
      reasons.emplace_back("Insufficient ephemeral-storage");
    for (const auto& [name, amount] : want.scalars) {
      if (amount == 0 || ignored(name)) continue;
      if (amount > have.scalar(name) - used.scalar(name)) reasons.push_back("Insufficient " + name);
    }
    if (reasons.empty()) return {};
    return Status(Code::Unschedulable, std::move(reasons));
  }

  bool ignored(const std::string& name) const {
    if (std::find(ignored_.begin(), ignored_.end(), name) != ignored_.end()) return true;
    auto slash = name.find('/');
    return slash != std::string::npos && std::find(ignored_groups_.begin(), ignored_groups_.end(),
                                                   name.substr(0, slash)) != ignored_groups_.end();
  }
  ScoringStrategy strategy_;
  std::vector<std::string> ignored_;
  std::vector<std::string> ignored_groups_;
};

class BalancedAllocation final : public PreScorePlugin, public ScorePlugin {
 public:
  explicit BalancedAllocation(const std::vector<std::string>& resources) {
    for (const auto& r : resources) resources_.emplace_back(r);
  }
  std::string name() const override { return "NodeResourcesBalancedAllocation"; }

  Status pre_score(CycleState&, const PodInfo& pod, std::span<const NodeInfo* const>) override {
    return pod.has_requests ? Status() : Status::skip();
  }

  Status score(const CycleState&, const PodInfo& pod, const NodeInfo& node, int64_t& score) override {
    double fractions[8];
    size_t n = 0;
    for (const auto& r : resources_) {
      int64_t capacity = allocatable_of(node, r);
      if (capacity == 0 || n == 8) continue;
      double f = static_cast<double>(requested_with(node, pod, r, true)) / static_cast<double>(capacity);
      fractions[n++] = std::min(f, 1.0);
    }
    double deviation = 0;
    if (n == 2) {
      deviation = std::abs((fractions[0] - fractions[1]) / 2);
    } else if (n > 2) {
      double mean = 0;
      for (size_t i = 0; i < n; ++i) mean += fractions[i];
      mean /= static_cast<double>(n);
      double var = 0;
      for (size_t i = 0; i < n; ++i) var += (fractions[i] - mean) * (fractions[i] - mean);
      deviation = std::sqrt(var / static_cast<double>(n));
    }
    score = static_cast<int64_t>((1 - deviation) * static_cast<double>(kMaxNodeScore));
    return {};
  }

 private:
  std::vector<ResourceWeight> resources_;
};

std::vector<std::string> string_list(const boost::json::object& args, const char* key) {
  std::vector<std::string> out;
  if (const auto* v = args.if_contains(key)) {
    if (!v->is_array()) throw std::invalid_argument(std::string("arg \"") + key + "\" must be a list");
    for (const auto& s : v->get_array()) out.emplace_back(s.as_string());
  }
  return out;
}

}  // namespace

FrameworkPluginFactory node_resources_fit_factory() {
  return {
      "NodeResourcesFit", [](const boost::json::object& args, Handle&) -> std::unique_ptr<FrameworkPlugin> {
        check_known_args(args, {"scoringStrategy", "ignoredResources", "ignoredResourceGroups"});
        return std::make_unique<NodeResourcesFit>(parse_scoring_strategy(args.if_contains("scoringStrategy")),
                                                  string_list(args, "ignoredResources"),
                                                  string_list(args, "ignoredResourceGroups"));
      }};
}

FrameworkPluginFactory balanced_allocation_factory() {
  return {"NodeResourcesBalancedAllocation",
          [](const boost::json::object& args, Handle&) -> std::unique_ptr<FrameworkPlugin> {
            check_known_args(args, {"resources"});
            std::vector<std::string> resources{"cpu", "memory"};
            if (const auto* rs = args.if_contains("resources"); rs && rs->is_array()) {
              resources.clear();
              for (const auto& r : rs->get_array())
                resources.emplace_back(r.as_object().at("name").as_string());
            }
            return std::make_unique<BalancedAllocation>(resources);
          }};
}

}  // namespace ukube::scheduler
