// DefaultPreemption (PostFilter): when no node fits, find the node where evicting the
// fewest, least important lower-priority pods makes room, preferring victims whose
// PodDisruptionBudgets allow it; evict them and nominate the node for the pod.
#include <algorithm>
#include <boost/json.hpp>
#include <random>

#include "model/match.h"
#include "model/node_accounting.h"
#include "model/parse.h"
#include "plugins/args.h"
#include "plugins/binder_plugins.h"
#include "runtime/fit_error.h"
#include "ukube/client.h"
#include "ukube/errors.h"

namespace ukube::scheduler {
namespace {

const GroupVersionResource kPods{"", "v1", "pods"};
const GroupVersionResource kPdbs{"policy", "v1", "poddisruptionbudgets"};

struct Budget {
  std::string ns;
  LabelSelector selector;
  int64_t allowed = 0;
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
    if (!pod.nominated_node.empty())
      if (const NodeInfo* n = snap.find(pod.nominated_node))
        for (const auto& p : n->pods)
          if (p->terminating && p->priority < pod.priority)
            // Victims of an earlier preemption are still leaving: wait for them.
            return Status::unschedulable(
                "preemption: not eligible while victims on the nominated node terminate.");

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

    std::vector<Budget> budgets = load_budgets();
    std::vector<Candidate> candidates;
    if (!potential.empty()) {
      const size_t want = std::min(potential.size(), std::max<size_t>(static_cast<size_t>(min_abs_),
                                                                      potential.size() * min_pct_ / 100));
      const size_t offset = rng_() % potential.size();
      for (size_t i = 0; i < potential.size() && candidates.size() < want; ++i) {
        const NodeInfo* n = potential[(offset + i) % potential.size()];
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
    for (const auto& victim : best.victims) {
      try {
        DeleteOptions options;
        options.precondition_uid = victim->uid;
        handle_.client().remove(kPods, victim->ns, victim->name, options);
      } catch (const ApiError& e) {
        if (!is_not_found(e)) return Status::error("preemption: deleting " + victim->key() + ": " + e.what());
      }
    }
    result.nominated_node = best.node->name;
    return {};
  }

 private:
  std::vector<Budget> load_budgets() {
    std::vector<Budget> out;
    try {
      for (const auto& pdb : handle_.client().list(kPdbs, "").items) {
        Budget b;
        const auto& meta = pdb->at("metadata").as_object();
        if (const auto* ns = meta.if_contains("namespace"); ns && ns->is_string()) b.ns = ns->get_string();
        const auto* spec = pdb->if_contains("spec");
        b.selector = parse_label_selector(
            spec && spec->is_object() ? spec->get_object().if_contains("selector") : nullptr);
        const auto* status = pdb->if_contains("status");
        const auto* allowed =
            status && status->is_object() ? status->get_object().if_contains("disruptionsAllowed") : nullptr;
        b.allowed = allowed && allowed->is_int64() ? allowed->get_int64() : 0;
        out.push_back(std::move(b));
      }
    } catch (const std::exception&) {
      // Without budgets every victim counts as allowed; better than not preempting.
    }
    return out;
  }

  // Removes every lower-priority pod, checks the pod then fits, and adds back as many as
  // still leave room: those that would violate a budget first.
  Status select_victims(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
                        std::vector<Budget> budgets, Candidate& out) {
    std::vector<PodInfoPtr> lower;
    for (const auto& p : node.pods)
      if (p->priority < pod.priority) lower.push_back(p);
    // Nothing to evict: the node is exactly as Filter saw it.
    if (lower.empty()) return Status::unresolvable("No preemption victims found for incoming pod");
    NodeInfo sim = node;
    CycleState s = state;
    for (const auto& p : lower) {
      remove_pod(sim, p->uid);
      Status st = handle_.run_remove_pod(s, pod, *p, sim);
      if (!st.ok()) return st;
    }
    Status fits = handle_.run_filters(s, pod, sim);
    if (!fits.ok()) return fits;

    std::sort(lower.begin(), lower.end(), more_important);
    std::vector<PodInfoPtr> violating, free;
    for (const auto& p : lower) {
      bool violates = false;
      for (auto& b : budgets)
        if (b.ns == p->ns && matches(b.selector, p->labels)) {
          if (--b.allowed < 0) violates = true;
        }
      (violates ? violating : free).push_back(p);
    }
    auto reprieve = [&](const PodInfoPtr& p) {
      add_pod(sim, p);
      handle_.run_add_pod(s, pod, *p, sim);
      if (handle_.run_filters(s, pod, sim).ok()) return true;
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
