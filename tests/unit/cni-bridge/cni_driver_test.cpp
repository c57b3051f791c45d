#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "cni-bridge/cni_driver.h"
#include "cni-bridge/config.pb.h"
#include "cni-bridge/settings.h"
#include "tests/support/mounts.h"
#include "tests/support/pod_network.h"

namespace ukube::network::cni {
namespace {
namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ukube::testing::shell;
using ukube::testing::TestNetns;

constexpr const char* kBridge = "ukt-cni-unit";
constexpr const char* kNetwork = "ukt-cni-unit";
constexpr const char* kCidr = "10.42.251.0/24";

class CniDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = ukube::testing::pod_network_unavailable(); !why.empty())
      GTEST_SKIP() << "SKIPPED: " << why;
    dir_ = fs::temp_directory_path() / ("ukube-cni-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    ukube::testing::remove_pod_network(kBridge, kNetwork);
    driver_ = make();
  }
  void TearDown() override {
    for (const auto& id : attached_) {
      PodNetwork gone;
      gone.sandbox_id = id;
      try {
        if (driver_) driver_->remove(gone);
      } catch (const std::exception&) {
      }
    }
    namespaces_.clear();
    driver_.reset();
    if (!dir_.empty()) {
      ukube::testing::unmount_under(dir_);  // pinned namespaces a failed test left
      ukube::testing::remove_pod_network(kBridge, kNetwork);
      fs::remove_all(dir_);
    }
  }

  std::shared_ptr<CniDriver> make() {
    cni_bridge::CniBridgeConfig config;
    config.set_bridge(kBridge);
    config.set_network_name(kNetwork);
    return std::make_shared<CniDriver>(settings_from(config, dir_), nullptr);
  }

  // A sandbox: a namespace of its own and its attachment request.
  PodNetwork sandbox(const std::string& id) {
    namespaces_.push_back(std::make_unique<TestNetns>("ukt-cni-" + id));
    PodNetwork pod;
    pod.sandbox_id = id;
    pod.netns = namespaces_.back()->path();
    pod.pod_name = "pod-" + id;
    pod.pod_namespace = "default";
    pod.pod_uid = "uid-" + id;
    attached_.push_back(id);
    return pod;
  }
  const TestNetns& netns(size_t i) const { return *namespaces_.at(i); }
  bool lease_exists(const std::string& ip) const { return fs::exists(dir_ / "ipam" / kNetwork / ip); }

  fs::path dir_;
  std::shared_ptr<CniDriver> driver_;
  std::vector<std::unique_ptr<TestNetns>> namespaces_;
  std::vector<std::string> attached_;
};

TEST_F(CniDriverTest, IsNotReadyUntilTheNodeHasAPodCidr) {
  NetworkStatus status = driver_->status();
  EXPECT_FALSE(status.ready);
  EXPECT_EQ(status.reason, "NetworkPluginNotReady");
  EXPECT_THAT(status.message, HasSubstr("spec.podCIDR"));
  EXPECT_THROW(driver_->add(sandbox("a1")), NetworkError);
  driver_->configure({{kCidr}});
  EXPECT_TRUE(driver_->status().ready);
  EXPECT_TRUE(fs::exists(dir_ / "10-ukt-cni-unit.conflist"));
}

TEST_F(CniDriverTest, AttachedSandboxesGetAddressesOfTheCidrAndReachEachOther) {
  driver_->configure({{kCidr}});
  PodNetwork first = sandbox("a1");
  Attachment a = driver_->add(first);
  Attachment b = driver_->add(sandbox("b1"));
  ASSERT_EQ(a.ips.size(), 1u);
  ASSERT_EQ(b.ips.size(), 1u);
  EXPECT_TRUE(a.ips[0].starts_with("10.42.251.")) << a.ips[0];
  EXPECT_NE(a.ips[0], b.ips[0]);
  EXPECT_EQ(a.gateway, "10.42.251.1");
  EXPECT_EQ(a.interface, "eth0");
  EXPECT_THAT(netns(0).exec("ip -4 addr show eth0").out, HasSubstr(a.ips[0] + "/24"));
  auto ping = netns(0).exec("busybox ping -c 1 -W 2 " + b.ips[0]);
  EXPECT_TRUE(ping.ok()) << ping.out;
  auto loopback = netns(1).exec("busybox ping -c 1 -W 2 127.0.0.1");
  EXPECT_TRUE(loopback.ok()) << "lo is up in the sandbox: " << loopback.out;
  auto gateway = netns(1).exec("busybox ping -c 1 -W 2 10.42.251.1");
  EXPECT_TRUE(gateway.ok()) << "the bridge answers as the gateway: " << gateway.out;
  EXPECT_NO_THROW(driver_->check(first));
}

TEST_F(CniDriverTest, ARestartedDriverReadsBackWhatItAttached) {
  driver_->configure({{kCidr}});
  PodNetwork pod = sandbox("a1");
  Attachment before = driver_->add(pod);
  driver_ = make();  // the daemon restarted: nothing in memory
  auto after = driver_->attachment("a1");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->ips, before.ips);
  EXPECT_THAT(driver_->attached_sandboxes(), Contains("a1"));
  EXPECT_NO_THROW(driver_->check(pod)) << "CHECK works from the record, before any configure()";
  // Removal works without configure() too: the record carries the configs ADD ran.
  driver_->remove(pod);
  EXPECT_FALSE(lease_exists(before.ips[0]));
}

TEST_F(CniDriverTest, RemoveReleasesTheAddressAndTheLinkAndIsIdempotent) {
  driver_->configure({{kCidr}});
  PodNetwork pod = sandbox("a1");
  Attachment a = driver_->add(pod);
  EXPECT_TRUE(lease_exists(a.ips[0]));
  const std::string ports_before = shell(std::string("ip -o link show master ") + kBridge).out;
  EXPECT_THAT(ports_before, HasSubstr("veth"));
  driver_->remove(pod);
  EXPECT_FALSE(driver_->attachment("a1"));
  EXPECT_THAT(driver_->attached_sandboxes(), Not(Contains("a1")));
  EXPECT_FALSE(lease_exists(a.ips[0]));
  EXPECT_THAT(shell(std::string("ip -o link show master ") + kBridge).out, Not(HasSubstr("veth")));
  EXPECT_THAT(netns(0).exec("ip link").out, Not(HasSubstr("eth0")));
  EXPECT_THROW(driver_->check(pod), NetworkError);
  EXPECT_NO_THROW(driver_->remove(pod));
  EXPECT_THAT(shell("iptables -t nat -S POSTROUTING").out, Not(HasSubstr(kNetwork)))
      << "the masquerade rule went with the attachment";
}

TEST_F(CniDriverTest, RemovalAfterTheSandboxNamespaceIsGoneStillUndoesEverything) {
  driver_->configure({{kCidr}});
  PodNetwork pod = sandbox("e1");
  Attachment e = driver_->add(pod);
  namespaces_.clear();  // the sandbox's processes and its named namespace are gone
  PodNetwork gone;
  gone.sandbox_id = "e1";
  driver_->remove(gone);
  EXPECT_FALSE(lease_exists(e.ips[0]));
  EXPECT_THAT(shell("iptables -t nat -S POSTROUTING").out, Not(HasSubstr("id: \\\"e1\\\"")));
  EXPECT_THAT(shell(std::string("ip -o link show master ") + kBridge).out, Not(HasSubstr("veth")));
  EXPECT_TRUE(fs::is_empty(dir_ / "netns")) << "the pinned namespace is released";
}

TEST_F(CniDriverTest, ALeaseWithoutARecordIsListedAndReleased) {
  driver_->configure({{kCidr}});
  PodNetwork pod = sandbox("c1");
  Attachment c = driver_->add(pod);
  // A crash between host-local's lease and the record: only the lease is left.
  fs::remove(dir_ / "attachments" / "c1.json");
  driver_ = make();
  driver_->configure({{kCidr}});
  EXPECT_FALSE(driver_->attachment("c1"));
  EXPECT_THAT(driver_->attached_sandboxes(), Contains("c1"));
  PodNetwork gone;
  gone.sandbox_id = "c1";
  driver_->remove(gone);  // the namespace is gone too, as after a crash
  EXPECT_FALSE(lease_exists(c.ips[0]));
  EXPECT_THAT(driver_->attached_sandboxes(), Not(Contains("c1")));
}

TEST_F(CniDriverTest, AFailedAttachSaysWhichPluginFailedAndLeavesNoLease) {
  driver_->configure({{kCidr}});
  PodNetwork pod = sandbox("d1");
  pod.netns = "/run/netns/ukt-cni-no-such-namespace";
  try {
    driver_->add(pod);
    FAIL() << "expected NetworkError";
  } catch (const NetworkError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot pin the network namespace /run/netns/ukt-cni-no-such-namespace"));
  }
  EXPECT_THAT(driver_->attached_sandboxes(), Not(Contains("d1")));
  PodNetwork bad = pod;
  bad.sandbox_id = "bad/id";
  EXPECT_THROW(driver_->add(bad), NetworkError);
}

}  // namespace
}  // namespace ukube::network::cni
