#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "kubelet/config.pb.h"
#include "kubelet/node_object.h"
#include "ukube/machinery/json.h"

namespace ukube::kubelet {
namespace {
namespace json = boost::json;

MachineInfo machine() {
  MachineInfo m;
  m.hostname = "box";
  m.cpus = 4;
  m.memory_bytes = 8LL << 30;
  m.disk_bytes = 100LL << 30;
  m.kernel_version = "6.1.0";
  m.os_image = "Debian GNU/Linux 12 (bookworm)";
  m.architecture = "amd64";
  m.machine_id = "mid";
  m.boot_id = "bid";
  m.system_uuid = "uuid";
  return m;
}

TEST(KubeletSettings, DefaultsFromTheMachineAndNamesForSimulatedNodes) {
  MachineInfo m = machine();
  KubeletConfig config;
  KubeletSettings one = kubelet_settings(config, m);
  EXPECT_EQ(one.node_names, (std::vector<std::string>{"box"}));
  EXPECT_EQ(one.capacity.at("cpu"), "4");
  EXPECT_EQ(one.capacity.at("memory"), "8388608Ki");
  EXPECT_EQ(one.capacity.at("pods"), "110");
  EXPECT_EQ(one.lease_renew, std::chrono::seconds(10));
  EXPECT_EQ(one.lease_duration_seconds, 40);
  config.set_nodes(3);
  config.set_node_name("sim");
  EXPECT_EQ(kubelet_settings(config, m).node_names, (std::vector<std::string>{"sim-0", "sim-1", "sim-2"}));
}

TEST(KubeletSettings, RefusesBadValuesNamingTheField) {
  MachineInfo m = machine();
  KubeletConfig bad_name;
  bad_name.set_node_name("Not_A_Node");
  EXPECT_THROW(kubelet_settings(bad_name, m), std::invalid_argument);
  KubeletConfig bad_quantity;
  (*bad_quantity.mutable_system_reserved())["memory"] = "lots";
  try {
    kubelet_settings(bad_quantity, m);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("system_reserved.memory"), std::string::npos) << e.what();
  }
  KubeletConfig bad_taint;
  bad_taint.add_register_with_taints("dedicated=gpu:Sometimes");
  EXPECT_THROW(kubelet_settings(bad_taint, m), std::invalid_argument);
}

TEST(NodeObject, ReportsCapacityLessReservationsAndUpstreamConditions) {
  MachineInfo m = machine();
  KubeletConfig config;
  (*config.mutable_system_reserved())["cpu"] = "500m";
  (*config.mutable_kube_reserved())["memory"] = "1Gi";
  config.add_register_with_taints("dedicated=gpu:NoSchedule");
  KubeletSettings s = kubelet_settings(config, m);
  NodeFacts facts{&s, &m, "box", {"fake", "0.1.0", "v1"}, true, "", {}};
  json::object node = node_registration(facts, "2026-05-01T10:00:00Z");
  EXPECT_EQ(machinery::string_at(node, {"metadata", "labels", "kubernetes.io/hostname"}), "box");
  const auto& taint = machinery::array_at(node, {"spec", "taints"})->at(0).as_object();
  EXPECT_EQ(taint.at("key"), "dedicated");
  EXPECT_EQ(taint.at("value"), "gpu");
  EXPECT_EQ(taint.at("effect"), "NoSchedule");
  const json::object& status = node.at("status").as_object();
  EXPECT_EQ(machinery::string_at(status, {"allocatable", "cpu"}), "3500m");
  // 8Gi - 1Gi reserved - 100Mi eviction threshold
  EXPECT_EQ(machinery::string_at(status, {"allocatable", "memory"}), "7068Mi");  // 7237632Ki, canonical
  EXPECT_EQ(machinery::string_at(status, {"nodeInfo", "containerRuntimeVersion"}), "fake://0.1.0");
  EXPECT_EQ(machinery::string_at(status, {"nodeInfo", "osImage"}), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(machinery::int_at(status, {"daemonEndpoints", "kubeletEndpoint", "Port"}), 10250);
  std::map<std::string, std::string> conditions;
  for (const auto& c : status.at("conditions").as_array())
    conditions[std::string(c.as_object().at("type").as_string())] = c.as_object().at("reason").as_string();
  EXPECT_EQ(conditions["Ready"], "KubeletReady");
  EXPECT_EQ(conditions["MemoryPressure"], "KubeletHasSufficientMemory");
  EXPECT_EQ(conditions["DiskPressure"], "KubeletHasNoDiskPressure");
  EXPECT_EQ(conditions["PIDPressure"], "KubeletHasSufficientPID");
}

TEST(NodeObject, TransitionTimesHoldWhileTheStatusHolds) {
  MachineInfo m = machine();
  KubeletSettings s = kubelet_settings(KubeletConfig(), m);
  NodeFacts facts{&s, &m, "box", {"fake", "0.1.0", "v1"}, true, "", {}};
  json::object first = node_status(facts, nullptr, "2026-05-01T10:00:00Z");
  json::object second = node_status(facts, &first, "2026-05-01T10:00:10Z");
  EXPECT_EQ(without_heartbeats(first), without_heartbeats(second));
  facts.runtime_ready = false;
  facts.runtime_problem = "RuntimeReady=false";
  json::object third = node_status(facts, &second, "2026-05-01T10:00:20Z");
  for (const auto& c : third.at("conditions").as_array()) {
    const auto& o = c.as_object();
    if (o.at("type") != "Ready") continue;
    EXPECT_EQ(o.at("status"), "False");
    EXPECT_EQ(o.at("reason"), "KubeletNotReady");
    EXPECT_EQ(o.at("lastTransitionTime"), "2026-05-01T10:00:20Z");
  }
}

TEST(NodeObject, ANetworkNotReadyKeepsTheNodeNotReadyWithUpstreamsMessage) {
  MachineInfo m = machine();
  KubeletSettings s = kubelet_settings(KubeletConfig(), m);
  NodeFacts facts{&s, &m, "box", {"fake", "0.1.0", "v1"}, true, "", {}};
  facts.network_problem = "NetworkReady=false reason:NetworkPluginNotReady message:no pod CIDR";
  json::object status = node_status(facts, nullptr, "2026-05-01T10:00:00Z");
  bool seen = false;
  for (const auto& c : status.at("conditions").as_array()) {
    const auto& o = c.as_object();
    if (o.at("type") != "Ready") continue;
    seen = true;
    EXPECT_EQ(o.at("status"), "False");
    EXPECT_EQ(o.at("reason"), "KubeletNotReady");
    EXPECT_EQ(o.at("message"),
              "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady "
              "message:no pod CIDR");
  }
  EXPECT_TRUE(seen);
}

TEST(NodeObject, PressureShowsInTheConditionsAndTheThresholdsInAllocatable) {
  MachineInfo m = machine();
  KubeletConfig config;
  (*config.mutable_eviction_hard())["memory.available"] = "1Gi";
  KubeletSettings s = kubelet_settings(config, m);
  EXPECT_EQ(s.eviction_hard, (std::map<std::string, std::string>{{"memory.available", "1Gi"}}));
  NodeFacts facts{&s, &m, "box", {"fake", "0.1.0", "v1"}, true, "", {}};
  facts.memory_pressure = true;
  facts.disk_pressure = true;
  json::object status = node_status(facts, nullptr, "2026-05-01T10:00:00Z");
  EXPECT_EQ(machinery::string_at(status, {"allocatable", "memory"}), "7Gi");  // 8Gi less the 1Gi threshold
  std::map<std::string, std::pair<std::string, std::string>> conditions;
  for (const auto& c : status.at("conditions").as_array()) {
    const auto& o = c.as_object();
    conditions[std::string(o.at("type").as_string())] = {std::string(o.at("status").as_string()),
                                                         std::string(o.at("reason").as_string())};
  }
  EXPECT_EQ(conditions["MemoryPressure"],
            std::make_pair(std::string("True"), std::string("KubeletHasInsufficientMemory")));
  EXPECT_EQ(conditions["DiskPressure"],
            std::make_pair(std::string("True"), std::string("KubeletHasDiskPressure")));

  KubeletConfig bad;
  (*bad.mutable_eviction_hard())["memory.free"] = "1Gi";
  EXPECT_THROW(kubelet_settings(bad, m), std::invalid_argument);
}

}  // namespace
}  // namespace ukube::kubelet
