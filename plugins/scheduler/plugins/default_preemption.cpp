// DefaultPreemption (PostFilter): when no node fits, find the node where evicting the
// fewest, least important lower-priority pods makes room, preferring victims whose
// PodDisruptionBudgets allow it; evict them and nominate the node for the pod.
// Lower-priority pods nominated to that node lose their claim to it. The evictions
// (DisruptionTarget condition, delete, Preempted event) run on the writer threads.
#include <algorithm>
#include <boost/json.hpp>
#include <limits>
#include <mutex>
#include <random>
#include <unordered_map>

#include "model/match.h"
#include "model/node_accounting.h"
#include "model/parse.h"
#include "model/resources.h"
#include "plugins/args.h"
#include "plugins/binder_plugins.h"
#include "runtime/fit_error.h"
#include "runtime/pod_writes.h"
#include "ukube/client.h"
#include "ukube/errors.h"
#include "ukube/scheduler/object_lister.h"

namespace ukube::scheduler {
using namespace resources;
namespace {

const char* const kVictimsLeaving = "preemption: not eligible while victims on the nominated node terminate.";

struct Budget {
  LabelSelector selector;
  int64_t allowed = 0;
};

Budget parse_budget(const boost::json::object& pdb) {
  auto field = [&](const char* top, const char* key) -> const boost::json::value* {
    const auto* t = pdb.if_contains(top);
    return t && t->is_object() ? t->get_object().if_contains(key) : nullptr;
  };
  Budget b;
  b.selector = parse_label_selector(field("spec", "selector"));
  const auto* allowed = field("status", "disruptionsAllowed");
  b.allowed = allowed && allowed->is_int64() ? allowed->get_int64() : 0;
  return b;
}

// PodDisruptionBudgets by namespace for one attempt, read from the scheduler's informer
// cache the first time a namespace comes up: preemption never lists them from the server.
class Budgets {
 public:
  explicit Budgets(const ObjectLister* listers) : listers_(listers) {}
  // Stays valid (and at the same address) for the whole attempt.
  const std::vector<Budget>& in(const std::string& ns) {
    auto [it, added] = by_ns_.try_emplace(ns);
    if (added && listers_)
      for (const auto& pdb : listers_->list(kPodDisruptionBudgets, ns))
        it->second.push_back(parse_budget(*pdb));
    return it->second;
  }

 private:
  const ObjectLister* listers_;
  std::unordered_map<std::string, std::vector<Budget>> by_ns_;
};

struct Candidate {
  const NodeInfo* node = nullptr;
  std::vector<PodInfoPtr> victims;
  int violations = 0;
};

std::string creation(const PodInfo& p) {
  const auto* meta = p.object ? p.object->if_contains("metadata") : nullptr;
  const auto* t = meta && meta->is_object() ? meta->get_object().if_contains("creationTimestamp") : nullptr;
  return t && t->is_string() ? std::string(t->get_string()) : std::string();
}

// Higher priority first; among equals the one that started first matters more.
bool more_important(const PodInfoPtr& a, const PodInfoPtr& b) {
  if (a->priority != b->priority) return a->priority > b->priority;
  return creation(*a) < creation(*b);
}

class DefaultPreemption final : public PostFilterPlugin {
 public:
  DefaultPreemption(Handle& handle, int64_t min_pct, int64_t min_abs)
      : handle_(handle), min_pct_(min_pct), min_abs_(min_abs) {}
  std::string name() const override { return "DefaultPreemption"; }

  Status post_filter(CycleState& state, const PodInfo& pod, const NodeStatuses& statuses,
                     PostFilterResult& result) override {
    const Snapshot& snap = handle_.snapshot();
    if (pod.preempt_never)
      return Status::unschedulable("preemption: not eligible due to preemptionPolicy=Never.");
    // Victims of an earlier preemption are still leaving: wait for them rather than
    // evict more. Ours are known before the pod's nominatedNodeName is even written.
    if (still_evicting_for(pod.uid, snap)) return Status::unschedulable(kVictimsLeaving);
    if (!pod.nominated_node.empty())
      if (const NodeInfo* n = snap.find(pod.nominated_node))
        for (const auto& p : n->pods)
          if (p->terminating && p->priority < pod.priority) return Status::unschedulable(kVictimsLeaving);

    const auto& nodes = snap.nodes();
    std::vector<const NodeInfo*> potential;
    std::vector<Status> verdicts(nodes.size());
    for (const NodeInfo* n : nodes) {
      const Status& s = n->index < static_cast<int32_t>(statuses.size()) ? statuses[n->index] : Status();
      if (s.code() == Code::UnschedulableAndUnresolvable)
        verdicts[n->index] = Status::unresolvable("Preemption is not helpful for scheduling");
      else
        potential.push_back(n);
    }

    Budgets budgets(handle_.listers());
    std::vector<Candidate> candidates;
    if (!potential.empty()) {
      const size_t want = std::min(potential.size(), std::max<size_t>(static_cast<size_t>(min_abs_),
                                                                      potential.size() * min_pct_ / 100));
      const size_t offset = rng_() % potential.size();
      for (size_t i = 0; i < potential.size() && candidates.size() < want; ++i) {
        const NodeInfo* n = potential[(offset + i) % potential.size()];
        if (lowest_priority(*n, snap) >= pod.priority) {
          verdicts[n->index] = no_victims();
          continue;
        }
        Candidate c;
        Status s = select_victims(state, pod, *n, budgets, c);
        if (s.ok() && !c.victims.empty()) {
          candidates.push_back(std::move(c));
        } else if (s.ok()) {
          // Fits without evicting anyone: only pods nominated here stand in the way.
          verdicts[n->index] = Status::unschedulable("No preemption victims found for incoming pod");
        } else {
          verdicts[n->index] = std::move(s);
        }
      }
    }
    if (candidates.empty()) {
      std::vector<const Status*> rejected;
      for (const auto& v : verdicts)
        if (!v.ok()) rejected.push_back(&v);
      return Status::unschedulable("preemption: " + histogram_message(nodes.size(), rejected));
    }

    const Candidate& best = pick(candidates);
    take_room(pod, best);
    result.nominated_node = best.node->name;
    return {};
  }

 private:
  struct Eviction {
    std::string preemptor;  // uid
    std::string node;
  };

  // Forgets victims the snapshot no longer holds (their deletion was seen), then tells
  // whether any evicted for `preemptor` remain.
  bool still_evicting_for(const std::string& preemptor, const Snapshot& snap) {
    std::lock_guard lock(mutex_);
    std::erase_if(evicted_, [&](const auto& entry) {
      const NodeInfo* n = snap.find(entry.second.node);
      return !n || std::none_of(n->pods.begin(), n->pods.end(),
                                [&](const PodInfoPtr& p) { return p->uid == entry.first; });
    });
    return std::any_of(evicted_.begin(), evicted_.end(),
                       [&](const auto& entry) { return entry.second.preemptor == preemptor; });
  }

  // Lower-priority pods nominated to the node give up their claim here, on the
  // scheduling thread, so the very next cycle sees the room as the preemptor's. The API
  // writes follow on the writer threads.
  void take_room(const PodInfo& pod, const Candidate& c) {
    const std::string& node = c.node->name;
    std::vector<PodInfoPtr> displaced;
    for (const auto& p : handle_.nominated_pods(node))
      if (p->priority < pod.priority && p->uid != pod.uid) {
        handle_.clear_nomination(p->uid);
        displaced.push_back(p);
      }
    {
      std::lock_guard lock(mutex_);
      for (const auto& v : c.victims) evicted_[v->uid] = {pod.uid, node};
    }
    handle_.run_async([this, victims = c.victims, displaced = std::move(displaced), node, preemptor = pod.uid,
                       scheduler = pod.scheduler_name] {
      for (const auto& v : victims) evict(*v, preemptor, node, scheduler);
      for (const auto& p : displaced) {
        try {
          clear_nominated_node(handle_.client(), *p);
        } catch (const std::exception&) {
          // Its next failed attempt rewrites its status anyway.
        }
      }
    });
  }

  // The victim learns why before it goes (DisruptionTarget), as upstream does.
  void evict(const PodInfo& victim, const std::string& preemptor, const std::string& node,
             const std::string& scheduler) {
    Client& client = handle_.client();
    try {
      if (!write_disruption_target(client, victim,
                                   scheduler + ": preempting to accommodate a higher priority pod"))
        return;  // already gone
      DeleteOptions options;
      options.precondition_uid = victim.uid;
      client.remove(kPods, victim.ns, victim.name, options);
    } catch (const std::exception& e) {
      const auto* api = dynamic_cast<const ApiError*>(&e);
      if (api && is_not_found(*api)) return;
      // Still there and staying: the preemptor must not wait for it.
      std::lock_guard lock(mutex_);
      evicted_.erase(victim.uid);
      return;
    }
    handle_.record_event(victim, "Normal", "Preempted", "Preempted by pod " + preemptor + " on node " + node);
  }

  // Removes every lower-priority pod, checks the pod then fits, and adds back as many as
  // still leave room: those that would violate a budget first.
  Status select_victims(const CycleState& state, const PodInfo& pod, const NodeInfo& node, Budgets& budgets,
                        Candidate& out) {
    std::vector<PodInfoPtr> lower;
    for (const auto& p : node.pods)
      if (p->priority < pod.priority) lower.push_back(p);
    // Nothing to evict: the node is exactly as Filter saw it.
    if (lower.empty()) return no_victims();
    NodeInfo sim = node;
    CycleState s = state;
    for (const auto& p : lower) {
      remove_pod(sim, p->uid);
      Status st = handle_.run_remove_pod(s, pod, *p, sim);
      if (!st.ok()) return st;
    }
    Status fits = handle_.run_filters_with_nominated(s, pod, sim);
    if (!fits.ok()) return fits;

    std::sort(lower.begin(), lower.end(), more_important);
    std::vector<PodInfoPtr> violating, free;
    std::unordered_map<const Budget*, int64_t> granted;  // disruptions on this node so far
    for (const auto& p : lower) {
      bool violates = false;
      for (const auto& b : budgets.in(p->ns))
        if (matches(b.selector, p->labels) && ++granted[&b] > b.allowed) violates = true;
      (violates ? violating : free).push_back(p);
    }
    auto reprieve = [&](const PodInfoPtr& p) {
      add_pod(sim, p);
      handle_.run_add_pod(s, pod, *p, sim);
      if (handle_.run_filters_with_nominated(s, pod, sim).ok()) return true;
      remove_pod(sim, p->uid);
      handle_.run_remove_pod(s, pod, *p, sim);
      return false;
    };
    for (const auto& p : violating)
      if (!reprieve(p)) {
        out.victims.push_back(p);
        ++out.violations;
      }
    for (const auto& p : free)
      if (!reprieve(p)) out.victims.push_back(p);
    out.node = &node;
    return {};
  }

  static Status no_victims() { return Status::unresolvable("No preemption victims found for incoming pod"); }

  // The lowest priority among the node's pods (INT32_MAX when it has none), kept per node
  // generation: pods that do not fit on full nodes are retried often, and looking at every
  // pod of every node for victims that cannot exist was most of what those retries cost.
  int32_t lowest_priority(const NodeInfo& node, const Snapshot& snap) {
    if (snap.topology_version() != lowest_version_) {
      lowest_.clear();
      lowest_version_ = snap.topology_version();
    }
    if (lowest_.size() < snap.nodes().size()) lowest_.resize(snap.nodes().size());
    Lowest& cached = lowest_[node.index];
    if (cached.generation != node.generation) {
      cached.priority = std::numeric_limits<int32_t>::max();
      for (const auto& p : node.pods) cached.priority = std::min(cached.priority, p->priority);
      cached.generation = node.generation;
    }
    return cached.priority;
  }

  static const Candidate& pick(const std::vector<Candidate>& cs) {
    auto key = [](const Candidate& c) {
      int32_t highest = c.victims.front()->priority;
      int64_t sum = 0;
      for (const auto& v : c.victims) {
        highest = std::max(highest, v->priority);
        // Offset so that negative priorities still add up to a comparable total.
        sum += static_cast<int64_t>(v->priority) + (int64_t{1} << 31);
      }
      return std::make_tuple(c.violations, highest, sum, c.victims.size());
    };
    const Candidate* best = &cs.front();
    for (const auto& c : cs)
      if (key(c) < key(*best)) best = &c;
    return *best;
  }

  Handle& handle_;
  int64_t min_pct_;
  int64_t min_abs_;
  std::minstd_rand rng_{7};
  std::mutex mutex_;                                   // evicted_: written by the writer threads too
  std::unordered_map<std::string, Eviction> evicted_;  // by victim uid, until it leaves the snapshot
  struct Lowest {
    uint64_t generation = 0;
    int32_t priority = std::numeric_limits<int32_t>::max();
  };
  std::vector<Lowest> lowest_;  // by node index, while the topology version holds
  uint64_t lowest_version_ = 0;
};

}  // namespace

FrameworkPluginFactory default_preemption_factory() {
  return {"DefaultPreemption",
          [](const boost::json::object& args, Handle& h) -> std::unique_ptr<FrameworkPlugin> {
            check_known_args(args, {"minCandidateNodesPercentage", "minCandidateNodesAbsolute"});
            int64_t pct = int_arg(args, "minCandidateNodesPercentage", 10);
            int64_t abs = int_arg(args, "minCandidateNodesAbsolute", 100);
            if (pct < 0 || pct > 100)
              throw std::invalid_argument("minCandidateNodesPercentage must be 0 to 100");
            if (abs < 0) throw std::invalid_argument("minCandidateNodesAbsolute must not be negative");
            if (pct == 0 && abs == 0)
              throw std::invalid_argument(
                  "minCandidateNodesPercentage and minCandidateNodesAbsolute cannot both be 0");
            return std::make_unique<DefaultPreemption>(h, pct, abs);
          }};
}

}  // namespace ukube::scheduler
