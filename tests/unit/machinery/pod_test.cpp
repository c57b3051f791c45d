// Pod helpers: the QoS class upstream gives a pod and the objects a pod references.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "ukube/machinery/pod.h"

namespace ukube::machinery {
namespace {

TEST(PodQosClass, AsUpstreamComputesIt) {
  struct Case {
    const char* spec;
    const char* qos;
  } cases[] = {
      {R"({"containers":[{"name":"a"}]})", "BestEffort"},
      {R"({"containers":[{"name":"a","resources":{"requests":{"cpu":"0"}}}]})", "BestEffort"},
      {R"({"containers":[{"name":"a","resources":{"requests":{"ephemeral-storage":"1Gi"}}}]})", "BestEffort"},
      {R"({"containers":[{"name":"a","resources":{"requests":{"cpu":"100m"}}}]})", "Burstable"},
      {R"({"containers":[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"},
          "requests":{"cpu":"1","memory":"1Gi"}}}]})",
       "Guaranteed"},
      // Requests below the limits, or a container without a memory limit: Burstable.
      {R"({"containers":[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"},
          "requests":{"cpu":"500m","memory":"1Gi"}}}]})",
       "Burstable"},
      {R"({"containers":[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"},
          "requests":{"cpu":"1","memory":"1Gi"}}},{"name":"b","resources":{"limits":{"cpu":"1"},
          "requests":{"cpu":"1"}}}]})",
       "Burstable"},
      // Init containers count too; equal amounts spelled differently are equal.
      {R"({"initContainers":[{"name":"i","resources":{"limits":{"cpu":"1000m","memory":"1024Mi"},
          "requests":{"cpu":"1","memory":"1Gi"}}}],"containers":[{"name":"a","resources":{
          "limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"1","memory":"1Gi"}}}]})",
       "Guaranteed"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(pod_qos_class(boost::json::parse(c.spec).as_object()), c.qos) << c.spec;
}

TEST(PodReferences, EverySourceAPodNames) {
  auto pod = boost::json::parse(R"({"metadata":{"name":"web"},"spec":{
      "serviceAccountName":"robot",
      "imagePullSecrets":[{"name":"pull"}],
      "containers":[{"name":"a","env":[{"name":"X","valueFrom":{"secretKeyRef":{"name":"env-secret","key":"k"}}}],
                     "envFrom":[{"configMapRef":{"name":"env-cm"}}]}],
      "volumes":[{"name":"s","secret":{"secretName":"vol-secret"}},
                 {"name":"p","projected":{"sources":[{"configMap":{"name":"proj-cm"}}]}},
                 {"name":"c","persistentVolumeClaim":{"claimName":"data"}},
                 {"name":"scratch","ephemeral":{"volumeClaimTemplate":{}}}]}})")
                 .as_object();
  std::set<std::pair<PodReference, std::string>> seen;
  visit_pod_references(pod, [&](PodReference kind, const std::string& name) { seen.emplace(kind, name); });
  std::set<std::pair<PodReference, std::string>> want = {
      {PodReference::ServiceAccount, "robot"}, {PodReference::Secret, "pull"},
      {PodReference::Secret, "env-secret"},    {PodReference::ConfigMap, "env-cm"},
      {PodReference::Secret, "vol-secret"},    {PodReference::ConfigMap, "proj-cm"},
      {PodReference::Claim, "data"},           {PodReference::Claim, "web-scratch"},
  };
  EXPECT_EQ(seen, want);
}

}  // namespace
}  // namespace ukube::machinery
