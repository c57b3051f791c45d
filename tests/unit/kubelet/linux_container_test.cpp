// What the kubelet derives for a Linux container from the pod spec: cgroup resources, the
// security context, the pod's cgroup, and registry credentials from imagePullSecrets.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "kubelet/linux_container.h"
#include "kubelet/pull_credentials.h"
#include "ukube/base64.h"

namespace ukube::kubelet {
namespace {
namespace json = boost::json;

json::object parse(const char* text) {
  return json::parse(text).as_object();
}

TEST(ContainerResources, SharesFromTheRequestQuotaFromTheLimitAsUpstream) {
  auto r = container_resources(parse(R"({"resources": {"requests": {"cpu": "250m"},
                                                          "limits": {"cpu": "500m", "memory": "64Mi"}}})"));
  EXPECT_EQ(r.cpu_shares, 256);
  EXPECT_EQ(r.cpu_period, 100000);
  EXPECT_EQ(r.cpu_quota, 50000);
  EXPECT_EQ(r.memory_limit_in_bytes, 64 * 1024 * 1024);
  // A limit alone is the request too; nothing at all is the minimum share, no quota.
  EXPECT_EQ(container_resources(parse(R"({"resources": {"limits": {"cpu": "2"}}})")).cpu_shares, 2048);
  auto none = container_resources(parse(R"({"name": "c"})"));
  EXPECT_EQ(none.cpu_shares, 2);
  EXPECT_EQ(none.cpu_quota, 0);
  EXPECT_EQ(none.memory_limit_in_bytes, 0);
}

TEST(ContainerSecurity, TheContainersContextOverThePods) {
  auto pod_spec = parse(R"({"securityContext": {"runAsUser": 1000, "runAsGroup": 3000,
                                                 "supplementalGroups": [4000], "fsGroup": 2000}})");
  auto s = container_security(pod_spec, parse(R"({"securityContext": {"runAsUser": 1001,
      "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false,
      "capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}})"));
  EXPECT_EQ(s.run_as_user, 1001);
  EXPECT_EQ(s.run_as_group, 3000);
  EXPECT_EQ(s.supplemental_groups, (std::vector<int64_t>{4000, 2000}));
  EXPECT_TRUE(s.readonly_rootfs);
  EXPECT_TRUE(s.no_new_privileges);
  EXPECT_FALSE(s.privileged);
  EXPECT_EQ(s.capabilities.add, std::vector<std::string>{"NET_ADMIN"});
  EXPECT_EQ(s.capabilities.drop, std::vector<std::string>{"ALL"});
  EXPECT_EQ(s.seccomp_profile, "runtime/default");
  EXPECT_FALSE(container_security(json::object{}, parse(R"({"name": "c"})")).run_as_user);
}

TEST(PodCgroupParent, NamedByQosClass) {
  EXPECT_EQ(
      pod_cgroup_parent(parse(R"({"metadata": {"uid": "u1"}, "spec": {"containers": [{"name": "c"}]}})")),
      "/kubepods/besteffort/podu1");
  EXPECT_EQ(pod_cgroup_parent(parse(R"({"metadata": {"uid": "u2"}, "spec": {"containers": [{"name": "c",
      "resources": {"requests": {"cpu": "100m"}}}]}})")),
            "/kubepods/burstable/podu2");
  EXPECT_EQ(pod_cgroup_parent(parse(R"({"metadata": {"uid": "u3"}, "spec": {"containers": [{"name": "c",
      "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}}}]}})")),
            "/kubepods/podu3");
}

TEST(PullCredentials, TheSecretEntryForTheImagesRegistry) {
  auto config = R"({"auths": {"https://index.docker.io/v1/": {"auth": ")" + base64_encode("hub:pw") +
                R"("}, "registry.local:5000/team": {"username": "alice", "password": "secret"}}})";
  json::object secret{{"type", "kubernetes.io/dockerconfigjson"},
                      {"data", json::object{{".dockerconfigjson", base64_encode(config)}}}};
  auto pod = parse(R"({"metadata": {"namespace": "shop"},
                       "spec": {"imagePullSecrets": [{"name": "missing"}, {"name": "regcred"}]}})");
  ObjectLookup lookup = [&](const std::string& kind, const std::string& ns,
                            const std::string& name) -> ObjectPtr {
    if (kind == "Secret" && ns == "shop" && name == "regcred")
      return std::make_shared<const json::object>(secret);
    return nullptr;
  };
  auto team = pull_credentials(pod, "registry.local:5000/team/app:1", lookup);
  EXPECT_EQ(team.username, "alice");
  EXPECT_EQ(team.password, "secret");
  auto hub = pull_credentials(pod, "busybox:1.35", lookup);
  EXPECT_EQ(hub.username, "hub");
  EXPECT_EQ(hub.password, "pw");
  EXPECT_TRUE(pull_credentials(pod, "registry.local:5000/other/app:1", lookup).username.empty())
      << "an entry with a path covers only that path";
  EXPECT_TRUE(pull_credentials(pod, "elsewhere.example/app", lookup).username.empty());
}

}  // namespace
}  // namespace ukube::kubelet
