// priority: PriorityClass names resolved to pod priorities, the global default, upstream's
// refusals, one default only, and the two system classes.
#include "admission/priority/priority.h"
#include "admission/priority/system_priority_classes.h"
#include "admission_test_support.h"

namespace ukube::admission::testing {
namespace {

const GroupVersionResource kPriorityClassesR{"scheduling.k8s.io", "v1", "priorityclasses"};

json::object priority_class(const std::string& name, int64_t value, std::string extra = "") {
  json::object c = named("scheduling.k8s.io/v1", "PriorityClass", name, {{"value", value}});
  if (!extra.empty())
    for (const auto& kv : parse(extra)) c[kv.key()] = kv.value();
  return c;
}

class PriorityTest : public ::testing::Test {
 protected:
  void SetUp() override { k_.start<PriorityPlugin>("priority"); }
  json::object create_pod(const std::string& name, const std::string& spec_extra = "",
                          const std::string& ns = "team-a") {
    return *k_.admin().create(kPodsR, ns, pod(name, {{"c", ""}}, spec_extra));
  }
  ApiError refused_pod(const std::string& name, const std::string& spec_extra) {
    return error_of([&] { create_pod(name, spec_extra); });
  }

  AdmissionKernel k_;
};

TEST_F(PriorityTest, ResolvesTheClassToPriorityAndPreemptionPolicy) {
  k_.admin().create(kPriorityClassesR, "", priority_class("high", 1000));
  k_.admin().create(kPriorityClassesR, "", priority_class("patient", 500, R"({"preemptionPolicy":"Never"})"));

  json::object high = create_pod("high", R"({"priorityClassName":"high"})");
  EXPECT_EQ(json::serialize(at(high, "spec.priority")), "1000");
  EXPECT_EQ(str(high, "spec.preemptionPolicy"), "PreemptLowerPriority");
  json::object patient = create_pod("patient", R"({"priorityClassName":"patient"})");
  EXPECT_EQ(json::serialize(at(patient, "spec.priority")), "500");
  EXPECT_EQ(str(patient, "spec.preemptionPolicy"), "Never");

  // Bringing the very values the class gives is no conflict.
  json::object same = create_pod(
      "same", R"({"priorityClassName":"high","priority":1000,"preemptionPolicy":"PreemptLowerPriority"})");
  EXPECT_EQ(json::serialize(at(same, "spec.priority")), "1000");

  // No class and no default: priority 0, and no class name is made up.
  json::object plain = create_pod("plain");
  EXPECT_EQ(json::serialize(at(plain, "spec.priority")), "0");
  EXPECT_EQ(str(plain, "spec.preemptionPolicy"), "PreemptLowerPriority");
  EXPECT_TRUE(at(plain, "spec.priorityClassName").is_null());
}

TEST_F(PriorityTest, PodsWithoutAClassGetTheGlobalDefault) {
  k_.admin().create(kPriorityClassesR, "",
                    priority_class("standard", 50, R"({"globalDefault":true,"preemptionPolicy":"Never"})"));
  // Defaults come from the informer only (as upstream): wait until it shows this one.
  ASSERT_TRUE(eventually([&] {
    WriteOptions dry_run;
    dry_run.dry_run = true;
    ObjectPtr probe = k_.admin().create(kPodsR, "team-a", pod("probe"), dry_run);
    return !at(*probe, "spec.priorityClassName").is_null();
  }));

  json::object defaulted = create_pod("defaulted");
  EXPECT_EQ(str(defaulted, "spec.priorityClassName"), "standard");
  EXPECT_EQ(json::serialize(at(defaulted, "spec.priority")), "50");
  EXPECT_EQ(str(defaulted, "spec.preemptionPolicy"), "Never");
  // A pod that names a class keeps it.
  json::object named_class = create_pod("named", R"({"priorityClassName":"system-cluster-critical"})");
  EXPECT_EQ(json::serialize(at(named_class, "spec.priority")), "2000000000");
}

TEST_F(PriorityTest, RefusesUnknownClassesAndConflictingValuesAsUpstream) {
  k_.admin().create(kPriorityClassesR, "", priority_class("high", 1000));

  ApiError e = refused_pod("lost", R"({"priorityClassName":"missing"})");
  EXPECT_EQ(e.code(), 403);
  EXPECT_EQ(e.reason(), "Forbidden");
  EXPECT_EQ(e.kind, "pods");
  EXPECT_EQ(e.name, "lost");
  EXPECT_STREQ(e.what(), "pods \"lost\" is forbidden: no PriorityClass with name missing was found");

  e = refused_pod("cheat", R"({"priorityClassName":"high","priority":5})");
  EXPECT_EQ(e.code(), 403);
  EXPECT_STREQ(
      e.what(),
      "pods \"cheat\" is forbidden: the integer value of priority (5) must not be provided in pod spec; "
      "priority admission controller computed 1000 from the given PriorityClass name");
  e = refused_pod("cheat", R"({"priority":7})");
  EXPECT_STREQ(
      e.what(),
      "pods \"cheat\" is forbidden: the integer value of priority (7) must not be provided in pod spec; "
      "priority admission controller computed 0 from the given PriorityClass name");
  e = refused_pod("eager", R"({"priorityClassName":"high","preemptionPolicy":"Never"})");
  EXPECT_STREQ(
      e.what(),
      "pods \"eager\" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in "
      "pod spec; priority admission controller computed PreemptLowerPriority from the given "
      "PriorityClass name");
}

TEST_F(PriorityTest, OnlyOneGlobalDefault) {
  k_.admin().create(kPriorityClassesR, "", priority_class("first", 10, R"({"globalDefault":true})"));
  const char* message =
      "priorityclasses.scheduling.k8s.io \"second\" is forbidden: PriorityClass first is already marked as "
      "default. Only one default can exist";
  // Refused at once, without waiting for the informer.
  ApiError e = error_of([&] {
    k_.admin().create(kPriorityClassesR, "", priority_class("second", 20, R"({"globalDefault":true})"));
  });
  EXPECT_EQ(e.code(), 403);
  EXPECT_EQ(e.reason(), "Forbidden");
  EXPECT_STREQ(e.what(), message);

  // Not a default: fine; made a default by an update: refused; the default itself may change.
  json::object second = *k_.admin().create(kPriorityClassesR, "", priority_class("second", 20));
  second["globalDefault"] = true;
  e = error_of([&] { k_.admin().update(kPriorityClassesR, "", second); });
  EXPECT_STREQ(e.what(), message);
  json::object first = *k_.admin().get(kPriorityClassesR, "", "first");
  first["description"] = "the usual";
  EXPECT_NO_THROW(k_.admin().update(kPriorityClassesR, "", first));
}

TEST_F(PriorityTest, CreatesTheSystemClassesAndLeavesExistingOnesAlone) {
  ObjectPtr node = k_.admin().get(kPriorityClassesR, "", "system-node-critical");
  EXPECT_EQ(json::serialize(at(*node, "value")), "2000001000");
  EXPECT_EQ(str(*node, "description"),
            "Used for system critical pods that must not be moved from their current node.");
  EXPECT_EQ(str(*node, "preemptionPolicy"), "PreemptLowerPriority");
  ObjectPtr cluster = k_.admin().get(kPriorityClassesR, "", "system-cluster-critical");
  EXPECT_EQ(json::serialize(at(*cluster, "value")), "2000000000");
  EXPECT_EQ(str(*cluster, "description"),
            "Used for system critical pods that must run in the cluster, but can be moved to another node if "
            "necessary.");

  json::object critical = create_pod("dns", R"({"priorityClassName":"system-node-critical"})", "kube-system");
  EXPECT_EQ(json::serialize(at(critical, "spec.priority")), "2000001000");

  // A second plugin (a restart) finds them and writes nothing.
  std::string revision =
      meta_string(*k_.admin().get(kPriorityClassesR, "", "system-node-critical"), "resourceVersion");
  auto& again = k_.start<PriorityPlugin>("priority-again");
  EXPECT_TRUE(eventually([&] { return again.bootstrap().idle(); }));
  EXPECT_EQ(meta_string(*k_.admin().get(kPriorityClassesR, "", "system-node-critical"), "resourceVersion"),
            revision);
}

TEST(Priority, UpdatesKeepThePriorityTheyWereCreatedWith) {
  AdmissionKernel k;
  auto client = k.client(UserInfo{"system:apiserver", "", {"system:masters"}, {}});
  auto informer = std::make_shared<Informer>(client, kPriorityClassesR);
  informer->start();
  PriorityAdmission plugin(client, informer);
  json::object old =
      pod("p", {{"c", ""}}, R"({"priorityClassName":"high","priority":1000,"preemptionPolicy":"Never"})");
  json::object updated = pod("p", {{"c", ""}}, R"({"priorityClassName":"high"})");
  AdmissionRequest r{
      AdmissionOperation::Update, k.type(kPodsR).get(), "", "team-a", "p", &updated, &old, nullptr, false};
  plugin.admit(r);
  EXPECT_EQ(json::serialize(at(updated, "spec.priority")), "1000");
  EXPECT_EQ(str(updated, "spec.preemptionPolicy"), "Never");

  // Subresources (binding, status) are not judged.
  json::object status = pod("p", {{"c", ""}}, R"({"priorityClassName":"missing"})");
  AdmissionRequest s{AdmissionOperation::Create,
                     k.type(kPodsR).get(),
                     "binding",
                     "team-a",
                     "p",
                     &status,
                     nullptr,
                     nullptr,
                     false};
  EXPECT_NO_THROW(plugin.admit(s));
  informer->stop();
}

}  // namespace
}  // namespace ukube::admission::testing
