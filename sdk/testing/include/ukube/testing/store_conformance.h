#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "ukube/store.h"
#include "ukube/testing/recording_sink.h"
#include "ukube/testing/temp_dir.h"

// The store conformance suite (DESIGN.md §2): every backend runs these tests unchanged.
// A backend's test links the object library ukube-store-conformance (an object library,
// so the linker keeps every TEST_P registration) and instantiates the suite with a
// factory, e.g.
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

class StoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }
  // A key under this test's private prefix.
  std::string key(const std::string& name) const { return prefix_ + name; }
  const std::string& prefix() const { return prefix_; }

  ukube::testing::RecordingSink sink_;
  std::unique_ptr<ukube::testing::TempDir> dir_;
  std::unique_ptr<Store> store_;
  std::string prefix_;
};

}  // namespace ukube::store::conformance
