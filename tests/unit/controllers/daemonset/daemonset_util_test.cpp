#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "controllers/daemonset/daemonset_history.h"
#include "controllers/daemonset/daemonset_util.h"
#include "ukube/machinery/json.h"

namespace ukube::controllers::daemonset {
namespace {

namespace json = boost::json;

json::object node(const std::string& name, json::object labels = {}, json::array taints = {}) {
  return {{"metadata", json::object{{"name", name}, {"labels", std::move(labels)}}},
          {"spec", json::object{{"taints", std::move(taints)}}}};
}

json::object taint(const std::string& key, const std::string& effect) {
  return {{"key", key}, {"value", "x"}, {"effect", effect}};
}

json::object daemon_spec(json::object spec = {}) {
  add_daemon_tolerations(spec);
  return spec;
}

TEST(NodeShouldRun, PlainNodeRunsAndKeeps) {
  auto fit = node_should_run(daemon_spec(), node("a"));
  EXPECT_TRUE(fit.should_run);
  EXPECT_TRUE(fit.should_continue_running);
}

TEST(NodeShouldRun, NodeSelectorMismatchNeitherRunsNorKeeps) {
  json::object spec{{"nodeSelector", json::object{{"disk", "ssd"}}}};
  EXPECT_FALSE(node_should_run(daemon_spec(spec), node("a", {{"disk", "hdd"}})).should_continue_running);
  EXPECT_TRUE(node_should_run(daemon_spec(spec), node("a", {{"disk", "ssd"}})).should_run);
}

TEST(NodeShouldRun, RequiredAffinityCounts) {
  json::object spec =
      json::parse(R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
      {"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["z1"]}]}]}}}})")
          .as_object();
  EXPECT_TRUE(node_should_run(daemon_spec(spec), node("a", {{"zone", "z1"}})).should_run);
  EXPECT_FALSE(node_should_run(daemon_spec(spec), node("a", {{"zone", "z2"}})).should_run);
}

TEST(NodeShouldRun, NoScheduleTaintKeepsRunningPodButPlacesNone) {
  auto fit = node_should_run(daemon_spec(), node("a", {}, {taint("dedicated", "NoSchedule")}));
  EXPECT_FALSE(fit.should_run);
  EXPECT_TRUE(fit.should_continue_running);
}

TEST(NodeShouldRun, NoExecuteTaintEvicts) {
  auto fit = node_should_run(daemon_spec(), node("a", {}, {taint("dedicated", "NoExecute")}));
  EXPECT_FALSE(fit.should_run);
  EXPECT_FALSE(fit.should_continue_running);
}

TEST(NodeShouldRun, PreferNoScheduleIsIgnored) {
  EXPECT_TRUE(
      node_should_run(daemon_spec(), node("a", {}, {taint("dedicated", "PreferNoSchedule")})).should_run);
}

TEST(NodeShouldRun, TemplateTolerationAllowsTaintedNode) {
  json::object spec = json::parse(R"({"tolerations":[{"key":"dedicated","operator":"Exists"}]})").as_object();
  EXPECT_TRUE(
      node_should_run(daemon_spec(spec), node("a", {}, {taint("dedicated", "NoExecute")})).should_run);
}

TEST(NodeShouldRun, ImplicitTolerationsCoverNodeConditionTaints) {
  for (const char* key : {"node.kubernetes.io/unschedulable", "node.kubernetes.io/disk-pressure",
                          "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure"})
    EXPECT_TRUE(node_should_run(daemon_spec(), node("a", {}, {taint(key, "NoSchedule")})).should_run) << key;
  for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"})
    EXPECT_TRUE(node_should_run(daemon_spec(), node("a", {}, {taint(key, "NoExecute")})).should_run) << key;
  // network-unavailable only for hostNetwork pods.
  auto network = taint("node.kubernetes.io/network-unavailable", "NoSchedule");
  EXPECT_FALSE(node_should_run(daemon_spec(), node("a", {}, {network})).should_run);
  EXPECT_TRUE(node_should_run(daemon_spec({{"hostNetwork", true}}), node("a", {}, {network})).should_run);
}

TEST(NodeShouldRun, TemplateNodeNameRestricts) {
  EXPECT_FALSE(node_should_run(daemon_spec({{"nodeName", "b"}}), node("a")).should_run);
  EXPECT_TRUE(node_should_run(daemon_spec({{"nodeName", "a"}}), node("a")).should_run);
}

TEST(DaemonTolerations, AddedOnceEach) {
  json::object spec;
  add_daemon_tolerations(spec);
  add_daemon_tolerations(spec);
  EXPECT_EQ(spec.at("tolerations").as_array().size(), 6u);
}

TEST(RequireNode, AddsMatchFieldsAndKeepsExpressions) {
  json::object spec =
      json::parse(R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
      {"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["z1"]}]}]}}}})")
          .as_object();
  require_node(spec, "n1");
  json::object pod{{"spec", spec}};
  EXPECT_EQ(target_node(pod), "n1");
  const auto& term = spec.at("affinity")
                         .at("nodeAffinity")
                         .at("requiredDuringSchedulingIgnoredDuringExecution")
                         .at("nodeSelectorTerms")
                         .as_array()[0]
                         .as_object();
  EXPECT_EQ(term.at("matchExpressions").as_array().size(), 1u);
  EXPECT_EQ(machinery::string_at(term.at("matchFields").as_array()[0].as_object(), {"key"}), "metadata.name");
}

TEST(RequireNode, WithoutAffinity) {
  json::object spec;
  require_node(spec, "n2");
  EXPECT_EQ(target_node(json::object{{"spec", spec}}), "n2");
  EXPECT_EQ(target_node(json::object{{"spec", json::object{{"nodeName", "n3"}}}}), "n3");
  EXPECT_EQ(target_node(json::object{}), "");
}

TEST(PodTemplateForNode, CarriesHashGenerationTolerationsAndNode) {
  json::object ds = json::parse(R"({"metadata":{"name":"ds","generation":3},
      "spec":{"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}})")
                        .as_object();
  auto t = pod_template_for_node(ds, "abc", "n1");
  EXPECT_EQ(machinery::string_at(t, {"metadata", "labels", kRevisionHashLabel}), "abc");
  EXPECT_EQ(machinery::string_at(t, {"metadata", "labels", "app"}), "x");
  EXPECT_EQ(machinery::string_at(t, {"metadata", "annotations", kTemplateGenerationAnnotation}), "3");
  EXPECT_EQ(target_node(t), "n1");
  EXPECT_EQ(machinery::array_at(t, {"spec", "tolerations"})->size(), 6u);
}

TEST(UpdateBudget, NumbersAndPercentages) {
  json::object ds =
      json::parse(R"({"spec":{"updateStrategy":{"rollingUpdate":{"maxUnavailable":"10%","maxSurge":0}}}})")
          .as_object();
  auto budget = update_budget(ds, 4);
  EXPECT_EQ(budget.max_unavailable, 1);  // 0.4 rounds to 0: one is allowed anyway
  EXPECT_EQ(budget.max_surge, 0);
  ds = json::parse(R"({"spec":{"updateStrategy":{"rollingUpdate":{"maxUnavailable":0,"maxSurge":"50%"}}}})")
           .as_object();
  budget = update_budget(ds, 4);
  EXPECT_EQ(budget.max_unavailable, 0);
  EXPECT_EQ(budget.max_surge, 2);
}

TEST(TemplateHash, StableAcrossKeyOrderAndMovedByCollisions) {
  json::object a = json::parse(R"({"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"x":1}})").as_object();
  json::object b = json::parse(R"({"spec":{"x":1},"metadata":{"labels":{"b":"2","a":"1"}}})").as_object();
  EXPECT_EQ(template_hash(a, std::nullopt), template_hash(b, std::nullopt));
  EXPECT_NE(template_hash(a, std::nullopt), template_hash(a, 1));
  EXPECT_EQ(template_hash(a, std::nullopt).find_first_not_of("bcdfghjklmnpqrstvwxz2456789"),
            std::string::npos);
}

TEST(RevisionData, ReplacesTheWholeTemplate) {
  json::object ds = json::parse(R"({"spec":{"template":{"spec":{"containers":[]}}}})").as_object();
  auto data = revision_data(ds);
  EXPECT_EQ(machinery::string_at(data, {"spec", "template", "$patch"}), "replace");
}

}  // namespace
}  // namespace ukube::controllers::daemonset
