// PodTopologySpread: DoNotSchedule constraints filter nodes whose domain would exceed
// maxSkew over the least loaded domain; ScheduleAnyway constraints score nodes by how
// many matching pods their domain already has. Pods that declare no constraints get the
// configured default ones (spread_args.h), counting the pods selected by the same
// Services and controller (default_selector.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <unordered_map>

#include "model/match.h"
#include "plugins/affinity_plugins.h"
#include "plugins/default_selector.h"
#include "plugins/event_registration.h"
#include "plugins/spread_args.h"
#include "plugins/topology_index.h"

namespace ukube::scheduler {
namespace {

constexpr const char* kSpreadName = "PodTopologySpread";
constexpr const char* kHostname = "kubernetes.io/hostname";

// A constraint as the plugin applies it. A pod's own constraints point at their selector
// in the pod; default ones share the selector derived for the pod, which `derived` keeps
// alive as long as any copy of the cycle state does.
struct Constraint {
  int32_t max_skew = 1;
  std::string topology_key;
  int32_t min_domains = 1;
  bool honor_node_affinity = true;
  bool honor_node_taints = false;
  const LabelSelector* selector = nullptr;
  std::shared_ptr<const LabelSelector> derived;

  bool selects(const PodInfo& other) const { return selector && matches(*selector, other.labels); }
};

Constraint applied(const TopologySpreadConstraint& c, const LabelSelector* selector) {
  Constraint k;
  k.max_skew = c.max_skew;
  k.topology_key = c.topology_key;
  k.min_domains = c.min_domains;
  k.honor_node_affinity = c.honor_node_affinity;
  k.honor_node_taints = c.honor_node_taints;
  k.selector = selector;
  return k;
}

std::vector<Constraint> constraints_of(const PodInfo& pod, bool hard) {
  std::vector<Constraint> out;
  for (const auto& c : pod.spread)
    if (c.hard == hard) out.push_back(applied(c, &c.selector));
  return out;
}

bool eligible(const Constraint& c, const PodInfo& pod, const NodeInfo& node) {
  if (!node.labels.has(c.topology_key)) return false;
  if (c.honor_node_affinity && !matches_required_node_affinity(pod, node)) return false;
  if (c.honor_node_taints && untolerated_hard_taint(pod.tolerations, node)) return false;
  return true;
}

int32_t count_matching(const Constraint& c, const std::string& ns, const NodeInfo& node) {
  int32_t n = 0;
  for (const auto& p : node.pods)
    if (!p->terminating && p->ns == ns && c.selects(*p)) ++n;
  return n;
}

// Identifies what a constraint counts (namespace and selector), for the per-node count
// cache below.
std::string fingerprint(const Constraint& c, const std::string& ns) {
  std::string f = ns;
  if (c.selector) {
    if (c.selector->nothing) f += "\n!";
    for (const auto& r : c.selector->requirements) {
      f += "\n" + r.key + "\t" + std::to_string(static_cast<int>(r.op));
      for (const auto& v : r.values) f += "\t" + v;
    }
  }
  return f;
}

// Matching pods per node for one (namespace, selector), kept across cycles: a node is
// recounted only when its generation moved, so a cycle costs one comparison per node
// instead of a label match per pod in the cluster.
class MatchCounts {
 public:
  struct Counts {
    std::vector<int32_t> count;
    std::vector<uint64_t> generation;  // 0: not counted yet (nodes start at 1)
  };
  // Drops everything when node indices moved (or too many selectors piled up); only
  // here, so references from get() stay valid for the rest of the cycle.
  void begin_cycle(const Snapshot& snap) {
    if (snap.topology_version() != version_ || cache_.size() > 64) {
      cache_.clear();
      version_ = snap.topology_version();
    }
  }
  Counts& get(const Snapshot& snap, const std::string& key) {
    Counts& c = cache_[key];
    c.count.resize(snap.nodes().size(), 0);
    c.generation.resize(snap.nodes().size(), 0);
    return c;
  }
  static int32_t count(Counts& c, const Constraint& k, const std::string& ns, const NodeInfo& node) {
    if (c.generation[node.index] != node.generation) {
      c.count[node.index] = count_matching(k, ns, node);
      c.generation[node.index] = node.generation;
    }
    return c.count[node.index];
  }

 private:
  uint64_t version_ = 0;
  std::unordered_map<std::string, Counts> cache_;
};

struct SpreadFilterState final : StateData {
  struct Entry {
    Constraint c;
    const TopologyIndex::Key* index = nullptr;
    MatchCounts::Counts* cached = nullptr;  // valid during PreFilter only
    std::vector<int32_t> counts;            // matching pods per domain
    std::vector<uint8_t> eligible;          // the domain has an eligible node
    int32_t domains = 0;
    int32_t min_match = 0;
    bool self_match = false;
  };
  std::vector<Entry> entries;
  std::vector<uint8_t> node_eligible;  // by node index

  std::unique_ptr<StateData> clone() const override { return std::make_unique<SpreadFilterState>(*this); }

  void recompute_min() {
    for (auto& e : entries) {
      int32_t min = std::numeric_limits<int32_t>::max();
      for (size_t d = 0; d < e.counts.size(); ++d)
        if (e.eligible[d]) min = std::min(min, e.counts[d]);
      if (min == std::numeric_limits<int32_t>::max()) min = 0;
      // Too few domains: the missing ones count as empty.
      if (e.domains < e.c.min_domains) min = 0;
      e.min_match = min;
    }
  }
};

struct SpreadScoreState final : StateData {
  struct Entry {
    Constraint c;
    const TopologyIndex::Key* index = nullptr;
    std::vector<int32_t> counts;
    double weight = 0;
  };
  std::vector<Entry> entries;
  // Pods' own constraints need every key on a node; default ones score what is there.
  bool require_all = true;
  std::unique_ptr<StateData> clone() const override { return std::make_unique<SpreadScoreState>(*this); }
};

class PodTopologySpread final : public PreFilterPlugin,
                                public PreFilterExtensions,
                                public FilterPlugin,
                                public PreScorePlugin,
                                public ScorePlugin,
                                public EnqueueExtensions {
 public:
  PodTopologySpread(Handle& handle, SpreadArgs args) : handle_(handle), args_(std::move(args)) {}
  std::string name() const override { return kSpreadName; }

  // Skew moves as matching pods come, go or change labels, and as nodes (domains) come,
  // go, or change labels or taints (which decide whether a node counts).
  std::vector<ClusterEventWithHint> events_to_register() const override {
    return {on(EventResource::AssignedPod, action::All),
            on(EventResource::Node,
               action::Add | action::Delete | action::UpdateNodeLabel | action::UpdateNodeTaint)};
  }

  Status pre_filter(CycleState& state, const PodInfo& pod, PreFilterResult&) override {
    auto cs = pod.spread.empty() ? default_constraints(pod, true) : constraints_of(pod, true);
    if (cs.empty()) return Status::skip();
    const Snapshot& snap = handle_.snapshot();
    matches_.begin_cycle(snap);
    auto s = std::make_unique<SpreadFilterState>();
    s->node_eligible.assign(snap.nodes().size(), 0);
    for (auto& c : cs) {
      SpreadFilterState::Entry e;
      e.index = &index_.get(snap, c.topology_key);
      e.counts.assign(e.index->values.size(), 0);
      e.eligible.assign(e.index->values.size(), 0);
      e.self_match = c.selects(pod);
      e.cached = &matches_.get(snap, fingerprint(c, pod.ns));
      e.c = c;
      s->entries.push_back(std::move(e));
    }
    // Label presence comes from the domain index; affinity and taints are only looked at
    // when the pod has any, which keeps this per-node loop to a few array reads.
    const bool affinity = !pod.node_selector.empty() || pod.node_affinity.has_required;
    for (const NodeInfo* node : snap.nodes()) {
      bool ok = true;
      for (const auto& e : s->entries) {
        if (e.index->domain_of_node[node->index] < 0 ||
            (affinity && e.c.honor_node_affinity && !matches_required_node_affinity(pod, *node)) ||
            (e.c.honor_node_taints && untolerated_hard_taint(pod.tolerations, *node))) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      s->node_eligible[node->index] = 1;
      for (auto& e : s->entries) {
        int32_t d = e.index->domain_of_node[node->index];
        if (!e.eligible[d]) {
          e.eligible[d] = 1;
          ++e.domains;
        }
        if (!node->pods.empty()) e.counts[d] += MatchCounts::count(*e.cached, e.c, pod.ns, *node);
      }
    }
    s->recompute_min();
    state.write(kSpreadName, std::move(s));
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
    auto* s = state.get<SpreadFilterState>(kSpreadName);
    if (!s) return {};
    for (const auto& e : s->entries) {
      int32_t d = node.index >= 0 && node.index < static_cast<int32_t>(e.index->domain_of_node.size())
                      ? e.index->domain_of_node[node.index]
                      : -1;
      if (d < 0)
        return Status::unresolvable(
            "node(s) didn't match pod topology spread constraints (missing required label)");
      int32_t skew = e.counts[d] + (e.self_match ? 1 : 0) - e.min_match;
      if (skew > e.c.max_skew)
        return Status::unschedulable("node(s) didn't match pod topology spread constraints");
    }
    return {};
  }

  Status pre_score(CycleState& state, const PodInfo& pod,
                   std::span<const NodeInfo* const> feasible) override {
    auto cs = pod.spread.empty() ? default_constraints(pod, false) : constraints_of(pod, false);
    if (cs.empty()) return Status::skip();
    const Snapshot& snap = handle_.snapshot();
    matches_.begin_cycle(snap);
    auto s = std::make_unique<SpreadScoreState>();
    // Only the built-in defaults let a node lacking a key score on the keys it has.
    s->require_all = !pod.spread.empty() || !args_.system_defaulted;
    for (auto& c : cs) {
      SpreadScoreState::Entry e;
      e.c = std::move(c);
      s->entries.push_back(std::move(e));
    }
    std::vector<uint8_t> in_feasible;
    for (auto& e : s->entries) {
      e.index = &index_.get(snap, e.c.topology_key);
      e.counts.assign(e.index->values.size(), 0);
      in_feasible.assign(e.index->values.size(), 0);
      int32_t domains = 0;
      for (const NodeInfo* n : feasible) {
        int32_t d = e.index->domain_of_node[n->index];
        if (d >= 0 && !in_feasible[d]) {
          in_feasible[d] = 1;
          ++domains;
        }
      }
      // Hostname domains are single nodes: only the feasible ones matter.
      const bool hostname = e.c.topology_key == kHostname;
      MatchCounts::Counts& cached = matches_.get(snap, fingerprint(e.c, pod.ns));
      auto count_node = [&](const NodeInfo& n) {
        int32_t d = e.index->domain_of_node[n.index];
        if (d < 0 || !in_feasible[d] || n.pods.empty()) return;
        if (!eligible(e.c, pod, n)) return;
        e.counts[d] += MatchCounts::count(cached, e.c, pod.ns, n);
      };
      if (hostname)
        for (const NodeInfo* n : feasible) count_node(*n);
      else
        for (const NodeInfo* n : snap.nodes()) count_node(*n);
      e.weight = std::log(static_cast<double>(domains + 2));
    }
    state.write(std::string(kSpreadName) + "/score", std::move(s));
    return {};
  }

  Status score(const CycleState& state, const PodInfo&, const NodeInfo& node, int64_t& score) override {
    score = 0;
    auto* s = state.get<SpreadScoreState>(std::string(kSpreadName) + "/score");
    if (!s) return {};
    double total = 0;
    for (const auto& e : s->entries) {
      int32_t d = e.index->domain_of_node[node.index];
      if (d < 0) {
        if (!s->require_all) continue;
        score = kIgnored;
        return {};
      }
      total += e.counts[d] * e.weight + (e.c.max_skew - 1);
    }
    score = static_cast<int64_t>(std::llround(total));
    return {};
  }

  Status normalize(const CycleState&, const PodInfo&, std::span<NodeScore> scores) override {
    int64_t min = std::numeric_limits<int64_t>::max(), max = 0;
    for (const auto& s : scores) {
      if (s.score == kIgnored) continue;
      min = std::min(min, s.score);
      max = std::max(max, s.score);
    }
    for (auto& s : scores) {
      if (s.score == kIgnored) {
        s.score = 0;
      } else if (max == 0) {
        s.score = kMaxNodeScore;
      } else {
        s.score = kMaxNodeScore * (max + min - s.score) / max;
      }
    }
    return {};
  }

 private:
  static constexpr int64_t kIgnored = -1;  // a feasible node lacking a topology label

  // The default constraints of one kind for a pod that declares none. The selector is
  // derived only when some default of that kind exists, and an empty one means nothing
  // selects the pod: then no default applies.
  std::vector<Constraint> default_constraints(const PodInfo& pod, bool hard) const {
    std::vector<Constraint> out;
    if (std::none_of(args_.defaults.begin(), args_.defaults.end(),
                     [&](const auto& d) { return d.hard == hard; }))
      return out;
    auto selector = std::make_shared<const LabelSelector>(default_selector(pod, handle_.listers()));
    if (selector->requirements.empty()) return out;
    for (const auto& d : args_.defaults) {
      if (d.hard != hard) continue;
      out.push_back(applied(d, selector.get()));
      out.back().derived = selector;
    }
    return out;
  }

  Status adjust(CycleState& state, const PodInfo& pod, const PodInfo& other, const NodeInfo& node,
                int32_t delta) {
    auto* s = state.get<SpreadFilterState>(kSpreadName);
    if (!s || other.ns != pod.ns || node.index < 0 || !s->node_eligible[node.index]) return {};
    for (auto& e : s->entries) {
      int32_t d = e.index->domain_of_node[node.index];
      if (d >= 0 && e.c.selects(other)) e.counts[d] += delta;
    }
    s->recompute_min();
    return {};
  }

  Handle& handle_;
  SpreadArgs args_;
  TopologyIndex index_;
  MatchCounts matches_;
};

}  // namespace

FrameworkPluginFactory pod_topology_spread_factory() {
  return {kSpreadName, [](const boost::json::object& args, Handle& h) -> std::unique_ptr<FrameworkPlugin> {
            return std::make_unique<PodTopologySpread>(h, parse_spread_args(args));
          }};
}

}  // namespace ukube::scheduler
