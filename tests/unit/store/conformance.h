#pragma once

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "ukube/store.h"

// The store conformance suite (DESIGN.md §2): every backend runs these tests unchanged.
// A backend instantiates it with a factory, e.g.
//
//   INSTANTIATE_TEST_SUITE_P(Etcd, StoreConformance,
//                            ::testing::Values(Backend{"etcd", make_etcd_store}), backend_name);
//
// The tests assume nothing a shared backend would break: every test writes under its own
// random key prefix, and revisions are compared relative to each other, never to 1.
namespace ukube::store::conformance {

using StoreFactory = std::function<std::unique_ptr<Store>(const std::filesystem::path& dir, EventSink* sink)>;

struct Backend {
  std::string name;
  StoreFactory factory;
};

inline void PrintTo(const Backend& backend, std::ostream* os) {
  *os << backend.name;
}
inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

// Keeps every published event; tests wait for the ones they expect.
class RecordingSink : public EventSink {
 public:
  void publish(std::span<const EventPtr> batch) override;
  // Events under `prefix`, once at least `count` of them arrived (or after a timeout).
  std::vector<EventPtr> wait_for(const std::string& prefix, size_t count);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<EventPtr> events_;
};

class StoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }
  // A key under this test's private prefix.
  std::string key(const std::string& name) const { return prefix_ + name; }
  const std::string& prefix() const { return prefix_; }

  RecordingSink sink_;
  std::unique_ptr<test_support::TempDir> dir_;
  std::unique_ptr<Store> store_;
  std::string prefix_;
};

}  // namespace ukube::store::conformance
