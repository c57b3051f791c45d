#pragma once

#include <gmock/gmock.h>

#include "ukube/store.h"
#include "ukube/watch.h"

// GoogleMock mocks of the store and watch bus interfaces (ukube/store.h, ukube/watch.h),
// for code that consumes them through InitContext. A new store backend runs the
// conformance suite (store_conformance.h) rather than mocks.
namespace ukube::testing {

class MockStore : public store::Store {
 public:
  MockStore();
  ~MockStore() override;
  MOCK_METHOD(std::optional<store::KeyValue>, get, (std::string_view key, int64_t revision), (override));
  MOCK_METHOD(store::ListResult, list, (std::string_view prefix, const store::ListOptions& options),
              (override));
  MOCK_METHOD(void, submit, (store::WriteRequest request, store::WriteCallback done), (override));
  MOCK_METHOD(int64_t, current_revision, (), (override));
  MOCK_METHOD(int64_t, compacted_revision, (), (override));
  MOCK_METHOD(void, compact, (int64_t revision), (override));
};

class MockEventSink : public store::EventSink {
 public:
  MockEventSink();
  ~MockEventSink() override;
  MOCK_METHOD(void, publish, (std::span<const store::EventPtr> batch), (override));
};

class MockWatcher : public watch::Watcher {
 public:
  MockWatcher();
  ~MockWatcher() override;
  MOCK_METHOD(watch::WatchBatch, next, (std::chrono::steady_clock::time_point deadline, size_t max_events),
              (override));
  MOCK_METHOD(watch::WatchBatch, poll, (size_t max_events), (override));
  MOCK_METHOD(void, on_ready, (std::function<void()> notify), (override));
  MOCK_METHOD(void, cancel, (), (override));
};

class MockWatchBus : public watch::WatchBus {
 public:
  MockWatchBus();
  ~MockWatchBus() override;
  MOCK_METHOD(void, publish, (std::span<const store::EventPtr> batch), (override));
  MOCK_METHOD(std::unique_ptr<watch::Watcher>, watch, (watch::WatchOptions options), (override));
  MOCK_METHOD(int64_t, head_revision, (), (const, override));
  MOCK_METHOD(int64_t, oldest_revision, (), (const, override));
  MOCK_METHOD(size_t, watcher_count, (), (const, override));
  MOCK_METHOD(void, shutdown, (), (override));
};

}  // namespace ukube::testing
