#include "queue/scheduling_queue.h"

#include <algorithm>

namespace ukube::scheduler {

SchedulingQueue::SchedulingQueue(const QueueSortPlugin* sort, QueueSettings settings,
                                 std::function<Clock::time_point()> now)
    : sort_(sort), settings_(settings), now_(std::move(now)) {}

namespace {
// std heaps keep the largest first; these orderings make it the best / earliest.
struct ActiveOrder {
  const QueueSortPlugin* sort;
  template <class Item>
  bool operator()(const Item& a, const Item& b) const {
    QueuedPod qa{a.entry->pod.get(), a.entry->timestamp, a.entry->attempts};
    QueuedPod qb{b.entry->pod.get(), b.entry->timestamp, b.entry->attempts};
    return sort->less(qb, qa);
  }
};
struct BackoffOrder {
  template <class Item>
  bool operator()(const Item& a, const Item& b) const {
    return b.entry->backoff_until < a.entry->backoff_until;
  }
};
}  // namespace

void SchedulingQueue::to_active(Entry& e) {
  unschedulable_.erase(&e);
  e.where = Where::Active;
  e.seq = next_seq_++;
  active_.push_back({&e, e.seq});
  std::push_heap(active_.begin(), active_.end(), ActiveOrder{sort_});
}

void SchedulingQueue::to_backoff(Entry& e) {
  unschedulable_.erase(&e);
  e.where = Where::Backoff;
  e.backoff_until = backoff_end(e);
  e.seq = next_seq_++;
  backoff_.push_back({&e, e.seq});
  std::push_heap(backoff_.begin(), backoff_.end(), BackoffOrder{});
}

void SchedulingQueue::to_active_or_backoff(Entry& e) {
  if (backoff_end(e) > now())
    to_backoff(e);
  else
    to_active(e);
}

Clock::time_point SchedulingQueue::backoff_end(const Entry& e) const {
  auto d = settings_.initial_backoff;
  for (int i = 1; i < e.attempts && d < settings_.max_backoff; ++i) d *= 2;
  d = std::min(d, settings_.max_backoff);
  return e.timestamp + d;
}

void SchedulingQueue::add_or_update(PodInfoPtr pod) {
  auto [it, added] = entries_.try_emplace(pod->uid);
  Entry& e = it->second;
  if (added) {
    e.pod = std::move(pod);
    e.timestamp = now();
    if (e.pod->gated) {
      e.where = Where::Gated;
      return;
    }
    to_active(e);
    return;
  }
  const bool was_gated = e.where == Where::Gated;
  e.pod = std::move(pod);
  switch (e.where) {
    case Where::Gated:
      if (!e.pod->gated) to_active(e);
      break;
    case Where::Active: to_active(e); break;  // re-sorted with its new priority
    case Where::Backoff: break;
    case Where::Unschedulable: to_active_or_backoff(e); break;
    case Where::InFlight: e.updated_in_flight = true; break;
  }
  (void)was_gated;
}

void SchedulingQueue::refresh(PodInfoPtr pod) {
  auto it = entries_.find(pod->uid);
  if (it != entries_.end()) it->second.pod = std::move(pod);
}

void SchedulingQueue::remove(const std::string& uid) {
  // Heap items pointing at the entry become stale once it is gone: drop them now.
  auto it = entries_.find(uid);
  if (it == entries_.end()) return;
  Entry* e = &it->second;
  auto stale = [&](const HeapItem& h) { return h.entry == e; };
  if (std::erase_if(active_, stale)) std::make_heap(active_.begin(), active_.end(), ActiveOrder{sort_});
  if (std::erase_if(backoff_, stale)) std::make_heap(backoff_.begin(), backoff_.end(), BackoffOrder{});
  unschedulable_.erase(e);
  entries_.erase(it);
  unnominate(uid);
}

std::optional<SchedulingQueue::Popped> SchedulingQueue::pop() {
  while (!active_.empty()) {
    std::pop_heap(active_.begin(), active_.end(), ActiveOrder{sort_});
    HeapItem item = active_.back();
    active_.pop_back();
    Entry& e = *item.entry;
    if (e.seq != item.seq || e.where != Where::Active) continue;
    e.where = Where::InFlight;
    e.updated_in_flight = false;
    ++e.attempts;
    return Popped{e.pod, e.timestamp, e.attempts, moves_};
  }
  return std::nullopt;
}

void SchedulingQueue::done(const std::string& uid) {
  auto it = entries_.find(uid);
  if (it == entries_.end() || it->second.where != Where::InFlight) return;
  entries_.erase(it);
  unnominate(uid);
}

void SchedulingQueue::requeue_unschedulable(const Popped& popped, std::vector<std::string> plugins) {
  auto it = entries_.find(popped.pod->uid);
  if (it == entries_.end()) return;  // deleted during its cycle
  Entry& e = it->second;
  e.timestamp = now();
  e.unschedulable_plugins = std::move(plugins);
  if (moves_ != popped.cycle || e.updated_in_flight) {
    to_backoff(e);
  } else {
    e.where = Where::Unschedulable;
    e.unschedulable_since = e.timestamp;
    unschedulable_.insert(&e);
  }
}

void SchedulingQueue::requeue_backoff(const Popped& popped) {
  auto it = entries_.find(popped.pod->uid);
  if (it == entries_.end()) return;
  it->second.timestamp = now();
  to_backoff(it->second);
}

void SchedulingQueue::move_unschedulable_if(const MayHelp& may_help) {
  // Counted even when it moves nothing: a pod in flight meanwhile might have been helped.
  ++moves_;
  std::vector<Entry*> helped;
  for (Entry* e : unschedulable_)
    if (may_help(*e->pod, e->unschedulable_plugins)) helped.push_back(e);
  for (Entry* e : helped) to_active_or_backoff(*e);
}

void SchedulingQueue::move_all_unschedulable() {
  move_unschedulable_if([](const PodInfo&, const std::vector<std::string>&) { return true; });
}

void SchedulingQueue::flush() {
  const auto t = now();
  while (!backoff_.empty()) {
    HeapItem top = backoff_.front();
    if (top.entry->seq == top.seq && top.entry->where == Where::Backoff && top.entry->backoff_until > t)
      break;
    std::pop_heap(backoff_.begin(), backoff_.end(), BackoffOrder{});
    backoff_.pop_back();
    if (top.entry->seq == top.seq && top.entry->where == Where::Backoff) to_active(*top.entry);
  }
  // Scanning every pending pod is not free; once a second is plenty for a 5-minute rule.
  if (t - last_scan_ < std::chrono::seconds(1)) return;
  last_scan_ = t;
  std::vector<Entry*> waited_enough;
  for (Entry* e : unschedulable_)
    if (t - e->unschedulable_since >= settings_.max_unschedulable) waited_enough.push_back(e);
  for (Entry* e : waited_enough) to_active_or_backoff(*e);
}

std::optional<Clock::time_point> SchedulingQueue::next_wakeup() const {
  std::optional<Clock::time_point> at;
  for (const auto& h : backoff_)
    if (h.entry->seq == h.seq && h.entry->where == Where::Backoff && (!at || h.entry->backoff_until < *at))
      at = h.entry->backoff_until;
  for (const Entry* e : unschedulable_) {
    auto t = e->unschedulable_since + settings_.max_unschedulable;
    if (!at || t < *at) at = t;
  }
  return at;
}

size_t SchedulingQueue::active_size() const {
  size_t n = 0;
  for (const auto& [uid, e] : entries_) n += e.where == Where::Active;
  return n;
}
size_t SchedulingQueue::backoff_size() const {
  size_t n = 0;
  for (const auto& [uid, e] : entries_) n += e.where == Where::Backoff;
  return n;
}
size_t SchedulingQueue::unschedulable_size() const {
  return unschedulable_.size();
}

void SchedulingQueue::nominate(const PodInfoPtr& pod, const std::string& node) {
  unnominate(pod->uid);
  if (node.empty()) return;
  nominated_[node].push_back(pod);
  nominated_node_[pod->uid] = node;
}

void SchedulingQueue::unnominate(const std::string& uid) {
  auto it = nominated_node_.find(uid);
  if (it == nominated_node_.end()) return;
  auto& list = nominated_[it->second];
  std::erase_if(list, [&](const PodInfoPtr& p) { return p->uid == uid; });
  if (list.empty()) nominated_.erase(it->second);
  nominated_node_.erase(it);
}

std::vector<PodInfoPtr> SchedulingQueue::nominated_pods(const std::string& node) const {
  auto it = nominated_.find(node);
  return it == nominated_.end() ? std::vector<PodInfoPtr>{} : it->second;
}

}  // namespace ukube::scheduler
