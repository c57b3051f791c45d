// limit-ranger: defaults from LimitRanges, and min / max / ratio refusals with upstream's
// messages, for containers, pods and claims.
#include "admission/limit-ranger/limit_ranger.h"
#include "admission_test_support.h"

namespace ukube::admission::testing {
namespace {

class LimitRangerTest : public ::testing::Test {
 protected:
  void SetUp() override { k_.start<LimitRangerPlugin>("limit-ranger"); }
  // A fresh namespace with one LimitRange of `limits`.
  std::string with_limits(const std::string& limits_json) {
    std::string ns = "lr-" + std::to_string(counter_++);
    k_.create_namespace(ns);
    k_.admin().create(kLimitRangesR, ns, limit_range("limits", json::parse(limits_json).as_array()));
    return ns;
  }
  AdmissionKernel k_;
  int counter_ = 0;
};

struct Defaulting {
  const char* name;
  const char* limits;
  const char* resources;        // the container's own, "" for none
  const char* want_resources;   // after admission
  const char* want_annotation;  // "" for none
};

TEST_F(LimitRangerTest, ContainersGetTheDefaultsTheyLack) {
  const Defaulting cases[] = {
      {"both defaults",
       R"([{"type":"Container","default":{"cpu":"500m","memory":"256Mi"},"defaultRequest":{"cpu":"100m","memory":"128Mi"}}])",
       "", R"({"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}})",
       "LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c"},
      {"own limit stands for the request, as upstream's defaulting makes it",
       R"([{"type":"Container","default":{"cpu":"500m","memory":"256Mi"},"defaultRequest":{"cpu":"100m","memory":"128Mi"}}])",
       R"({"limits":{"cpu":"2"}})",
       R"({"limits":{"cpu":"2","memory":"256Mi"},"requests":{"cpu":"2","memory":"128Mi"}})",
       "LimitRanger plugin set: memory request for container c; memory limit for container c"},
      {"own request kept", R"([{"type":"Container","defaultRequest":{"cpu":"100m"}}])",
       R"({"requests":{"cpu":"250m"}})", R"({"requests":{"cpu":"250m"}})", ""},
      {"max becomes the default limit and request", R"([{"type":"Container","max":{"cpu":"1"}}])", "",
       R"({"limits":{"cpu":"1"},"requests":{"cpu":"1"}})",
       "LimitRanger plugin set: cpu request for container c; cpu limit for container c"},
      {"min becomes the default request", R"([{"type":"Container","min":{"memory":"64Mi"}}])", "",
       R"({"requests":{"memory":"64Mi"}})", "LimitRanger plugin set: memory request for container c"},
      {"defaults print canonically",
       R"([{"type":"Container","default":{"cpu":"1000m"},"defaultRequest":{"cpu":"0.5"}}])", "",
       R"({"limits":{"cpu":"1"},"requests":{"cpu":"500m"}})",
       "LimitRanger plugin set: cpu request for container c; cpu limit for container c"},
      {"pod limits are not container defaults", R"([{"type":"Pod","max":{"cpu":"4"}}])",
       R"({"limits":{"cpu":"1"}})", R"({"limits":{"cpu":"1"},"requests":{"cpu":"1"}})", ""},
  };
  for (const auto& c : cases) {
    std::string ns = with_limits(c.limits);
    json::object stored = *k_.admin().create(kPodsR, ns, pod("p", {{"c", c.resources}}));
    EXPECT_EQ(json::serialize(at(stored, "spec.containers").as_array()[0].as_object().at("resources")),
              json::serialize(json::parse(c.want_resources)))
        << c.name;
    json::value annotation = at(stored, "metadata.annotations");
    const json::value* a =
        annotation.is_object() ? annotation.as_object().if_contains("kubernetes.io/limit-ranger") : nullptr;
    EXPECT_EQ(a ? std::string(a->as_string()) : "", c.want_annotation) << c.name;
  }
}

TEST_F(LimitRangerTest, InitContainersAreDefaultedAndNamedSo) {
  std::string ns = with_limits(R"([{"type":"Container","defaultRequest":{"cpu":"100m"}}])");
  json::object stored = *k_.admin().create(
      kPodsR, ns, pod("p", {{"app", ""}}, R"({"initContainers":[{"name":"setup","image":"busybox"}]})"));
  EXPECT_EQ(json::serialize(at(stored, "spec.initContainers").as_array()[0].as_object().at("resources")),
            R"({"requests":{"cpu":"100m"}})");
  EXPECT_EQ(std::string(
                at(stored, "metadata.annotations").as_object().at("kubernetes.io/limit-ranger").as_string()),
            "LimitRanger plugin set: cpu request for container app; cpu request for init container setup");
}

struct Violation {
  const char* name;
  const char* limits;
  std::vector<std::pair<std::string, std::string>> containers;
  const char* spec_extra;
  const char* message;  // after `pods "p" is forbidden: `
};

TEST_F(LimitRangerTest, ViolationsAreRefusedWithUpstreamsMessages) {
  const Violation cases[] = {
      {"container over max",
       R"([{"type":"Container","max":{"cpu":"1"}}])",
       {{"c", R"({"limits":{"cpu":"2"}})"}},
       "",
       "maximum cpu usage per Container is 1, but limit is 2"},
      {"pod requests over max",
       R"([{"type":"Pod","max":{"cpu":"1"}}])",
       {{"a", R"({"requests":{"cpu":"800m"}})"},
        {"b", R"({"requests":{"cpu":"500m"},"limits":{"cpu":"500m"}})"}},
       "",
       "maximum cpu usage per Pod is 1, but request is 1300m"},
      {"container under min",
       R"([{"type":"Container","min":{"memory":"64Mi"}}])",
       {{"c", R"({"requests":{"memory":"32Mi"}})"}},
       "",
       "minimum memory usage per Container is 64Mi, but request is 32Mi"},
      {"ratio",
       R"([{"type":"Container","maxLimitRequestRatio":{"cpu":"2"}}])",
       {{"c", R"({"requests":{"cpu":"100m"},"limits":{"cpu":"500m"}})"}},
       "",
       "cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000"},
      {"ratio without a limit",
       R"([{"type":"Container","maxLimitRequestRatio":{"cpu":"2"}}])",
       {{"c", R"({"requests":{"cpu":"100m"}})"}},
       "",
       "cpu max limit to request ratio per Container is 2, but no limit is specified or limit is 0"},
      {"two at once, in brackets",
       R"([{"type":"Container","max":{"cpu":"1","memory":"1Gi"}}])",
       {{"c", R"({"limits":{"cpu":"2","memory":"2Gi"}})"}},
       "",
       "[maximum cpu usage per Container is 1, but limit is 2, maximum memory usage per Container is 1Gi, "
       "but limit "
       "is 2Gi]"},
      {"the same twice counts once",
       R"([{"type":"Container","max":{"cpu":"1"}}])",
       {{"a", R"({"limits":{"cpu":"2"}})"}, {"b", R"({"limits":{"cpu":"2"}})"}},
       "",
       "maximum cpu usage per Container is 1, but limit is 2"},
      {"init container over max",
       R"([{"type":"Container","max":{"cpu":"1"}}])",
       {{"c", ""}},
       R"({"initContainers":[{"name":"i","image":"busybox","resources":{"limits":{"cpu":"3"}}}]})",
       "maximum cpu usage per Container is 1, but limit is 3"},
      {"pod sum under min",
       R"([{"type":"Pod","min":{"cpu":"1"}}])",
       {{"a", R"({"requests":{"cpu":"200m"}})"}, {"b", R"({"requests":{"cpu":"200m"}})"}},
       "",
       "minimum cpu usage per Pod is 1, but request is 400m"},
      {"pod sum over max",
       R"([{"type":"Pod","max":{"memory":"1Gi"}}])",
       {{"a", R"({"limits":{"memory":"768Mi"}})"}, {"b", R"({"limits":{"memory":"512Mi"}})"}},
       "",
       "maximum memory usage per Pod is 1Gi, but limit is 1280Mi"},
      {"pod without limits",
       R"([{"type":"Pod","max":{"cpu":"2"}}])",
       {{"c", ""}},
       "",
       "maximum cpu usage per Pod is 2.  No limit is specified"},
      {"pod without requests",
       R"([{"type":"Pod","min":{"cpu":"100m"}}])",
       {{"c", ""}},
       "",
       "minimum cpu usage per Pod is 100m.  No request is specified"},
  };
  for (const auto& c : cases) {
    std::string ns = with_limits(c.limits);
    ApiError e = error_of([&] { k_.admin().create(kPodsR, ns, pod("p", c.containers, c.spec_extra)); });
    EXPECT_EQ(e.code(), 403) << c.name;
    EXPECT_EQ(e.reason(), "Forbidden") << c.name;
    EXPECT_EQ(std::string(e.what()), std::string("pods \"p\" is forbidden: ") + c.message) << c.name;
    EXPECT_EQ(e.kind, "pods") << c.name;
    EXPECT_EQ(e.name, "p") << c.name;
  }
}

TEST_F(LimitRangerTest, ClaimsAreHeldToStorageMinAndMax) {
  std::string ns =
      with_limits(R"([{"type":"PersistentVolumeClaim","min":{"storage":"1Gi"},"max":{"storage":"10Gi"}}])");
  auto claim = [](const std::string& name, const std::string& size) {
    return named("v1", "PersistentVolumeClaim", name,
                 {{"spec",
                   {{"accessModes", json::array{"ReadWriteOnce"}},
                    {"resources", {{"requests", {{"storage", size}}}}}}}});
  };
  const std::pair<const char*, const char*> refused[] = {
      {"500Mi",
       "persistentvolumeclaims \"c\" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, "
       "but "
       "request is 500Mi"},
      {"20Gi",
       "persistentvolumeclaims \"c\" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, "
       "but "
       "request is 20Gi"},
  };
  for (const auto& [size, message] : refused) {
    ApiError e = error_of([&] { k_.admin().create(kClaimsR, ns, claim("c", size)); });
    EXPECT_EQ(e.code(), 403) << size;
    EXPECT_STREQ(e.what(), message);
  }
  EXPECT_NO_THROW(k_.admin().create(kClaimsR, ns, claim("ok", "5Gi")));
}

TEST(LimitRangerUnit, LimitRangeDefaultingMatchesUpstream) {
  json::object lr =
      limit_range("l", json::parse(R"([{"type":"Container","max":{"cpu":"2"},"min":{"memory":"1Mi"},
      "default":{"memory":"10Mi"}},{"type":"Pod","max":{"cpu":"4"}}])")
                           .as_array());
  json::object defaulted = LimitRanger::with_defaults(lr);
  EXPECT_EQ(json::serialize(defaulted.at("spec").at("limits")),
            json::serialize(json::parse(R"([{"type":"Container","max":{"cpu":"2"},"min":{"memory":"1Mi"},
      "default":{"memory":"10Mi","cpu":"2"},"defaultRequest":{"memory":"10Mi","cpu":"2"}},{"type":"Pod","max":{"cpu":"4"}}])")));
}

}  // namespace
}  // namespace ukube::admission::testing
