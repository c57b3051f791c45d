#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "kernel/watch/history_watch_bus.h"
#include "ukube/store.h"
#include "ukube/watch.h"

// Synthetic events published straight into a bus, as the store's commit thread would.
namespace ukube::watch::testing {

inline store::EventPtr event(int64_t revision, std::string key,
                             store::EventType type = store::EventType::Update) {
  auto e = std::make_shared<store::Event>();
  e->type = type;
  e->revision = revision;
  e->create_revision = revision;
  e->key = std::move(key);
  if (type == store::EventType::Delete) {
    e->prev_value = store::make_bytes("v" + std::to_string(revision));
  } else {
    e->value = store::make_bytes("v" + std::to_string(revision));
  }
  return e;
}

// Publishes revisions [first, last] under `key`, `per_batch` at a time.
inline void publish_range(WatchBus& bus, int64_t first, int64_t last, const std::string& key,
                          size_t per_batch = 16) {
  std::vector<store::EventPtr> batch;
  for (int64_t r = first; r <= last; ++r) {
    batch.push_back(event(r, key));
    if (batch.size() == per_batch || r == last) {
      bus.publish(batch);
      batch.clear();
    }
  }
}

// WatchOptions spelled as a chain (GCC 12 warns on partial designated initializers).
struct Opts {
  WatchOptions options;
  Opts& after(int64_t revision) {
    options.after_revision = revision;
    return *this;
  }
  Opts& lag(size_t max_lag) {
    options.max_lag = max_lag;
    return *this;
  }
  Opts& bookmarks(std::chrono::milliseconds interval) {
    options.bookmark_interval = interval;
    return *this;
  }
  Opts& filter(EventFilter f) {
    options.filter = std::move(f);
    return *this;
  }
  operator WatchOptions() const { return options; }
};
inline Opts on(std::string prefix) {
  Opts o;
  o.options.prefix = std::move(prefix);
  return o;
}

// Generous: tests never depend on speed, only on eventually getting an answer.
inline std::chrono::steady_clock::time_point soon() {
  return std::chrono::steady_clock::now() + std::chrono::seconds(30);
}

// Reads until `count` events arrived or something other than events came back.
inline std::vector<store::EventPtr> take(Watcher& watcher, size_t count, size_t max_per_call = 1024) {
  std::vector<store::EventPtr> out;
  while (out.size() < count) {
    WatchBatch batch = watcher.next(soon(), max_per_call);
    if (batch.state != WatchState::Events) break;
    out.insert(out.end(), batch.events.begin(), batch.events.end());
  }
  return out;
}

inline std::vector<int64_t> revisions(const std::vector<store::EventPtr>& events) {
  std::vector<int64_t> out;
  for (const auto& e : events) out.push_back(e->revision);
  return out;
}

inline std::vector<int64_t> iota(int64_t first, int64_t last) {
  std::vector<int64_t> out;
  for (int64_t r = first; r <= last; ++r) out.push_back(r);
  return out;
}

}  // namespace ukube::watch::testing
