#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "controllers/statefulset/revisions.h"
#include "controllers/statefulset/stateful_pod.h"
#include "ukube/machinery/json.h"

namespace ukube::controllers::statefulset {
namespace {

namespace json = boost::json;
using machinery::string_at;

json::object make_identity_set(const std::string& spec_extra = "") {
  return json::parse(R"({"apiVersion":"apps/v1","kind":"StatefulSet",
      "metadata":{"name":"web","namespace":"default","uid":"uid-web","generation":1},
      "spec":{)" + spec_extra +
                     R"("replicas":3,"serviceName":"nginx",
        "selector":{"matchLabels":{"app":"nginx"}},
        "template":{"metadata":{"labels":{"app":"nginx"}},
                    "spec":{"containers":[{"name":"nginx","image":"nginx"}]}},
        "volumeClaimTemplates":[{"metadata":{"name":"www","labels":{"tier":"data"}},
                                 "spec":{"accessModes":["ReadWriteOnce"]}}]}})")
      .as_object();
}

TEST(StatefulPod, OrdinalsComeOnlyFromMemberNames) {
  auto pod = [](const char* name) { return json::object{{"metadata", json::object{{"name", name}}}}; };
  EXPECT_EQ(ordinal_of(pod("web-0"), "web"), 0);
  EXPECT_EQ(ordinal_of(pod("web-12"), "web"), 12);
  EXPECT_EQ(ordinal_of(pod("web-1-2"), "web"), std::nullopt);
  EXPECT_EQ(ordinal_of(pod("webx-1"), "web"), std::nullopt);
  EXPECT_EQ(ordinal_of(pod("web-"), "web"), std::nullopt);
  EXPECT_EQ(ordinal_of(pod("web-abc"), "web"), std::nullopt);
}

TEST(StatefulPod, NewPodCarriesIdentityAndClaimVolumes) {
  const json::object set = make_identity_set();
  const json::object pod = new_pod(set, *machinery::object_at(set, {"spec", "template"}), 2, "web-abc");
  EXPECT_EQ(string_at(pod, {"metadata", "name"}), "web-2");
  EXPECT_EQ(string_at(pod, {"metadata", "labels", kPodNameLabel}), "web-2");
  EXPECT_EQ(string_at(pod, {"metadata", "labels", kPodIndexLabel}), "2");
  EXPECT_EQ(string_at(pod, {"metadata", "labels", kRevisionLabel}), "web-abc");
  EXPECT_EQ(string_at(pod, {"metadata", "labels", "app"}), "nginx");
  EXPECT_EQ(string_at(pod, {"spec", "hostname"}), "web-2");
  EXPECT_EQ(string_at(pod, {"spec", "subdomain"}), "nginx");
  const auto* volumes = machinery::array_at(pod, {"spec", "volumes"});
  ASSERT_TRUE(volumes);
  ASSERT_EQ(volumes->size(), 1u);
  EXPECT_EQ(string_at(volumes->at(0).as_object(), {"persistentVolumeClaim", "claimName"}), "www-web-2");
  const auto* owner = machinery::array_at(pod, {"metadata", "ownerReferences"});
  ASSERT_TRUE(owner);
  EXPECT_EQ(string_at(owner->at(0).as_object(), {"kind"}), "StatefulSet");
}

TEST(StatefulPod, ClaimsCarrySelectorLabelsAndRetentionOwners) {
  auto claims = claims_for(make_identity_set(), 1);
  ASSERT_EQ(claims.size(), 1u);
  EXPECT_EQ(string_at(claims[0], {"metadata", "name"}), "www-web-1");
  EXPECT_EQ(string_at(claims[0], {"metadata", "labels", "app"}), "nginx");
  EXPECT_EQ(string_at(claims[0], {"metadata", "labels", "tier"}), "data");
  EXPECT_FALSE(machinery::array_at(claims[0], {"metadata", "ownerReferences"}));

  const json::object set = make_identity_set(
      R"("persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Delete","whenScaled":"Delete"},)");
  claims = claims_for(set, 1);
  const auto* refs = machinery::array_at(claims[0], {"metadata", "ownerReferences"});
  ASSERT_TRUE(refs);
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ(string_at(refs->at(0).as_object(), {"uid"}), "uid-web");
  const json::object pod = json::parse(R"({"metadata":{"name":"web-1","uid":"uid-pod"}})").as_object();
  auto owners = wanted_claim_owners(set, &pod, true);
  ASSERT_EQ(owners.size(), 1u);
  EXPECT_EQ(string_at(owners[0], {"uid"}), "uid-pod");
  EXPECT_EQ(string_at(owners[0], {"kind"}), "Pod");
  // Scaled away: the set's reference gives way to the pod's, other owners stay.
  json::object claim = claims[0];
  claim["metadata"].as_object()["ownerReferences"].as_array().push_back(
      json::object{{"kind", "Other"}, {"name", "x"}, {"uid", "uid-other"}});
  EXPECT_TRUE(set_claim_owners(claim, set, "web-1", owners));
  refs = machinery::array_at(claim, {"metadata", "ownerReferences"});
  ASSERT_EQ(refs->size(), 2u);
  EXPECT_EQ(string_at(refs->at(0).as_object(), {"uid"}), "uid-other");
  EXPECT_EQ(string_at(refs->at(1).as_object(), {"uid"}), "uid-pod");
  EXPECT_FALSE(set_claim_owners(claim, set, "web-1", owners));
  // Back in range (scaled up again): the set's again.
  EXPECT_TRUE(set_claim_owners(claim, set, "web-1", wanted_claim_owners(set, &pod, false)));
  refs = machinery::array_at(claim, {"metadata", "ownerReferences"});
  ASSERT_EQ(refs->size(), 2u);
  EXPECT_EQ(string_at(refs->at(1).as_object(), {"uid"}), "uid-web");
}

TEST(Revisions, DataIsAReplacingPatchAndHashFollowsIt) {
  const json::object set = make_identity_set();
  const json::object data = revision_data(set);
  EXPECT_EQ(string_at(data, {"spec", "template", "$patch"}), "replace");
  const json::object rev = new_revision(set, data, 3, 0);
  EXPECT_EQ(revision_number(rev), 3);
  const std::string hash = revision_hash(data, 0);
  EXPECT_EQ(string_at(rev, {"metadata", "name"}), "web-" + hash);
  EXPECT_EQ(string_at(rev, {"metadata", "labels", kRevisionLabel}), hash);
  EXPECT_EQ(string_at(rev, {"metadata", "labels", "app"}), "nginx");
  EXPECT_TRUE(same_data(rev, data));
  EXPECT_EQ(revision_template(rev), *machinery::object_at(set, {"spec", "template"}));
  EXPECT_NE(revision_hash(data, 1), hash);
  json::object other = set;
  other["spec"]
      .as_object()["template"]
      .as_object()["spec"]
      .as_object()["containers"]
      .as_array()[0]
      .as_object()["image"] = "nginx:2";
  EXPECT_NE(revision_hash(revision_data(other), 0), hash);
  EXPECT_FALSE(same_data(rev, revision_data(other)));
}

}  // namespace
}  // namespace ukube::controllers::statefulset
