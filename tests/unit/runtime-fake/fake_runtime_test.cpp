// The fake runtime as a provider of simulated nodes, and its plugin shell.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <set>

#include "fake_runtime_plugin.h"
#include "fake_test_support.h"
#include "ukube/testing/mocks/plugin.h"

namespace ukube::runtime::fake::testing {
namespace {

using ::testing::ReturnRef;

TEST(FakeRuntimeNodes, EachNodeHasItsOwnPodsAndSharesTheIpPool) {
  FakeOnManualClock fake;
  auto a = fake.runtime->driver_for_node("node-a");
  auto b = fake.runtime->driver_for_node("node-b");
  EXPECT_EQ(a.get(), fake.driver.get()) << "one driver per node name";
  EXPECT_NE(a.get(), b.get());
  EXPECT_EQ(fake.runtime->node_count(), 2u);

  const std::string on_a = a->run_pod_sandbox(fake.sandbox_config("web"));
  const std::string on_b = b->run_pod_sandbox(fake.sandbox_config("web"));  // same name, other node
  EXPECT_EQ(a->list_pod_sandboxes({}).size(), 1u);
  EXPECT_EQ(b->list_pod_sandboxes({}).size(), 1u);
  EXPECT_THROW(b->pod_sandbox_status(on_a), RuntimeError);
  EXPECT_NE(a->pod_sandbox_status(on_a).ip, b->pod_sandbox_status(on_b).ip) << "IPs unique across nodes";
  EXPECT_NO_THROW(b->remove_pod_sandbox(on_a)) << "another node's id is unknown here";
  EXPECT_EQ(a->list_pod_sandboxes({}).size(), 1u);

  EXPECT_THROW(fake.runtime->driver_for_node(""), std::invalid_argument);
}

// The kubelet reads one pod's records by its namespace and name labels on every sync.
TEST(FakeRuntimeNodes, OnePodsRecordsAreFoundByItsLabelsAndOnlyThey) {
  FakeOnManualClock fake;
  auto labelled = [&](const std::string& ns, const std::string& name, uint32_t attempt) {
    PodSandboxConfig config = fake.sandbox_config(name);
    config.metadata = {name, "uid-" + ns + "-" + name, ns, attempt};
    config.labels = {{label::kPodNamespace, ns}, {label::kPodName, name}, {"tier", "web"}};
    const std::string sandbox = fake.driver->run_pod_sandbox(config);
    ContainerConfig container;
    container.metadata = {"app", attempt};
    container.image = "nginx";
    container.labels = config.labels;
    return std::make_pair(sandbox, fake.driver->create_container(sandbox, container, config));
  };
  const auto first = labelled("default", "web", 0);
  const auto second = labelled("default", "web", 1);
  labelled("other", "web", 0);      // same name, another namespace
  labelled("default", "web-2", 0);  // another pod

  auto sandboxes_of = [&](Labels selector) {
    PodSandboxFilter filter;
    filter.label_selector = std::move(selector);
    std::set<std::string> ids;
    for (const auto& s : fake.driver->list_pod_sandboxes(filter)) ids.insert(s.id);
    return ids;
  };
  auto containers_of = [&](Labels selector) {
    ContainerFilter filter;
    filter.label_selector = std::move(selector);
    std::set<std::string> ids;
    for (const auto& c : fake.driver->list_containers(filter)) ids.insert(c.id);
    return ids;
  };
  const Labels web = {{label::kPodNamespace, "default"}, {label::kPodName, "web"}};
  EXPECT_EQ(sandboxes_of(web), (std::set<std::string>{first.first, second.first}));
  EXPECT_EQ(containers_of(web), (std::set<std::string>{first.second, second.second}));
  Labels web_elsewhere = web;
  web_elsewhere["tier"] = "db";
  EXPECT_TRUE(sandboxes_of(web_elsewhere).empty()) << "the rest of the selector still applies";
  EXPECT_TRUE(containers_of(web_elsewhere).empty());
  EXPECT_EQ(sandboxes_of({{"tier", "web"}}).size(), 4u) << "a selector naming no pod sees every record";
  EXPECT_EQ(containers_of({{label::kPodName, "web"}}).size(), 3u);

  fake.driver->remove_container(second.second);
  fake.driver->remove_pod_sandbox(first.first);  // takes its container with it
  EXPECT_EQ(sandboxes_of(web), (std::set<std::string>{second.first}));
  EXPECT_TRUE(containers_of(web).empty());
  fake.driver->remove_pod_sandbox(second.first);
  EXPECT_TRUE(sandboxes_of(web).empty());
  EXPECT_EQ(fake.driver->list_pod_sandboxes({}).size(), 2u);
}

TEST(FakeRuntimeNodes, SandboxIpsComeFromThePodCidrAndReturnOnRemoval) {
  FakeRuntimeConfig config;
  config.set_pod_cidr("10.9.0.0/30");  // two addresses
  FakeOnManualClock fake(config);
  const std::string first = fake.run_sandbox("one");
  EXPECT_EQ(fake.driver->pod_sandbox_status(first).ip, "10.9.0.1");
  EXPECT_EQ(fake.driver->pod_sandbox_status(fake.run_sandbox("two")).ip, "10.9.0.2");
  try {
    fake.run_sandbox("three");
    ADD_FAILURE() << "a third IP from a /30";
  } catch (const RuntimeError& e) {
    EXPECT_EQ(e.code(), RuntimeError::Code::Unavailable);
  }
  PodSandboxConfig host = fake.sandbox_config("host");
  host.host_network = true;
  EXPECT_EQ(fake.driver->pod_sandbox_status(fake.driver->run_pod_sandbox(host)).ip, "")
      << "host network: no IP";

  fake.driver->stop_pod_sandbox(first);
  EXPECT_EQ(fake.driver->pod_sandbox_status(first).ip, "10.9.0.1") << "kept until removal";
  fake.driver->remove_pod_sandbox(first);
  EXPECT_EQ(fake.driver->pod_sandbox_status(fake.run_sandbox("four")).ip, "10.9.0.1") << "wrapped, reused";
}

TEST(FakeRuntimeNodes, DefaultPodCidrIsTheClustersAndABadOneIsRefused) {
  FakeOnManualClock fake;
  EXPECT_EQ(fake.driver->pod_sandbox_status(fake.run_sandbox("first")).ip, "10.42.0.1");

  FakeRuntimeConfig bad;
  bad.set_pod_cidr("10.42.0.0/40");
  EXPECT_THROW(FakeRuntime{bad}, std::invalid_argument);
}

TEST(FakeRuntimeNodes, ShutdownReleasesCallersWaitingForAKill) {
  FakeRuntimeConfig config;
  (*config.mutable_images())["stubborn"].set_ignores_sigterm(true);
  FakeOnManualClock fake(config);
  const std::string id = fake.create("web", "stubborn");
  fake.driver->start_container(id);
  auto stop = std::async(std::launch::async, [&] { fake.driver->stop_container(id, std::chrono::hours(1)); });
  ASSERT_TRUE(fake.clock->wait_for_pending(1));
  fake.runtime->shutdown();
  EXPECT_EQ(stop.wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

TEST(FakeRuntimePlugin, ServesNodesFromItsConfigAndStopsItsTimer) {
  FakeRuntimePlugin plugin;
  EXPECT_THROW(plugin.driver_for_node("node-a"), std::logic_error) << "before init";

  FakeRuntimeConfig config;
  config.set_pod_cidr("10.77.0.0/24");
  ukube::testing::MockInitContext ctx;
  EXPECT_CALL(ctx, config()).WillRepeatedly(ReturnRef(config));
  plugin.init(ctx);
  plugin.start();
  auto driver = plugin.driver_for_node("node-a");
  PodSandboxConfig sandbox;
  sandbox.metadata = {"web", "uid-1", "default", 0};
  const std::string id = driver->run_pod_sandbox(sandbox);
  EXPECT_EQ(driver->pod_sandbox_status(id).ip, "10.77.0.1");
  EXPECT_EQ(driver->version().runtime_name, "ukube-fake");

  FakeRuntimeConfig reloaded = config;
  (*reloaded.mutable_images())["nginx"].set_exit_code(3);
  EXPECT_TRUE(plugin.reconfigure(reloaded)) << "image behaviours change in place";
  EXPECT_NO_THROW(driver->pod_sandbox_status(id)) << "pods survive the reload";
  reloaded.set_pod_cidr("10.78.0.0/24");
  EXPECT_FALSE(plugin.reconfigure(reloaded)) << "another pod CIDR needs a new plugin";
  plugin.stop();
}

TEST(FakeRuntimePlugin, RefusesABadPodCidrAtInit) {
  FakeRuntimePlugin plugin;
  FakeRuntimeConfig config;
  config.set_pod_cidr("not-a-cidr");
  ukube::testing::MockInitContext ctx;
  EXPECT_CALL(ctx, config()).WillRepeatedly(ReturnRef(config));
  try {
    plugin.init(ctx);
    ADD_FAILURE() << "init accepted a bad pod_cidr";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("not-a-cidr"));
  }
}

}  // namespace
}  // namespace ukube::runtime::fake::testing
