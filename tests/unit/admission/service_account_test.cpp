// service-account: the account a pod runs as and the token volume it mounts; and the two
// controllers that keep "default" accounts and kube-root-ca.crt in every namespace
// (ukube.controller.v1.serviceaccount, ukube.controller.v1.root-ca-cert-publisher).
#include <regex>

#include <thread>

#include "admission/service-account/service_account.h"
#include "admission_test_support.h"
#include "controllers/root-ca-cert-publisher/config.pb.h"
#include "controllers/root-ca-cert-publisher/root_ca_plugin.h"
#include "controllers/root-ca-cert-publisher/root_ca_publisher.h"
#include "controllers/serviceaccount/config.pb.h"
#include "controllers/serviceaccount/serviceaccount_plugin.h"

namespace ukube::admission::testing {
namespace {

class ServiceAccountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    k_.start<controllers::serviceaccount::ServiceAccountPlugin>(
        "serviceaccount", &controllers::serviceaccount::ServiceAccountConfig::default_instance());
    k_.start<controllers::rootca::RootCAPlugin>(
        "root-ca-cert-publisher", &controllers::rootca::RootCAPublisherConfig::default_instance());
    plugin_ = &k_.start<ServiceAccountPlugin>("service-account");
    ASSERT_TRUE(eventually([&] { return has_default("team-a"); }));
  }
  bool has_default(const std::string& ns) {
    try {
      k_.admin().get(kServiceAccountsR, ns, "default");
      return true;
    } catch (const ApiError&) {
      return false;
    }
  }
  json::object create(const json::object& p, const std::string& ns = "team-a") {
    return *k_.admin().create(kPodsR, ns, p);
  }

  AdmissionKernel k_;
  ServiceAccountPlugin* plugin_ = nullptr;
};

TEST_F(ServiceAccountTest, PodGetsTheDefaultAccountAndUpstreamsTokenVolume) {
  json::object p = pod("web", {{"app", ""}}, R"({"initContainers":[{"name":"init","image":"busybox"}]})");
  json::object stored = create(p);
  EXPECT_EQ(str(stored, "spec.serviceAccountName"), "default");
  EXPECT_EQ(str(stored, "spec.serviceAccount"), "default");

  json::value volumes_value = at(stored, "spec.volumes");
  const auto& volumes = volumes_value.as_array();
  ASSERT_EQ(volumes.size(), 1u);
  std::string name = str(volumes[0].as_object(), "name");
  EXPECT_TRUE(std::regex_match(name, std::regex("kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}"))) << name;
  EXPECT_EQ(
      json::serialize(volumes[0]),
      json::serialize(json::parse(R"({"name":")" + name + R"(","projected":{"defaultMode":420,"sources":[
                {"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
                {"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},
                {"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}]}})")));
  std::string mount = R"([{"name":")" + name +
                      R"(","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}])";
  EXPECT_EQ(json::serialize(at(stored, "spec.containers").as_array()[0].as_object().at("volumeMounts")),
            json::serialize(json::parse(mount)));
  EXPECT_EQ(json::serialize(at(stored, "spec.initContainers").as_array()[0].as_object().at("volumeMounts")),
            json::serialize(json::parse(mount)));
}

struct Automount {
  const char* name;
  const char* pod_setting;      // "" unset, else JSON bool
  const char* account_setting;  // "" unset, else JSON bool
  bool mounted;
};

TEST_F(ServiceAccountTest, AutomountFollowsThePodThenTheAccount) {
  const Automount cases[] = {
      {"neither says", "", "", true},
      {"pod says no", "false", "", false},
      {"account says no", "", "false", false},
      {"pod yes beats account no", "true", "false", true},
      {"pod no beats account yes", "false", "true", false},
  };
  int i = 0;
  for (const auto& c : cases) {
    std::string sa = "sa-" + std::to_string(i);
    json::object account = named("v1", "ServiceAccount", sa);
    if (*c.account_setting) account["automountServiceAccountToken"] = json::parse(c.account_setting);
    k_.admin().create(kServiceAccountsR, "team-a", account);
    std::string extra = R"({"serviceAccountName":")" + sa + "\"";
    if (*c.pod_setting) extra += std::string(R"(,"automountServiceAccountToken":)") + c.pod_setting;
    json::object stored = create(pod("p" + std::to_string(i++), {{"c", ""}}, extra + "}"));
    EXPECT_EQ(!at(stored, "spec.volumes").is_null(), c.mounted) << c.name;
    EXPECT_EQ(str(stored, "spec.serviceAccountName"), sa) << c.name;
  }
}

TEST_F(ServiceAccountTest, AnExistingMountAtThePathIsKeptAndPullSecretsAreCopied) {
  k_.admin().create(kServiceAccountsR, "team-a",
                    parse(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"builder"},
                              "imagePullSecrets":[{"name":"registry-a"},{"name":"registry-b"}]})"));
  json::object p = pod("web", {{"own", ""}, {"plain", ""}}, R"({"serviceAccountName":"builder",
      "volumes":[{"name":"mine","emptyDir":{}}]})");
  p["spec"].as_object()["containers"].as_array()[0].as_object()["volumeMounts"] =
      json::parse(R"([{"name":"mine","mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}])");
  json::object stored = create(p);
  json::value containers_value = at(stored, "spec.containers");
  const auto& containers = containers_value.as_array();
  EXPECT_EQ(containers[0].as_object().at("volumeMounts").as_array().size(), 1u);
  EXPECT_EQ(str(containers[0].as_object().at("volumeMounts").as_array()[0].as_object(), "name"), "mine");
  EXPECT_EQ(containers[1].as_object().at("volumeMounts").as_array().size(), 1u);
  EXPECT_EQ(at(stored, "spec.volumes").as_array().size(), 2u);
  EXPECT_EQ(json::serialize(at(stored, "spec.imagePullSecrets")),
            R"([{"name":"registry-a"},{"name":"registry-b"}])");
}

struct Refusal {
  const char* name;
  const char* pod_json;
  const char* message;
};

TEST_F(ServiceAccountTest, RefusalsCarryUpstreamsMessages) {
  k_.admin().create(kServiceAccountsR, "team-a",
                    parse(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"strict",
                              "annotations":{"kubernetes.io/enforce-mountable-secrets":"true"}},
                              "secrets":[{"name":"allowed"}],"imagePullSecrets":[{"name":"pull"}]})"));
  const Refusal cases[] = {
      {"missing account",
       R"({"metadata":{"name":"p"},"spec":{"serviceAccountName":"ghost","containers":[{"name":"c","image":"i"}]}})",
       "pods \"p\" is forbidden: error looking up service account team-a/ghost: serviceaccount \"ghost\" not "
       "found"},
      {"mirror pod naming an account",
       R"({"metadata":{"name":"m","annotations":{"kubernetes.io/config.mirror":"x"}},
           "spec":{"serviceAccountName":"default","containers":[{"name":"c","image":"i"}]}})",
       "pods \"m\" is forbidden: a mirror pod may not reference service accounts"},
      {"mirror pod naming a secret",
       R"({"metadata":{"name":"m","annotations":{"kubernetes.io/config.mirror":"x"}},
           "spec":{"containers":[{"name":"c","image":"i","envFrom":[{"secretRef":{"name":"s"}}]}]}})",
       "pods \"m\" is forbidden: a mirror pod may not reference secrets"},
      {"secret volume not listed",
       R"({"metadata":{"name":"p"},"spec":{"serviceAccountName":"strict","containers":[{"name":"c","image":"i"}],
           "volumes":[{"name":"v","secret":{"secretName":"other"}}]}})",
       "pods \"p\" is forbidden: volume with secret.secretName=\"other\" is not allowed because service "
       "account "
       "strict does not reference that secret"},
      {"env secret not listed",
       R"({"metadata":{"name":"p"},"spec":{"serviceAccountName":"strict","containers":[{"name":"c","image":"i",
           "env":[{"name":"PW","valueFrom":{"secretKeyRef":{"name":"other","key":"k"}}}]}]}})",
       "pods \"p\" is forbidden: container c with envVar PW referencing secret.secretName=\"other\" is not "
       "allowed because service account strict does not reference that secret"},
      {"init envFrom secret not listed",
       R"({"metadata":{"name":"p"},"spec":{"serviceAccountName":"strict","containers":[{"name":"c","image":"i"}],
           "initContainers":[{"name":"i","image":"i","envFrom":[{"secretRef":{"name":"other"}}]}]}})",
       "pods \"p\" is forbidden: init container i with envFrom referencing secret.secretName=\"other\" is "
       "not "
       "allowed because service account strict does not reference that secret"},
      {"pull secret not listed",
       R"({"metadata":{"name":"p"},"spec":{"serviceAccountName":"strict","containers":[{"name":"c","image":"i"}],
           "imagePullSecrets":[{"name":"pull"},{"name":"other"}]}})",
       "pods \"p\" is forbidden: imagePullSecrets[1].name=\"other\" is not allowed because service account "
       "strict "
       "does not reference that imagePullSecret"},
  };
  for (const auto& c : cases) {
    json::object p = parse(c.pod_json);
    p["apiVersion"] = "v1";
    p["kind"] = "Pod";
    ApiError e = error_of([&] { create(p); });
    EXPECT_EQ(e.code(), 403) << c.name;
    EXPECT_EQ(e.reason(), "Forbidden") << c.name;
    EXPECT_EQ(std::string(e.what()), c.message) << c.name;
    EXPECT_EQ(e.kind, "pods") << c.name;
  }
  // What the strict account lists passes.
  EXPECT_NO_THROW(create(parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"fine"},
      "spec":{"serviceAccountName":"strict","containers":[{"name":"c","image":"i"}],
      "volumes":[{"name":"v","secret":{"secretName":"allowed"}}]}})")));
  // A mirror pod without accounts or secrets is stored untouched.
  json::object mirror = create(parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"mirror",
      "annotations":{"kubernetes.io/config.mirror":"x"}},"spec":{"containers":[{"name":"c","image":"i"}]}})"));
  EXPECT_TRUE(at(mirror, "spec.volumes").is_null());
}

TEST_F(ServiceAccountTest, TheControllerKeepsADefaultAccountInEveryNamespace) {
  k_.create_namespace("team-b");
  ASSERT_TRUE(eventually([&] { return has_default("team-b"); }));
  k_.admin().remove(kServiceAccountsR, "team-b", "default");
  ASSERT_TRUE(eventually([&] { return has_default("team-b"); }));
  EXPECT_TRUE(has_default("kube-system"));
}

TEST_F(ServiceAccountTest, TheRootCAIsPublishedInEveryNamespaceAndRestored) {
  auto data = [&](const std::string& ns) -> std::string {
    try {
      auto cm = k_.admin().get(kConfigMapsR, ns, "kube-root-ca.crt");
      return json::serialize(cm->at("data"));
    } catch (const ApiError&) {
      return {};
    }
  };
  std::string want = json::serialize(json::object{{"ca.crt", kTestCA}});
  ASSERT_TRUE(eventually([&] { return data("team-a") == want; }));
  auto cm = k_.admin().get(kConfigMapsR, "team-a", "kube-root-ca.crt");
  EXPECT_EQ(std::string(cm->at("metadata").at("annotations").at("kubernetes.io/description").as_string()),
            controllers::rootca::kRootCADescription);

  k_.create_namespace("team-b");
  ASSERT_TRUE(eventually([&] { return data("team-b") == want; }));
  // Changed: put back; deleted: re-created.
  json::object edited = *cm;
  edited["data"] = json::object{{"ca.crt", "tampered"}};
  k_.admin().update(kConfigMapsR, "team-a", edited);
  ASSERT_TRUE(eventually([&] { return data("team-a") == want; }));
  k_.admin().remove(kConfigMapsR, "team-b", "kube-root-ca.crt");
  ASSERT_TRUE(eventually([&] { return data("team-b") == want; }));
}

TEST(ServiceAccountAdmission, TheDefaultAccountIsWaitedForAMoment) {
  // No controller runs: the account appears a little after the namespace, as the
  // controller would make it, and the pod waits for it, as upstream's admission does.
  AdmissionKernel k;
  k.start<ServiceAccountPlugin>("service-account");
  k.create_namespace("new");
  std::thread controller([&] {
    std::this_thread::sleep_for(300ms);
    k.admin().create(
        kServiceAccountsR, "new",
        json::object{{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "default"}}}});
  });
  json::object stored = *k.admin().create(kPodsR, "new", pod("web"));
  controller.join();
  EXPECT_EQ(str(stored, "spec.serviceAccountName"), "default");

  // Never made: refused with upstream's message.
  k.create_namespace("empty");
  ApiError missing = error_of([&] { k.admin().create(kPodsR, "empty", pod("web")); });
  EXPECT_STREQ(missing.what(),
               "pods \"web\" is forbidden: error looking up service account empty/default: serviceaccount "
               "\"default\" not found");
  // A named account is not waited for: it must exist.
  ApiError e = error_of([&] {
    k.admin().create(kPodsR, "empty", pod("p", {{"c", ""}}, R"({"serviceAccountName":"x"})"));
  });
  EXPECT_STREQ(
      e.what(),
      "pods \"p\" is forbidden: error looking up service account empty/x: serviceaccount \"x\" not found");
}

}  // namespace
}  // namespace ukube::admission::testing
