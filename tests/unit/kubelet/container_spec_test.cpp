#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "kubelet/container_spec.h"
#include "ukube/base64.h"

namespace ukube::kubelet {
namespace {
namespace json = boost::json;

json::object test_pod() {
  return json::parse(R"({
    "metadata": {"name": "web", "namespace": "shop", "uid": "u-1", "labels": {"app": "web"},
                 "annotations": {"team": "blue"}},
    "spec": {"nodeName": "n1", "serviceAccountName": "sa", "terminationGracePeriodSeconds": 12,
             "containers": [{"name": "c", "image": "img", "ports": [{"containerPort": 80, "hostPort": 8080}]}]}
  })")
      .as_object();
}

TEST(ExpandVars, ReplacesDefinedEscapesDollarsAndKeepsUnknown) {
  std::map<std::string, std::string> vars{{"A", "1"}, {"B", "two"}};
  EXPECT_EQ(expand_vars("$(A)-$(B)", vars), "1-two");
  EXPECT_EQ(expand_vars("$$(A)", vars), "$(A)");
  EXPECT_EQ(expand_vars("$(MISSING) $(A", vars), "$(MISSING) $(A");
  EXPECT_EQ(expand_vars("cost $5", vars), "cost $5");
}

TEST(SandboxConfig, CarriesIdentityLabelsLogDirAndHostPorts) {
  json::object pod = test_pod();
  PodContext ctx{&pod, "n1", "10.0.0.1", "", "/logs"};
  runtime::PodSandboxConfig c = sandbox_config(ctx, 2);
  EXPECT_EQ(c.metadata.name, "web");
  EXPECT_EQ(c.metadata.namespace_, "shop");
  EXPECT_EQ(c.metadata.uid, "u-1");
  EXPECT_EQ(c.metadata.attempt, 2u);
  EXPECT_EQ(c.hostname, "web");
  EXPECT_EQ(c.log_directory, "/logs/shop_web_u-1");
  EXPECT_EQ(c.labels.at("app"), "web");
  EXPECT_EQ(c.labels.at(runtime::label::kPodUid), "u-1");
  EXPECT_EQ(c.annotations.at("team"), "blue");
  ASSERT_EQ(c.port_mappings.size(), 1u);
  EXPECT_EQ(c.port_mappings[0].host_port, 8080);
  EXPECT_EQ(c.port_mappings[0].container_port, 80);
}

TEST(ContainerConfig, ResolvesEveryEnvSourceInOrderAndExpandsCommand) {
  json::object pod = test_pod();
  json::object container = json::parse(R"JSON({
    "name": "c", "image": "img", "command": ["run", "$(GREETING)"], "args": ["--pod=$(POD)"],
    "workingDir": "/w",
    "envFrom": [{"configMapRef": {"name": "cfg"}, "prefix": "CFG_"}],
    "env": [
      {"name": "GREETING", "value": "hi-$(CFG_color)"},
      {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
      {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
      {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
      {"name": "PASS", "valueFrom": {"secretKeyRef": {"name": "sec", "key": "password"}}},
      {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}}
    ],
    "resources": {"limits": {"memory": "64Mi"}}
  })JSON")
                               .as_object();
  auto lookup = [](const std::string& kind, const std::string& ns, const std::string& name) -> ObjectPtr {
    EXPECT_EQ(ns, "shop");
    if (kind == "ConfigMap" && name == "cfg")
      return std::make_shared<json::object>(json::parse(R"({"data": {"color": "red"}})").as_object());
    if (kind == "Secret" && name == "sec")
      return std::make_shared<json::object>(
          json::object{{"data", json::object{{"password", base64_encode("s3cret")}}}});
    return nullptr;
  };
  PodContext ctx{&pod, "n1", "10.0.0.1", "10.42.0.5", "/logs"};
  runtime::ContainerConfig c = container_config(ctx, container, 3, lookup);
  std::map<std::string, std::string> env;
  for (const auto& kv : c.envs) env[kv.key] = kv.value;
  EXPECT_EQ(env["CFG_color"], "red");
  EXPECT_EQ(env["GREETING"], "hi-red");
  EXPECT_EQ(env["POD"], "web");
  EXPECT_EQ(env["APP"], "web");
  EXPECT_EQ(env["IP"], "10.42.0.5");
  EXPECT_EQ(env["PASS"], "s3cret");
  EXPECT_EQ(env["MEM"], "64");
  EXPECT_EQ(c.envs.front().key, "CFG_color");  // envFrom first, as upstream
  EXPECT_EQ(c.command, (std::vector<std::string>{"run", "hi-red"}));
  EXPECT_EQ(c.args, (std::vector<std::string>{"--pod=web"}));
  EXPECT_EQ(c.working_dir, "/w");
  EXPECT_EQ(c.metadata.attempt, 3u);
  EXPECT_EQ(c.log_path, "c/3.log");
  EXPECT_EQ(c.labels.at(runtime::label::kContainerName), "c");
  EXPECT_EQ(c.annotations.at(runtime::label::kRestartCount), "3");
  EXPECT_EQ(c.annotations.at(runtime::label::kTerminationGracePeriod), "12");
  EXPECT_EQ(c.annotations.at(runtime::label::kContainerHash), container_hash(container));
}

TEST(ContainerConfig, AMissingSourceIsUpstreamsConfigError) {
  json::object pod = test_pod();
  auto none = [](const std::string&, const std::string&, const std::string&) { return ObjectPtr(); };
  PodContext ctx{&pod, "n1", "10.0.0.1", "", "/logs"};
  json::object c1 =
      json::parse(
          R"({"name": "c", "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "gone", "key": "k"}}}]})")
          .as_object();
  try {
    container_config(ctx, c1, 0, none);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "configmap \"gone\" not found");
  }
  json::object c2 =
      json::parse(
          R"({"name": "c", "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "gone", "key": "k", "optional": true}}}]})")
          .as_object();
  EXPECT_TRUE(container_config(ctx, c2, 0, none).envs.empty());
}

TEST(ContainerHash, FollowsTheSpec) {
  json::object a = json::parse(R"({"name": "c", "image": "x:1"})").as_object();
  json::object b = json::parse(R"({"name": "c", "image": "x:2"})").as_object();
  EXPECT_EQ(container_hash(a), container_hash(a));
  EXPECT_NE(container_hash(a), container_hash(b));
  EXPECT_EQ(container_hash(a).size(), 16u);
}

}  // namespace
}  // namespace ukube::kubelet
