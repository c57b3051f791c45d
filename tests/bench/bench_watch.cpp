#include "bench_watch.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "kernel/watch/history_watch_bus.h"

namespace {

using namespace ukube;
using Clock = std::chrono::steady_clock;

constexpr int kWatchers = 100;
constexpr int64_t kEvents = 200'000;
constexpr size_t kBatch = 64;  // about what one group commit carries under load
constexpr size_t kWatchValueSize = 1024;
constexpr size_t kDistinctValues = 256;  // events share values, as the store's do

std::vector<store::EventPtr> make_events() {
  std::vector<store::Bytes> values;
  for (size_t i = 0; i < kDistinctValues; ++i)
    values.push_back(store::make_bytes(std::string(kWatchValueSize, 'a' + i % 26)));
  std::vector<store::EventPtr> events;
  events.reserve(kEvents);
  for (int64_t r = 1; r <= kEvents; ++r) {
    auto e = std::make_shared<store::Event>();
    e->type = store::EventType::Update;
    e->revision = r;
    e->create_revision = 1;
    e->key = "/core/pods/bench/pod-" + std::to_string(r % 1000);
    e->value = values[r % kDistinctValues];
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace

void bench_watch_fanout() {
  const auto events = make_events();  // built before timing: the store encodes them anyway
  // The ring and lag bound cover the whole run: the publisher outpaces any fsync-bound
  // store, and the figure is about delivery, not about which watchers get dropped.
  watch::HistoryWatchBus bus(0, kEvents);
  std::atomic<int64_t> delivered{0};
  std::atomic<int> dropped{0};
  std::vector<std::thread> subscribers;
  for (int i = 0; i < kWatchers; ++i) {
    watch::WatchOptions options;
    options.prefix = "/core/pods/bench/";
    options.max_lag = kEvents;
    subscribers.emplace_back([&delivered, &dropped, watcher = bus.watch(std::move(options))] {
      int64_t count = 0;
      for (int64_t last = 0; last < kEvents;) {
        watch::WatchBatch batch = watcher->next(Clock::now() + std::chrono::seconds(60));
        if (batch.state != watch::WatchState::Events) {
          if (batch.state != watch::WatchState::Timeout) ++dropped;
          break;
        }
        count += static_cast<int64_t>(batch.events.size());
        last = batch.revision;
      }
      delivered += count;
    });
  }

  const auto start = Clock::now();
  for (size_t i = 0; i < events.size(); i += kBatch) {
    bus.publish(std::span(events).subspan(i, std::min(kBatch, events.size() - i)));
  }
  const auto published = Clock::now();
  for (auto& t : subscribers) t.join();
  const auto done = Clock::now();

  const double seconds = std::chrono::duration<double>(done - start).count();
  const double publish_ms = std::chrono::duration<double, std::milli>(published - start).count();
  std::printf(
      "watch fan-out: %d subscribers, %lld events, %.0f events/s delivered (target >= 1,000,000); "
      "publisher done in %.0f ms, all delivered in %.0f ms, %d dropped\n",
      kWatchers, static_cast<long long>(kEvents), static_cast<double>(delivered.load()) / seconds, publish_ms,
      seconds * 1000, dropped.load());
}
