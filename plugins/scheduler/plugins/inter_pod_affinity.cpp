// InterPodAffinity: required (anti-)affinity of the incoming pod and required
// anti-affinity of the pods already running filter nodes by topology domain; preferred
// terms on both sides score them.
#include <algorithm>
#include <limits>

#include "model/match.h"
#include "plugins/affinity_plugins.h"
#include "plugins/args.h"
#include "plugins/event_registration.h"
#include "plugins/topology_index.h"

namespace ukube::scheduler {
namespace {

constexpr const char* kName = "InterPodAffinity";
const std::string kScoreKey = std::string(kName) + "/score";

// Counts per domain of one topology key.
struct DomainCounts {
  std::string key;
  const TopologyIndex::Key* index = nullptr;
  std::vector<int64_t> counts;
};

DomainCounts& counts_for(std::vector<DomainCounts>& all, TopologyIndex& idx, const Snapshot& snap,
                         const std::string& key) {
  for (auto& c : all)
    if (c.key == key) return c;
  DomainCounts c;
  c.key = key;
  c.index = &idx.get(snap, key);
  c.counts.assign(c.index->values.size(), 0);
  all.push_back(std::move(c));
  return all.back();
}

void bump(DomainCounts& c, const NodeInfo& node, int64_t delta) {
  if (node.index < 0 || node.index >= static_cast<int32_t>(c.index->domain_of_node.size())) return;
  int32_t d = c.index->domain_of_node[node.index];
  if (d >= 0) c.counts[d] += delta;
}

int64_t value_at(const DomainCounts& c, const NodeInfo& node) {
  if (node.index < 0 || node.index >= static_cast<int32_t>(c.index->domain_of_node.size())) return 0;
  int32_t d = c.index->domain_of_node[node.index];
  return d >= 0 ? c.counts[d] : 0;
}

struct FilterState final : StateData {
  std::vector<DomainCounts> existing_anti;  // domains where a running pod repels the incoming one
  std::vector<DomainCounts> affinity;       // per incoming required affinity term, in order
  std::vector<DomainCounts> anti;           // per incoming required anti-affinity term
  int64_t affinity_matches = 0;             // pods matching all affinity terms anywhere
  std::unique_ptr<StateData> clone() const override { return std::make_unique<FilterState>(*this); }
};

struct ScoreState final : StateData {
  std::vector<DomainCounts> scores;
  std::unique_ptr<StateData> clone() const override { return std::make_unique<ScoreState>(*this); }
};

class InterPodAffinity final : public PreFilterPlugin,
                               public PreFilterExtensions,
                               public FilterPlugin,
                               public PreScorePlugin,
                               public ScorePlugin,
                               public EnqueueExtensions {
 public:
  InterPodAffinity(Handle& handle, int64_t hard_weight) : handle_(handle), hard_weight_(hard_weight) {}
  std::string name() const override { return kName; }

  // Pods arriving, leaving or relabelled change what terms match; node labels change
  // the topology domains.
  std::vector<ClusterEventWithHint> events_to_register() const override {
    return {on(EventResource::AssignedPod, action::All),
            on(EventResource::Node, action::Add | action::UpdateNodeLabel)};
  }

  Status pre_filter(CycleState& state, const PodInfo& pod, PreFilterResult&) override {
    const Snapshot& snap = handle_.snapshot();
    if (pod.affinity.required.empty() && pod.anti_affinity.required.empty() &&
        snap.with_required_anti_affinity().empty())
      return Status::skip();
    auto s = std::make_unique<FilterState>();
    // Per term so that each term's own topology key is counted.
    for (const auto& t : pod.affinity.required) {
      DomainCounts c;
      c.key = t.topology_key;
      c.index = &index_.get(snap, t.topology_key);
      c.counts.assign(c.index->values.size(), 0);
      s->affinity.push_back(std::move(c));
    }
    for (const auto& t : pod.anti_affinity.required) {
      DomainCounts c;
      c.key = t.topology_key;
      c.index = &index_.get(snap, t.topology_key);
      c.counts.assign(c.index->values.size(), 0);
      s->anti.push_back(std::move(c));
    }
    // Namespace labels are only needed for terms with a namespace selector: look them up
    // once, not per existing pod.
    const Labels* pod_ns = snap.namespace_labels(pod.ns);
    for (const NodeInfo* node : snap.with_required_anti_affinity())
      for (const auto& existing : node->pods) add_existing_anti(*s, pod, pod_ns, *existing, *node, 1);
    if (!pod.affinity.required.empty() || !pod.anti_affinity.required.empty()) {
      const bool ns_selectors =
          has_namespace_selector(pod.affinity.required) || has_namespace_selector(pod.anti_affinity.required);
      for (const NodeInfo* node : snap.nodes())
        for (const auto& existing : node->pods)
          add_incoming_terms(*s, pod, ns_selectors ? snap.namespace_labels(existing->ns) : nullptr, *existing,
                             *node, 1);
    }
    state.write(kName, std::move(s));
    return {};
  }

  PreFilterExtensions* extensions() override { return this; }
  Status add_pod(CycleState& state, const PodInfo& pod, const PodInfo& added, const NodeInfo& node) override {
    return adjust(state, pod, added, node, 1);
  }
  Status remove_pod(CycleState& state, const PodInfo& pod, const PodInfo& removed,
                    const NodeInfo& node) override {
    return adjust(state, pod, removed, node, -1);
  }

  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) override {
    auto* s = state.get<FilterState>(kName);
    if (!s) return {};
    // Checked in upstream's order, so the reported reason is the same.
    if (!s->affinity.empty()) {
      bool ok = true;
      for (size_t i = 0; i < s->affinity.size(); ++i)
        if (!node.labels.has(s->affinity[i].key) || value_at(s->affinity[i], node) <= 0) ok = false;
      if (!ok) {
        // The first pod of a group that selects itself may go anywhere its keys exist.
        bool self = s->affinity_matches == 0;
        for (const auto& t : pod.affinity.required)
          self = self && node.labels.has(t.topology_key) &&
                 term_matches_pod(t, pod.ns, pod, handle_.snapshot().namespace_labels(pod.ns));
        if (!self) return Status::unresolvable("node(s) didn't match pod affinity rules");
      }
    }
    for (const auto& c : s->anti)
      if (value_at(c, node) > 0) return Status::unschedulable("node(s) didn't match pod anti-affinity rules");
    for (const auto& c : s->existing_anti)
      if (value_at(c, node) > 0)
        return Status::unschedulable("node(s) didn't satisfy existing pods anti-affinity rules");
    return {};
  }

  Status pre_score(CycleState& state, const PodInfo& pod, std::span<const NodeInfo* const>) override {
    const Snapshot& snap = handle_.snapshot();
    const bool incoming = !pod.affinity.preferred.empty() || !pod.anti_affinity.preferred.empty();
    if (!incoming && snap.with_pod_affinity().empty()) return Status::skip();
    auto s = std::make_unique<ScoreState>();
    const Labels* pod_ns = snap.namespace_labels(pod.ns);
    const bool ns_selectors =
        has_namespace_selector(pod.affinity.preferred) || has_namespace_selector(pod.anti_affinity.preferred);
    auto score_node = [&](const NodeInfo& node) {
      for (const auto& existing : node.pods) {
        const Labels* ex_ns = ns_selectors ? snap.namespace_labels(existing->ns) : nullptr;
        for (const auto& t : pod.affinity.preferred)
          if (term_matches_pod(t, pod.ns, *existing, ex_ns)) add(*s, snap, t.topology_key, node, t.weight);
        for (const auto& t : pod.anti_affinity.preferred)
          if (term_matches_pod(t, pod.ns, *existing, ex_ns)) add(*s, snap, t.topology_key, node, -t.weight);
        if (hard_weight_ > 0)
          for (const auto& t : existing->affinity.required)
            if (term_matches_pod(t, existing->ns, pod, pod_ns))
              add(*s, snap, t.topology_key, node, hard_weight_);
        for (const auto& t : existing->affinity.preferred)
          if (term_matches_pod(t, existing->ns, pod, pod_ns)) add(*s, snap, t.topology_key, node, t.weight);
        for (const auto& t : existing->anti_affinity.preferred)
          if (term_matches_pod(t, existing->ns, pod, pod_ns)) add(*s, snap, t.topology_key, node, -t.weight);
      }
    };
    if (incoming)
      for (const NodeInfo* n : snap.nodes()) score_node(*n);
    else
      for (const NodeInfo* n : snap.with_pod_affinity()) score_node(*n);
    if (s->scores.empty()) return Status::skip();
    state.write(kScoreKey, std::move(s));
    return {};
  }

  Status score(const CycleState& state, const PodInfo&, const NodeInfo& node, int64_t& score) override {
    score = 0;
    auto* s = state.get<ScoreState>(kScoreKey);
    if (!s) return {};
    for (const auto& c : s->scores) score += value_at(c, node);
    return {};
  }

  Status normalize(const CycleState&, const PodInfo&, std::span<NodeScore> scores) override {
    int64_t min = std::numeric_limits<int64_t>::max(), max = std::numeric_limits<int64_t>::min();
    for (const auto& s : scores) {
      min = std::min(min, s.score);
      max = std::max(max, s.score);
    }
    const int64_t diff = max - min;
    for (auto& s : scores)
      s.score = diff > 0
                    ? static_cast<int64_t>(static_cast<double>(kMaxNodeScore) *
                                           static_cast<double>(s.score - min) / static_cast<double>(diff))
                    : 0;
    return {};
  }

 private:
  void add(ScoreState& s, const Snapshot& snap, const std::string& key, const NodeInfo& node, int64_t w) {
    if (w == 0 || !node.labels.has(key)) return;
    bump(counts_for(s.scores, index_, snap, key), node, w);
  }

  static bool has_namespace_selector(const std::vector<PodAffinityTerm>& terms) {
    for (const auto& t : terms)
      if (t.namespace_selector) return true;
    return false;
  }

  void add_existing_anti(FilterState& s, const PodInfo& pod, const Labels* pod_ns, const PodInfo& existing,
                         const NodeInfo& node, int64_t delta) {
    if (existing.anti_affinity.required.empty()) return;
    for (const auto& t : existing.anti_affinity.required)
      if (node.labels.has(t.topology_key) && term_matches_pod(t, existing.ns, pod, pod_ns))
        bump(counts_for(s.existing_anti, index_, handle_.snapshot(), t.topology_key), node, delta);
  }

  void add_incoming_terms(FilterState& s, const PodInfo& pod, const Labels* ex_ns, const PodInfo& existing,
                          const NodeInfo& node, int64_t delta) {
    if (!pod.affinity.required.empty()) {
      bool all = true;
      for (size_t i = 0; i < pod.affinity.required.size(); ++i) {
        if (term_matches_pod(pod.affinity.required[i], pod.ns, existing, ex_ns))
          bump(s.affinity[i], node, delta);
        else
          all = false;
      }
      if (all) s.affinity_matches += delta;
    }
    for (size_t i = 0; i < pod.anti_affinity.required.size(); ++i)
      if (term_matches_pod(pod.anti_affinity.required[i], pod.ns, existing, ex_ns))
        bump(s.anti[i], node, delta);
  }

  Status adjust(CycleState& state, const PodInfo& pod, const PodInfo& other, const NodeInfo& node,
                int64_t delta) {
    auto* s = state.get<FilterState>(kName);
    if (!s) return {};
    const Snapshot& snap = handle_.snapshot();
    add_existing_anti(*s, pod, snap.namespace_labels(pod.ns), other, node, delta);
    add_incoming_terms(*s, pod, snap.namespace_labels(other.ns), other, node, delta);
    return {};
  }

  Handle& handle_;
  int64_t hard_weight_;
  TopologyIndex index_;
};

}  // namespace

FrameworkPluginFactory inter_pod_affinity_factory() {
  return {kName, [](const boost::json::object& args, Handle& h) -> std::unique_ptr<FrameworkPlugin> {
            check_known_args(args, {"hardPodAffinityWeight", "ignorePreferredTermsOfExistingPods"});
            int64_t w = int_arg(args, "hardPodAffinityWeight", 1);
            if (w < 0 || w > 100) throw std::invalid_argument("hardPodAffinityWeight must be 0 to 100");
            return std::make_unique<InterPodAffinity>(h, w);
          }};
}

}  // namespace ukube::scheduler
