// A controller plugin acts as its service account, runs its working parts while it
// leads, and controllers of one process share one kube-controller-manager Lease.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "tests/support/controller_context.h"
#include "tests/support/eventually.h"
#include "ukube/auth.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/shared_leadership.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/testing/fake_client.h"
#include "ukube/testing/mocks/plugin.h"

namespace ukube::controller {
namespace {

using namespace std::chrono_literals;
using ::testing::_;
using ::testing::Return;
using ::testing::ReturnRef;

using ukube::testing::eventually;

std::string lease_holder(testing::FakeClient& client, const std::string& name) {
  ObjectPtr lease = client.objects().get(machinery::kLeases, "kube-system", name);
  return machinery::string_at(*lease, {"spec", "holderIdentity"});
}

struct Parts final : RunningController {
  explicit Parts(std::atomic<int>& live) : live_(live) {}
  void start() override { ++live_; }
  void stop() override { --live_; }
  std::atomic<int>& live_;
};

class TestController final : public ControllerPlugin {
 public:
  explicit TestController(bool elect) : ControllerPlugin({"test", "test-controller"}) {
    settings_.leader_elect = elect;
  }
  std::atomic<int> live{0};

 protected:
  std::unique_ptr<RunningController> make_running(const ControllerDeps& deps) override {
    EXPECT_TRUE(deps.client && deps.informers && deps.events);
    return std::make_unique<Parts>(live);
  }
};

using Context = testing::ControllerContext;

TEST(ControllerPlugin, ActsAsItsServiceAccountAndRunsBetweenStartAndStop) {
  Context c;
  TestController plugin(false);
  plugin.init(c.ctx);
  EXPECT_THAT(c.users, ::testing::Contains("system:serviceaccount:kube-system:test-controller"));
  EXPECT_EQ(plugin.running(), nullptr);
  plugin.start();
  ASSERT_NE(plugin.running(), nullptr);
  EXPECT_EQ(plugin.live, 1);
  plugin.stop();
  EXPECT_EQ(plugin.running(), nullptr);
  EXPECT_EQ(plugin.live, 0);
}

TEST(ControllerPlugin, WithLeaderElectionRunsOnlyOnceItHoldsTheControllerManagerLease) {
  Context c;
  TestController plugin(true);
  plugin.init(c.ctx);
  plugin.start();
  ASSERT_TRUE(eventually([&] { return plugin.live == 1; }));
  EXPECT_FALSE(lease_holder(*c.client, "kube-controller-manager").empty());
  plugin.stop();
  EXPECT_EQ(plugin.live, 0);
  // The last member leaving released the Lease for a standby server.
  EXPECT_EQ(lease_holder(*c.client, "kube-controller-manager"), "");
}

TEST(ControllerPlugin, StandsByWhileAnotherServerHoldsTheLease) {
  Context c;
  c.client->add(machinery::kLeases,
                R"({"metadata":{"name":"kube-controller-manager","namespace":"kube-system"},
      "spec":{"holderIdentity":"other-server","leaseDurationSeconds":3600,"renewTime":"2026-01-01T00:00:00.000000Z"}})");
  TestController plugin(true);
  plugin.init(c.ctx);
  plugin.start();
  // The elector's first attempt read the Lease and found a live holder.
  ASSERT_TRUE(eventually([&] { return c.client->count("get", "leases") >= 1; }));
  EXPECT_EQ(plugin.live, 0);
  EXPECT_EQ(lease_holder(*c.client, "kube-controller-manager"), "other-server");
  plugin.stop();
}

TEST(SharedLeadership, MembersOfOneLeaseShareOneElectorAndLeadTogether) {
  auto client = std::make_shared<testing::FakeClient>();
  LeaseSettings lease;
  lease.name = "shared-test";
  lease.identity = "server-a";
  std::atomic<int> leading{0};
  auto callbacks = [&] { return LeaderCallbacks{[&] { ++leading; }, [&] { --leading; }}; };
  LeadershipMembership first = join_leadership(client, lease, callbacks());
  ASSERT_TRUE(eventually([&] { return leading == 1; }));
  // A later member of a leading group starts at once, without another Lease.
  LeaseSettings other = lease;
  other.identity = "ignored: the group's identity is the first member's";
  LeadershipMembership second = join_leadership(client, other, callbacks());
  EXPECT_EQ(leading, 2);
  EXPECT_EQ(client->objects().list(machinery::kLeases, "kube-system").items.size(), 1u);
  EXPECT_EQ(lease_holder(*client, "shared-test"), "server-a");
  first.reset();
  EXPECT_EQ(leading, 1);
  EXPECT_EQ(lease_holder(*client, "shared-test"), "server-a");  // still held for the second
  second.reset();
  EXPECT_EQ(leading, 0);
  EXPECT_EQ(lease_holder(*client, "shared-test"), "");
}

TEST(SharedLeadership, DifferentLeasesAreIndependent) {
  auto client = std::make_shared<testing::FakeClient>();
  LeaseSettings a, b;
  a.name = "lease-a";
  b.name = "lease-b";
  std::atomic<int> leading{0};
  LeadershipMembership ma = join_leadership(client, a, {[&] { ++leading; }, [&] { --leading; }});
  LeadershipMembership mb = join_leadership(client, b, {[&] { ++leading; }, [&] { --leading; }});
  ASSERT_TRUE(eventually([&] { return leading == 2; }));
  EXPECT_EQ(client->objects().list(machinery::kLeases, "kube-system").items.size(), 2u);
  ma.reset();
  EXPECT_EQ(lease_holder(*client, "lease-a"), "");
  EXPECT_FALSE(lease_holder(*client, "lease-b").empty());
}

}  // namespace
}  // namespace ukube::controller
