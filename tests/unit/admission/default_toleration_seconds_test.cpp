// default-toleration-seconds: the two NoExecute tolerations, unless already tolerated.
#include "admission/default-toleration-seconds/default_toleration_seconds.h"
#include "admission_test_support.h"

namespace ukube::admission::testing {
namespace {

const char* kNotReady =
    R"({"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300})";
const char* kUnreachable =
    R"({"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300})";

struct Case {
  const char* name;
  std::string tolerations;  // the pod's, JSON array, "" for none
  std::string want;         // after admission
};

TEST(DefaultTolerationSeconds, AddsWhatIsNotToleratedYet) {
  const std::string own_not_ready =
      R"({"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":60})";
  const Case cases[] = {
      {"none", "", "[" + std::string(kNotReady) + "," + kUnreachable + "]"},
      {"own not-ready kept", "[" + own_not_ready + "]", "[" + own_not_ready + "," + kUnreachable + "]"},
      {"empty key tolerates both", R"([{"operator":"Exists"}])", R"([{"operator":"Exists"}])"},
      {"empty effect tolerates", R"([{"key":"node.kubernetes.io/unreachable","operator":"Exists"}])",
       std::string(R"([{"key":"node.kubernetes.io/unreachable","operator":"Exists"},)") + kNotReady + "]"},
      {"NoSchedule does not",
       R"([{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoSchedule"}])",
       std::string(R"([{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoSchedule"},)") +
           kNotReady + "," + kUnreachable + "]"},
  };
  AdmissionKernel k;
  auto pods = k.type(kPodsR);
  DefaultTolerationSeconds plugin;
  for (const auto& c : cases) {
    json::object p =
        pod("p", {{"c", ""}}, c.tolerations.empty() ? "" : "{\"tolerations\":" + c.tolerations + "}");
    AdmissionRequest r{
        AdmissionOperation::Create, pods.get(), "", "team-a", "p", &p, nullptr, nullptr, false};
    plugin.admit(r);
    EXPECT_EQ(json::serialize(at(p, "spec.tolerations")), json::serialize(json::parse(c.want))) << c.name;
  }
  // Not a pod, or a pod's subresource: untouched.
  json::object cm = named("v1", "ConfigMap", "c");
  AdmissionRequest r{AdmissionOperation::Create,
                     k.type(kConfigMapsR).get(),
                     "",
                     "team-a",
                     "c",
                     &cm,
                     nullptr,
                     nullptr,
                     false};
  plugin.admit(r);
  EXPECT_FALSE(cm.contains("spec"));
}

TEST(DefaultTolerationSeconds, ThroughTheKernel) {
  AdmissionKernel k;
  k.start<DefaultTolerationSecondsPlugin>("default-toleration-seconds");
  json::object stored = *k.admin().create(kPodsR, "team-a", pod("p"));
  EXPECT_EQ(json::serialize(at(stored, "spec.tolerations")),
            json::serialize(json::parse("[" + std::string(kNotReady) + "," + kUnreachable + "]")));
}

}  // namespace
}  // namespace ukube::admission::testing
