#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "informer_cache.h"

// The handlers of one informer, from any number of plugins. Calls are serialised: one
// delta at a time, in order, to every handler registered when it happened. A handler can
// be removed at any time, also from inside a handler; once removal returns, its code is
// neither running (unless removal came from inside it) nor called again, and its
// functions are destroyed, so the library they came from may be unloaded.
namespace ukube::detail {

class InformerHandlerSet {
 public:
  // Registers `handlers` and tells them about `existing` (as adds), which the cache showed
  // at `sequence`: deltas up to it are not delivered to them again.
  uint64_t add(InformerHandlers handlers, const InformerCache& cache);
  void remove(uint64_t id);
  void dispatch(const std::vector<Delta>& deltas);

 private:
  struct Entry {
    uint64_t id;
    uint64_t seen_through;  // deltas up to this sequence were in the cache it was shown
    InformerHandlers handlers;
    std::atomic<bool> active{true};
  };

  void deliver(Entry& entry, const Delta& delta);
  void drop_retired_locked();

  // Held while any handler runs. Recursive so a handler may add or remove handlers.
  std::recursive_mutex calling_;
  int depth_ = 0;  // handler calls in progress on the thread holding `calling_`
  std::vector<std::shared_ptr<Entry>> entries_;
  std::vector<std::shared_ptr<Entry>> retired_;  // removed from inside a handler
  uint64_t next_id_ = 1;
};

}  // namespace ukube::detail
