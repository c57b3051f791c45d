#include "static_pods.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ukube/machinery/json.h"

namespace ukube::kubelet {
namespace {

namespace json = boost::json;
using machinery::string_at;

TEST(StaticPods, ManifestsInYamlJsonAndLists) {
  auto pods = manifest_pods(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n"
      "{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"name\":\"b\"}}]}\n",
      "m.yaml");
  ASSERT_EQ(pods.size(), 2u);
  EXPECT_EQ(string_at(pods[0], {"metadata", "name"}), "a");
  EXPECT_EQ(string_at(pods[1], {"metadata", "name"}), "b");
  EXPECT_THROW(manifest_pods("kind: Deployment\nmetadata: {name: d}\n", "d.yaml"), std::runtime_error);
  EXPECT_THROW(manifest_pods("kind: Pod\nmetadata: {}\n", "x.yaml"), std::runtime_error);
  EXPECT_THROW(manifest_pods("kind: [unclosed\n", "bad.yaml"), std::runtime_error);
}

TEST(StaticPods, DefaultsAsUpstreamsKubelet) {
  json::object manifest =
      json::parse(R"({"kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[]}})").as_object();
  json::object pod = static_pod(manifest, "Node-1", "file", "/m/web.yaml");
  EXPECT_EQ(string_at(pod, {"metadata", "name"}), "web-node-1");
  EXPECT_EQ(string_at(pod, {"metadata", "namespace"}), "default");
  EXPECT_EQ(string_at(pod, {"spec", "nodeName"}), "Node-1");
  const std::string hash = string_at(pod, {"metadata", "annotations", "kubernetes.io/config.hash"});
  EXPECT_EQ(hash.size(), 32u);
  EXPECT_EQ(string_at(pod, {"metadata", "uid"}), hash);
  EXPECT_EQ(string_at(pod, {"metadata", "annotations", "kubernetes.io/config.source"}), "file");
  EXPECT_EQ(json::serialize(pod.at("spec").at("tolerations")),
            R"([{"operator":"Exists","effect":"NoExecute"}])");
  // The same manifest on the same node hashes the same; another node or source does not.
  EXPECT_EQ(string_at(static_pod(manifest, "Node-1", "file", "/m/web.yaml"),
                      {"metadata", "annotations", "kubernetes.io/config.hash"}),
            hash);
  EXPECT_NE(string_at(static_pod(manifest, "node-2", "file", "/m/web.yaml"),
                      {"metadata", "annotations", "kubernetes.io/config.hash"}),
            hash);
}

TEST(StaticPods, TheMirrorPodIsOwnedByTheNode) {
  json::object pod = static_pod(json::parse(R"({"metadata":{"name":"web"}})").as_object(), "n1", "file", "f");
  json::object mirror = mirror_pod(pod, "node-uid");
  EXPECT_FALSE(machinery::value_at(mirror, {"metadata", "uid"}));
  EXPECT_EQ(string_at(mirror, {"metadata", "annotations", "kubernetes.io/config.mirror"}),
            string_at(pod, {"metadata", "annotations", "kubernetes.io/config.hash"}));
  const auto& owner = mirror.at("metadata").at("ownerReferences").at(0).as_object();
  EXPECT_EQ(owner.at("kind"), "Node");
  EXPECT_EQ(owner.at("name"), "n1");
  EXPECT_EQ(owner.at("uid"), "node-uid");
  EXPECT_EQ(owner.at("controller"), true);
}

}  // namespace
}  // namespace ukube::kubelet
