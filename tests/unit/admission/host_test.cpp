// The six plugins as the daemon runs them: the real libraries, loaded by the host from a
// config, in the config's order.
#include "kernel/host/host.h"
#include "admission_test_support.h"
#include "tests/support/host_services.h"

namespace ukube::admission::testing {
namespace {

TEST(AdmissionHost, LoadsEveryPluginFromTheConfigAndChainsThem) {
  ukube::testing::TestKernel kernel;
  builtin::testing::remove_stand_ins(kernel.types());
  ukube::testing::TempDir data_dir("admission-host");
  const std::filesystem::path& data = data_dir.path();
  std::filesystem::create_directories(data / "pki");
  std::ofstream(data / "pki" / "ca.crt") << kTestCA;

  host::KernelServices services = ukube::testing::kernel_services(kernel);

  host::DaemonConfig config = host::parse_config("data_dir: " + data.string() + R"(
plugins:
  - uri: ukube.types.v1.builtin
  - uri: ukube.admission.v1.namespace-lifecycle
  - uri: ukube.admission.v1.limit-ranger
  - uri: ukube.admission.v1.service-account
  - uri: ukube.admission.v1.priority
  - uri: ukube.admission.v1.default-toleration-seconds
  - uri: ukube.admission.v1.resource-quota
)",
                                                 "admission-test.yaml");
  auto host = host::Host::create(config, host::Catalog::scan({UKUBE_PLUGIN_DIR}), services);
  host->start();
  // Other admission libraries in the folder (webhook, node-restriction) are available, not running.
  int running = 0;
  for (const auto& row : host->describe())
    if (row.type == "ukube.admission.v1" && row.state == "running") ++running;
  EXPECT_EQ(running, 6);

  auto admin = kernel.client();
  // The service account controller's part (a plugin of its own, not loaded here).
  admin->create(
      kServiceAccountsR, "default",
      json::object{{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "default"}}}});
  admin->create(
      kLimitRangesR, "default",
      limit_range("defaults",
                  json::parse(R"([{"type":"Container","defaultRequest":{"cpu":"100m"}}])").as_array()));
  admin->create(kQuotasR, "default", quota("q", {{"pods", "1"}, {"requests.cpu", "1"}}));
  ASSERT_TRUE(
      eventually([&] { return !at(*admin->get(kQuotasR, "default", "q"), "status.used").is_null(); }));

  json::object stored = *admin->create(kPodsR, "default", pod("web"));
  EXPECT_EQ(str(stored, "spec.serviceAccountName"), "default");
  EXPECT_EQ(str(stored, "spec.volumes").rfind(R"([{"name":"kube-api-access-)", 0), 0u);
  EXPECT_EQ(json::serialize(at(stored, "spec.containers").as_array()[0].as_object().at("resources")),
            R"({"requests":{"cpu":"100m"}})");
  EXPECT_EQ(at(stored, "spec.tolerations").as_array().size(), 2u);
  // The priority plugin made the system classes at start.
  EXPECT_NO_THROW(admin->get({"scheduling.k8s.io", "v1", "priorityclasses"}, "", "system-node-critical"));
  EXPECT_EQ(json::serialize(at(*admin->get(kQuotasR, "default", "q"), "status.used")),
            R"({"pods":"1","requests.cpu":"100m"})");

  ApiError e = error_of([&] { admin->create(kPodsR, "default", pod("web2")); });
  EXPECT_STREQ(
      e.what(),
      "pods \"web2\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1");
  e = error_of([&] { admin->create(kPodsR, "nowhere", pod("web")); });
  EXPECT_STREQ(e.what(), "namespaces \"nowhere\" not found");

  host->stop();
  // Out of the chain once stopped: with the types back, nothing judges pods any more.
  builtin::register_builtin_types(kernel.types());
  EXPECT_NO_THROW(
      admin->create(kPodsR, "default", pod("after", {{"c", ""}}, R"({"serviceAccountName":"ghost"})")));
  EXPECT_NO_THROW(admin->create(kPodsR, "default", pod("after2")));
}

}  // namespace
}  // namespace ukube::admission::testing
