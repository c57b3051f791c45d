#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ukube/scheduler/framework.h"

// Pending pods in three places, as upstream keeps them: the active queue (ordered by the
// QueueSort plugin), the back-off queue (ordered by when back-off ends) and the
// unschedulable pods (waiting for a cluster event that may help them). Owned by the
// scheduling thread.
namespace ukube::scheduler {

using Clock = std::chrono::steady_clock;

struct QueueSettings {
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{10000};
  // Unschedulable pods are retried after this even without an event.
  std::chrono::milliseconds max_unschedulable{5 * 60 * 1000};
};

class SchedulingQueue {
 public:
  struct Popped {
    PodInfoPtr pod;
    Clock::time_point timestamp;
    int attempts = 0;
    uint64_t cycle = 0;  // the move counter when popped, to notice events during the cycle
  };

  SchedulingQueue(const QueueSortPlugin* sort, QueueSettings settings,
                  std::function<Clock::time_point()> now = {});

  // A new or changed pending pod. A changed unschedulable pod gets another chance.
  void add_or_update(PodInfoPtr pod);
  // A newer version of a pending pod that changed nothing scheduling depends on (its
  // status): kept for what is written next, without moving the pod.
  void refresh(PodInfoPtr pod);
  void remove(const std::string& uid);
  bool contains(const std::string& uid) const { return entries_.count(uid) > 0; }

  // The best active pod, now in flight; nullopt when the active queue is empty.
  std::optional<Popped> pop();
  // The in-flight pod was assumed: it leaves the queue.
  void done(const std::string& uid);
  // The in-flight pod did not fit because of `plugins` (their names; empty: unknown).
  // Goes to back-off if an event arrived during its cycle (it might fit now), else waits
  // among the unschedulable pods until an event one of those plugins cares for.
  void requeue_unschedulable(const Popped& popped, std::vector<std::string> plugins = {});
  // The in-flight pod failed for another reason: back-off.
  void requeue_backoff(const Popped& popped);

  // Whether a cluster event may help a pod that `plugins` rejected.
  using MayHelp = std::function<bool(const PodInfo& pod, const std::vector<std::string>& plugins)>;
  // A cluster event: the unschedulable pods it may help move on (to back-off while
  // their back-off lasts).
  void move_unschedulable_if(const MayHelp& may_help);
  void move_all_unschedulable();
  // Moves pods whose back-off ended, and long-waiting unschedulable pods.
  void flush();
  // When flush() next has something to do; nullopt when never.
  std::optional<Clock::time_point> next_wakeup() const;

  size_t active_size() const;
  size_t backoff_size() const;
  size_t unschedulable_size() const;

  // Pods preemption nominated to a node, until they are scheduled or gone.
  void nominate(const PodInfoPtr& pod, const std::string& node);
  std::vector<PodInfoPtr> nominated_pods(const std::string& node) const;
  // The pod stays queued but no longer holds room on its node.
  void unnominate(const std::string& uid);
  bool nominated_pods_empty() const { return nominated_.empty(); }

 private:
  enum class Where { Active, Backoff, Unschedulable, InFlight, Gated };
  struct Entry {
    PodInfoPtr pod;
    Where where = Where::Active;
    Clock::time_point timestamp;
    Clock::time_point backoff_until;
    Clock::time_point unschedulable_since;
    int attempts = 0;
    std::vector<std::string> unschedulable_plugins;  // what rejected it last
    uint64_t seq = 0;                                // heap items carrying another seq are stale
    bool updated_in_flight = false;
  };
  struct HeapItem {
    Entry* entry;
    uint64_t seq;
  };

  Clock::time_point now() const { return now_ ? now_() : Clock::now(); }
  void to_active(Entry& e);
  void to_backoff(Entry& e);
  void to_active_or_backoff(Entry& e);
  Clock::time_point backoff_end(const Entry& e) const;

  const QueueSortPlugin* sort_;
  QueueSettings settings_;
  std::function<Clock::time_point()> now_;
  std::unordered_map<std::string, Entry> entries_;
  std::vector<HeapItem> active_;
  std::vector<HeapItem> backoff_;
  // The entries waiting for an event, so events cost nothing per pending pod otherwise.
  std::unordered_set<Entry*> unschedulable_;
  uint64_t next_seq_ = 1;
  uint64_t moves_ = 0;
  Clock::time_point last_scan_{};
  std::unordered_map<std::string, std::vector<PodInfoPtr>> nominated_;  // by node
  std::unordered_map<std::string, std::string> nominated_node_;         // by uid
};

}  // namespace ukube::scheduler
