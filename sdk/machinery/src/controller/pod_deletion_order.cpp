#include "ukube/controller/pod_deletion_order.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include <boost/json.hpp>

#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/pod.h"

namespace ukube::controller {
namespace json = boost::json;
namespace {

using MaybeTime = std::optional<machinery::Clock::time_point>;

// What the rules read of one pod, read once rather than at every comparison.
struct DeletionKey {
  bool assigned = false;
  std::string node;
  int phase = 0;
  bool ready = false;
  int32_t cost = 0;
  int rank = 0;
  MaybeTime ready_since;  // ready pods only
  int64_t restarts = 0;
  MaybeTime created;
  std::string uid;
};

int phase_ordinal(std::string_view phase) {
  if (phase == "Unknown") return 1;
  if (phase == "Running") return 2;
  return 0;  // Pending, and whatever else upstream's map does not know
}

MaybeTime time_of(const json::object& o, machinery::JsonPath path) {
  std::string text = machinery::string_at(o, path);
  if (text.empty()) return std::nullopt;
  return machinery::parse_time(text);
}

DeletionKey deletion_key(const json::object& pod, int rank) {
  DeletionKey k;
  k.node = machinery::string_at(pod, {"spec", "nodeName"});
  k.assigned = !k.node.empty();
  k.phase = phase_ordinal(machinery::pod_phase(pod));
  k.ready = machinery::is_pod_ready(pod);
  k.cost = pod_deletion_cost(pod);
  k.rank = rank;
  if (k.ready)
    if (const auto* c = machinery::find_condition(pod, "Ready"))
      k.ready_since = time_of(*c, {"lastTransitionTime"});
  machinery::for_each_object(
      machinery::array_at(pod, {"status", "containerStatuses"}), [&](const json::object& status, size_t) {
        k.restarts = std::max(k.restarts, machinery::int_or(status, {"restartCount"}, 0));
      });
  k.created = time_of(pod, {"metadata", "creationTimestamp"});
  k.uid = machinery::uid_of(pod);
  return k;
}

// Upstream's afterOrZero: a missing time is later than any other.
bool later_or_missing(const MaybeTime& a, const MaybeTime& b) {
  if (!a || !b) return !a;
  return *a > *b;
}

// The log2 bucket of the time since `t`; -1 for times not in the past.
int64_t age_bucket(machinery::Clock::time_point t, machinery::Clock::time_point now) {
  const auto age = std::chrono::duration_cast<std::chrono::nanoseconds>(now - t).count();
  if (age <= 0) return -1;
  return static_cast<int64_t>(std::log2(static_cast<double>(age)));
}

// Rules 6 and 8 for two times that differ: newer first, by buckets when there is a `now`.
bool newer_first(const MaybeTime& a, const MaybeTime& b, const std::string& uid_a, const std::string& uid_b,
                 const MaybeTime& now) {
  if (!now || !a || !b) return later_or_missing(a, b);
  const int64_t diff = age_bucket(*a, *now) - age_bucket(*b, *now);
  if (diff == 0) return uid_a < uid_b;
  return diff < 0;
}

bool key_before(const DeletionKey& a, const DeletionKey& b, const MaybeTime& now) {
  if (a.node != b.node && (!a.assigned || !b.assigned)) return !a.assigned;
  if (a.phase != b.phase) return a.phase < b.phase;
  if (a.ready != b.ready) return !a.ready;
  if (a.cost != b.cost) return a.cost < b.cost;
  if (a.rank != b.rank) return a.rank > b.rank;
  if (a.ready && b.ready && a.ready_since != b.ready_since)
    return newer_first(a.ready_since, b.ready_since, a.uid, b.uid, now);
  if (a.restarts != b.restarts) return a.restarts > b.restarts;
  if (a.created != b.created) return newer_first(a.created, b.created, a.uid, b.uid, now);
  return false;
}

}  // namespace

int32_t pod_deletion_cost(const json::object& pod) {
  const auto* annotations = machinery::object_at(pod, {"metadata", "annotations"});
  const auto* value = annotations ? annotations->if_contains(kPodDeletionCostAnnotation) : nullptr;
  if (!value || !value->is_string()) return 0;
  std::string_view text = value->get_string();
  // Upstream refuses "+1" and leading zeros ("007"); "0" and "-7" are fine.
  if (text.empty()) return 0;
  const char first = text.front();
  const bool first_ok = first == '-' || (first >= '1' && first <= '9') || text == "0";
  if (!first_ok) return 0;
  int32_t cost = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), cost);
  if (error != std::errc() || end != text.data() + text.size()) return 0;
  return cost;
}

bool delete_before(const json::object& a, int rank_a, const json::object& b, int rank_b, MaybeTime now) {
  return key_before(deletion_key(a, rank_a), deletion_key(b, rank_b), now);
}

void sort_for_deletion(std::vector<RankedPod>& pods, MaybeTime now) {
  std::vector<std::pair<DeletionKey, RankedPod>> keyed;
  keyed.reserve(pods.size());
  for (auto& p : pods) keyed.emplace_back(deletion_key(*p.pod, p.rank), std::move(p));
  // Stable and merge-based: the rules are not a strict weak order in every corner (a
  // bucket's uid tie-break against an exact tie), which std::sort must not be given.
  std::stable_sort(keyed.begin(), keyed.end(),
                   [&](const auto& x, const auto& y) { return key_before(x.first, y.first, now); });
  for (size_t i = 0; i < pods.size(); ++i) pods[i] = std::move(keyed[i].second);
}

std::vector<RankedPod> rank_by_colocation(const std::vector<ObjectPtr>& pods,
                                          const std::vector<ObjectPtr>& related) {
  std::map<std::string, int, std::less<>> on_node;
  for (const auto& pod : related)
    if (machinery::is_pod_active(*pod)) ++on_node[machinery::string_at(*pod, {"spec", "nodeName"})];
  std::vector<RankedPod> ranked;
  ranked.reserve(pods.size());
  for (const auto& pod : pods) {
    auto it = on_node.find(machinery::string_at(*pod, {"spec", "nodeName"}));
    ranked.push_back({pod, it == on_node.end() ? 0 : it->second});
  }
  return ranked;
}

std::vector<ObjectPtr> pods_to_delete(const std::vector<ObjectPtr>& pods,
                                      const std::vector<ObjectPtr>& related, size_t count,
                                      machinery::Clock::time_point now) {
  if (count >= pods.size()) return pods;
  std::vector<RankedPod> ranked = rank_by_colocation(pods, related);
  sort_for_deletion(ranked, now);
  std::vector<ObjectPtr> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.push_back(ranked[i].pod);
  return out;
}

}  // namespace ukube::controller
