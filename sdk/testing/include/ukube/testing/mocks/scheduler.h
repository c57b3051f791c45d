#pragma once

#include <gmock/gmock.h>

#include "ukube/scheduler/framework.h"
#include "ukube/scheduler/object_lister.h"

// GoogleMock mocks of what a scheduler framework plugin consumes (ukube/scheduler/*.h):
// its Handle, the cycle's Snapshot and the informer listers. FakeObjectLister
// (fake_object_lister.h) is the simpler choice when a test only files objects.
namespace ukube::testing {

class MockHandle : public scheduler::Handle {
 public:
  MockHandle();
  ~MockHandle() override;
  MOCK_METHOD(const scheduler::Snapshot&, snapshot, (), (const, override));
  MOCK_METHOD(Client&, client, (), (override));
  MOCK_METHOD(scheduler::Status, run_filters,
              (const scheduler::CycleState& state, const scheduler::PodInfo& pod,
               const scheduler::NodeInfo& node),
              (override));
  MOCK_METHOD(scheduler::Status, run_filters_with_nominated,
              (const scheduler::CycleState& state, const scheduler::PodInfo& pod,
               const scheduler::NodeInfo& node),
              (override));
  MOCK_METHOD(scheduler::Status, run_remove_pod,
              (scheduler::CycleState & state, const scheduler::PodInfo& pod,
               const scheduler::PodInfo& removed, const scheduler::NodeInfo& node),
              (override));
  MOCK_METHOD(scheduler::Status, run_add_pod,
              (scheduler::CycleState & state, const scheduler::PodInfo& pod, const scheduler::PodInfo& added,
               const scheduler::NodeInfo& node),
              (override));
  MOCK_METHOD(void, allow, (const std::string& uid, const std::string& plugin), (override));
  MOCK_METHOD(void, reject, (const std::string& uid, const std::string& plugin, const std::string& message),
              (override));
  MOCK_METHOD(std::vector<scheduler::PodInfoPtr>, nominated_pods, (const std::string& node),
              (const, override));
  MOCK_METHOD(void, clear_nomination, (const std::string& uid), (override));
  MOCK_METHOD(void, run_async, (std::function<void()> task), (override));
  MOCK_METHOD(const scheduler::ObjectLister*, listers, (), (const, override));
};

class MockSnapshot : public scheduler::Snapshot {
 public:
  MockSnapshot();
  ~MockSnapshot() override;
  MOCK_METHOD(const std::vector<const scheduler::NodeInfo*>&, nodes, (), (const, override));
  MOCK_METHOD(const scheduler::NodeInfo*, find, (std::string_view node_name), (const, override));
  MOCK_METHOD(const std::vector<const scheduler::NodeInfo*>&, with_pod_affinity, (), (const, override));
  MOCK_METHOD(const std::vector<const scheduler::NodeInfo*>&, with_required_anti_affinity, (),
              (const, override));
  MOCK_METHOD(const Labels*, namespace_labels, (std::string_view ns), (const, override));
  MOCK_METHOD(uint64_t, topology_version, (), (const, override));
};

class MockObjectLister : public scheduler::ObjectLister {
 public:
  MockObjectLister();
  ~MockObjectLister() override;
  MOCK_METHOD(std::vector<std::shared_ptr<const boost::json::object>>, list,
              (const GroupVersionResource& resource, std::string_view ns), (const, override));
  MOCK_METHOD(std::shared_ptr<const boost::json::object>, get,
              (const GroupVersionResource& resource, std::string_view ns, std::string_view name),
              (const, override));
};

}  // namespace ukube::testing
