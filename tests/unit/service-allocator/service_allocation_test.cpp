// The plugin in a real kernel, as the host runs it: cluster IPs and node ports through the
// request pipeline with upstream's errors, releases through the repair loop, and the
// repair loop putting right what a crash leaves.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include <boost/json.hpp>

#include "admission/service-allocator/config.pb.h"
#include "admission/service-allocator/service_allocator_plugin.h"
#include "registry.h"
#include "tests/support/eventually.h"
#include "tests/support/plugin_context.h"
#include "tests/support/test_kernel.h"
#include "tests/unit/builtin-types/builtin_test_support.h"

namespace ukube::admission::service_allocator {
namespace {

using builtin::testing::kIPAddresses;
using builtin::testing::kServiceCIDRs;
using builtin::testing::kServices;
using ukube::testing::eventually;
using ukube::testing::expect_error;

// A kernel with the built-in types and the plugin on a /29 (six addresses, 10.43.0.1-6)
// and five node ports, with a one-second grace period and repair interval.
class Allocation : public ::testing::Test {
 protected:
  void SetUp() override { start(); }
  void TearDown() override { stop(); }

  void start() {
    builtin::testing::remove_stand_ins(kernel_.types());
    builtin::register_builtin_types(kernel_.types());
    admin_ = kernel_.client();
    admin_->create({"", "v1", "namespaces"}, "",
                   json::parse(R"({"metadata":{"name":"default"}})").as_object());
    config_.set_service_cidr("10.43.0.0/29");
    config_.set_node_port_range("30000-30004");
    config_.set_ip_grace_seconds(1);
    config_.set_repair_interval_seconds(1);
    context_ = std::make_unique<ukube::testing::PluginContext>(
        kernel_, "ukube.admission.v1.service-allocator", data_.path(), &config_);
    plugin_ = std::make_unique<ServiceAllocatorPlugin>();
    plugin_->init(*context_);
    plugin_->start();
  }
  void stop() {
    if (plugin_) plugin_->stop();
    plugin_.reset();
  }

  json::object create(std::string_view name, std::string_view spec, bool dry_run = false) {
    WriteOptions options;
    options.dry_run = dry_run;
    return *admin_->create(kServices, "default", service(name, spec), options);
  }
  static json::object service(std::string_view name, std::string_view spec) {
    return json::object{{"apiVersion", "v1"},
                        {"kind", "Service"},
                        {"metadata", {{"name", name}}},
                        {"spec", json::parse(spec)}};
  }
  ApiError refused(std::string_view name, std::string_view spec) {
    return expect_error([&] { create(name, spec); });
  }
  // The IPAddress from the store; null when there is none.
  ObjectPtr ip_address(const std::string& ip) {
    try {
      return admin_->get(kIPAddresses, "", ip);
    } catch (const ApiError& e) {
      if (!is_not_found(e)) throw;
    }
    return nullptr;
  }
  size_t ip_address_count() { return admin_->list(kIPAddresses, "").items.size(); }
  static std::string ip_of(const json::object& service) {
    return std::string(service.at("spec").at("clusterIP").as_string());
  }
  static int64_t node_port(const json::object& service, size_t i = 0) {
    return service.at("spec").at("ports").at(i).at("nodePort").as_int64();
  }

  ukube::testing::TestKernel kernel_;
  ukube::testing::TempDir data_{"service-allocator"};
  std::shared_ptr<Client> admin_;
  ServiceAllocatorConfig config_;
  std::unique_ptr<ukube::testing::PluginContext> context_;
  std::unique_ptr<ServiceAllocatorPlugin> plugin_;
};

constexpr const char* kPorts = R"({"selector":{"app":"web"},"ports":[{"port":80}]})";

TEST_F(Allocation, AServiceGetsAFreeAddressHeldByAnIPAddress) {
  auto web = create("web", kPorts);
  const std::string ip = ip_of(web);
  auto parsed = IPAddress::parse(ip);
  ASSERT_TRUE(parsed) << ip;
  EXPECT_TRUE(IPPrefix::parse("10.43.0.0/29")->contains(*parsed));
  EXPECT_NE(ip, "10.43.0.0");
  EXPECT_NE(ip, "10.43.0.7");
  EXPECT_EQ(web.at("spec").at("clusterIPs"), json::array{json::string(ip)});
  EXPECT_EQ(web.at("spec").at("ipFamilies"), json::parse(R"(["IPv4"])"));
  EXPECT_EQ(web.at("spec").at("ipFamilyPolicy"), "SingleStack");
  auto held = ip_address(ip);
  ASSERT_TRUE(held);
  EXPECT_EQ(held->at("spec").at("parentRef"),
            json::parse(R"({"resource":"services","namespace":"default","name":"web"})"));
  EXPECT_EQ(
      held->at("metadata").at("labels"),
      json::parse(
          R"({"ipaddress.kubernetes.io/ip-family":"IPv4","ipaddress.kubernetes.io/managed-by":"ipallocator.k8s.io"})"));
}

TEST_F(Allocation, ARequestedAddressIsGivenOnceWithUpstreamsErrors) {
  auto web = create("web", R"({"clusterIP":"10.43.0.5","ports":[{"port":80}]})");
  EXPECT_EQ(ip_of(web), "10.43.0.5");
  auto taken = refused("api", R"({"clusterIP":"10.43.0.5","ports":[{"port":80}]})");
  EXPECT_EQ(taken.code(), 422);
  EXPECT_EQ(taken.reason(), "Invalid");
  EXPECT_STREQ(
      taken.what(),
      "Service \"api\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.43.0.5\"}: failed to "
      "allocate IP 10.43.0.5: provided IP is already allocated");
  ASSERT_EQ(taken.causes.size(), 1u);
  EXPECT_EQ(taken.causes[0].field, "spec.clusterIPs");
  EXPECT_EQ(taken.causes[0].reason, "FieldValueInvalid");

  EXPECT_STREQ(
      refused("api", R"({"clusterIP":"10.44.0.1","ports":[{"port":80}]})").what(),
      "Service \"api\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.44.0.1\"}: failed to "
      "allocate IP 10.44.0.1: the provided network does not match the current range");
  EXPECT_STREQ(
      refused("api", R"({"clusterIP":"10.43.0.7","ports":[{"port":80}]})").what(),
      "Service \"api\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.43.0.7\"}: failed to "
      "allocate IP 10.43.0.7: the provided IP (10.43.0.7) is not in the valid range. The range of valid "
      "IPs is 10.43.0.0/29");
  // Nothing was taken by the refused requests, nor by one the type's validation refuses.
  EXPECT_EQ(refused("Bad_Name", R"({"clusterIP":"10.43.0.6","ports":[{"port":80}]})").code(), 422);
  EXPECT_EQ(ip_address_count(), 1u);
  EXPECT_EQ(ip_of(create("api", R"({"clusterIP":"10.43.0.6","ports":[{"port":80}]})")), "10.43.0.6");
}

TEST_F(Allocation, ATinyRangeRunsOutAndReleasedAddressesComeBack) {
  std::set<std::string> ips;
  for (int i = 0; i < 6; ++i) ips.insert(ip_of(create("s" + std::to_string(i), kPorts)));
  EXPECT_EQ(ips, (std::set<std::string>{"10.43.0.1", "10.43.0.2", "10.43.0.3", "10.43.0.4", "10.43.0.5",
                                        "10.43.0.6"}));
  auto full = refused("s6", kPorts);
  EXPECT_EQ(full.code(), 500);
  EXPECT_EQ(full.reason(), "InternalError");
  EXPECT_STREQ(full.what(), "Internal error occurred: failed to allocate a serviceIP: range is full");
  // An existing Service's create is refused by the store, without costing an address.
  EXPECT_EQ(refused("s0", kPorts).reason(), "AlreadyExists");

  auto freed = admin_->get(kServices, "default", "s3");
  admin_->remove(kServices, "default", "s3");
  // The repair loop releases the address as soon as it sees the deletion.
  EXPECT_TRUE(eventually([&] { return !ip_address(ip_of(*freed)); }));
  // Picks judge by the IPAddress cache, which follows the store closely.
  EXPECT_TRUE(eventually([&] {
    try {
      return ip_of(create("s6", kPorts)) == ip_of(*freed);
    } catch (const ApiError&) {
      return false;
    }
  }));
}

TEST_F(Allocation, ADeletionReleasesAtOnce) {
  // The grace period is long here: only a release on the deletion itself frees the address.
  stop();
  config_.set_ip_grace_seconds(3600);
  plugin_ = std::make_unique<ServiceAllocatorPlugin>();
  plugin_->init(*context_);
  plugin_->start();
  auto web = create("web", R"({"clusterIP":"10.43.0.2","ports":[{"port":80}]})");
  admin_->remove(kServices, "default", "web");
  EXPECT_TRUE(eventually([&] { return !ip_address("10.43.0.2"); }, std::chrono::seconds(10)));
  EXPECT_EQ(ip_of(create("api", R"({"clusterIP":"10.43.0.2","ports":[{"port":80}]})")), "10.43.0.2");
}

TEST_F(Allocation, HeadlessAndExternalNameServicesGetNoAddress) {
  auto headless = create("db", R"({"clusterIP":"None","selector":{"app":"db"},"ports":[{"port":5432}]})");
  EXPECT_EQ(headless.at("spec").at("clusterIPs"), json::parse(R"(["None"])"));
  EXPECT_EQ(headless.at("spec").at("ipFamilyPolicy"), "SingleStack");
  auto selectorless = create("ext-db", R"({"clusterIP":"None"})");
  EXPECT_EQ(selectorless.at("spec").at("ipFamilyPolicy"), "RequireDualStack");
  EXPECT_EQ(selectorless.at("spec").at("ipFamilies"), json::parse(R"(["IPv4","IPv6"])"));
  auto external = create("mail", R"({"type":"ExternalName","externalName":"mail.example.com"})");
  EXPECT_FALSE(external.at("spec").as_object().contains("clusterIP"));
  EXPECT_FALSE(external.at("spec").as_object().contains("ipFamilies"));
  EXPECT_EQ(ip_address_count(), 0u);
}

TEST_F(Allocation, TypeChangesAllocateAndRelease) {
  auto mail =
      create("mail", R"({"type":"ExternalName","externalName":"mail.example.com","ports":[{"port":25}]})");
  auto as_cluster_ip = mail;
  as_cluster_ip["spec"].as_object()["type"] = "ClusterIP";
  as_cluster_ip["spec"].as_object().erase("externalName");
  auto updated = *admin_->update(kServices, "default", as_cluster_ip);
  const std::string ip = ip_of(updated);
  EXPECT_TRUE(ip_address(ip));
  // A replace that leaves the address out keeps it; changing it is refused.
  auto replace = service("mail", R"({"ports":[{"port":25}]})");
  replace["metadata"].as_object()["resourceVersion"] = updated.at("metadata").at("resourceVersion");
  updated = *admin_->update(kServices, "default", replace);
  EXPECT_EQ(ip_of(updated), ip);
  const std::string elsewhere = ip == "10.43.0.6" ? "10.43.0.5" : "10.43.0.6";
  auto moved = updated;
  moved["spec"].as_object()["clusterIP"] = elsewhere;
  moved["spec"].as_object()["clusterIPs"] = json::array{json::string(elsewhere)};
  auto e = expect_error([&] { admin_->update(kServices, "default", moved); });
  EXPECT_NE(std::string(e.what()).find("spec.clusterIPs[0]: Invalid value: []string{\"" + elsewhere +
                                       "\"}: may not change once set"),
            std::string::npos)
      << e.what();
  // Back to ExternalName: the address goes, and its IPAddress with it.
  admin_->patch(kServices, "default", "mail", PatchType::JsonMerge,
                R"({"spec":{"type":"ExternalName","externalName":"mail.example.com"}})");
  auto external = admin_->get(kServices, "default", "mail");
  EXPECT_FALSE(external->at("spec").as_object().contains("clusterIP"));
  EXPECT_TRUE(eventually([&] { return !ip_address(ip); }));
}

TEST_F(Allocation, DryRunsAllocateNothing) {
  auto dry = create("web", kPorts, true);
  EXPECT_EQ(ip_of(dry), "10.43.0.0");  // upstream's stand-in: no address is looked for
  auto requested = create("web", R"({"clusterIP":"10.43.0.4","ports":[{"port":80}]})", true);
  EXPECT_EQ(ip_of(requested), "10.43.0.4");
  auto node = create("np", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30001}]})", true);
  EXPECT_EQ(node_port(node), 30001);
  EXPECT_EQ(ip_address_count(), 0u);
  // Nothing was reserved either.
  EXPECT_EQ(node_port(create("np", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30001}]})")), 30001);
}

TEST_F(Allocation, NodePortsRequestedOrPicked) {
  auto web = create("web", R"({"type":"NodePort","ports":[{"name":"http","port":80,"nodePort":30002},
    {"name":"https","port":443}]})");
  EXPECT_EQ(node_port(web, 0), 30002);
  const int64_t picked = node_port(web, 1);
  EXPECT_GE(picked, 30000);
  EXPECT_LE(picked, 30004);
  EXPECT_NE(picked, 30002);
  EXPECT_EQ(web.at("spec").at("externalTrafficPolicy"), "Cluster");
  auto taken = refused("api", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30002}]})");
  EXPECT_STREQ(
      taken.what(),
      "Service \"api\" is invalid: spec.ports[0].nodePort: Invalid value: 30002: provided port is already "
      "allocated");
  EXPECT_STREQ(
      refused("api", R"({"type":"NodePort","ports":[{"port":80,"nodePort":31000}]})").what(),
      "Service \"api\" is invalid: spec.ports[0].nodePort: Invalid value: 31000: provided port is not in "
      "the valid range. The range of valid ports is 30000-30004");
  // TCP and UDP on one port number share a node port.
  auto dns = create("dns", R"({"type":"NodePort","ports":[{"name":"udp","port":53,"protocol":"UDP"},
    {"name":"tcp","port":53,"protocol":"TCP"}]})");
  EXPECT_EQ(node_port(dns, 0), node_port(dns, 1));
  // A LoadBalancer without node ports, and one with a health check port.
  auto lb =
      create("lb", R"({"type":"LoadBalancer","allocateLoadBalancerNodePorts":false,"ports":[{"port":80}]})");
  EXPECT_FALSE(lb.at("spec").at("ports").at(0).as_object().contains("nodePort"));
  auto local = create("local", R"({"type":"LoadBalancer","allocateLoadBalancerNodePorts":false,
    "externalTrafficPolicy":"Local","ports":[{"port":80}]})");
  const int64_t health = local.at("spec").at("healthCheckNodePort").as_int64();
  EXPECT_GE(health, 30000);
  EXPECT_LE(health, 30004);
  // Four ports are in use now; the fifth goes, then the range is full.
  create("last", R"({"type":"NodePort","ports":[{"port":80}]})");
  EXPECT_STREQ(refused("more", R"({"type":"NodePort","ports":[{"port":80}]})").what(),
               "Internal error occurred: failed to allocate a nodePort: range is full");
}

TEST_F(Allocation, NodePortsStayOnUpdateAndGoWithTheType) {
  auto web = create("web", R"({"type":"NodePort","ports":[{"name":"http","port":80,"nodePort":30003}]})");
  auto replace = service("web", R"({"type":"NodePort","ports":[{"name":"http","port":80}]})");
  replace["metadata"].as_object()["resourceVersion"] = web.at("metadata").at("resourceVersion");
  auto kept = *admin_->update(kServices, "default", replace);
  EXPECT_EQ(node_port(kept), 30003);
  EXPECT_EQ(ip_of(kept), ip_of(web));
  admin_->patch(kServices, "default", "web", PatchType::JsonMerge, R"({"spec":{"type":"ClusterIP"}})");
  auto plain = admin_->get(kServices, "default", "web");
  EXPECT_FALSE(plain->at("spec").at("ports").at(0).as_object().contains("nodePort"));
  EXPECT_FALSE(plain->at("spec").as_object().contains("externalTrafficPolicy"));
  // The port is free again once the Service cache shows it given up.
  EXPECT_TRUE(eventually([&] {
    try {
      return node_port(create("api", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30003}]})")) ==
             30003;
    } catch (const ApiError&) {
      return false;
    }
  }));
}

TEST_F(Allocation, ConcurrentCreatesNeverShareAnAddressOrAPort) {
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::vector<json::object> created;
  for (int t = 0; t < 5; ++t)
    threads.emplace_back([&, t] {
      auto s = create("svc-" + std::to_string(t), R"({"type":"NodePort","ports":[{"port":80}]})");
      std::lock_guard lock(mutex);
      created.push_back(std::move(s));
    });
  for (auto& t : threads) t.join();
  std::set<std::string> ips;
  std::set<int64_t> ports;
  for (const auto& s : created) {
    ips.insert(ip_of(s));
    ports.insert(node_port(s));
  }
  EXPECT_EQ(ips.size(), 5u);
  EXPECT_EQ(ports.size(), 5u);
}

TEST_F(Allocation, RepairDeletesLeakedAndRecreatesMissingIPAddresses) {
  // What a crash between the two writes of a create leaves: an IPAddress for a Service
  // that was never stored. It goes once the grace period is over.
  admin_->create(
      kIPAddresses, "",
      json::parse(R"({"metadata":{"name":"10.43.0.3","labels":{"ipaddress.kubernetes.io/managed-by":
      "ipallocator.k8s.io","ipaddress.kubernetes.io/ip-family":"IPv4"}},
      "spec":{"parentRef":{"resource":"services","namespace":"default","name":"ghost"}}})")
          .as_object());
  // Someone else's IPAddress stays.
  admin_->create(kIPAddresses, "",
                 json::parse(R"({"metadata":{"name":"10.43.0.4"},
      "spec":{"parentRef":{"group":"example.com","resource":"gadgets","name":"g"}}})")
                     .as_object());
  EXPECT_TRUE(eventually([&] { return !ip_address("10.43.0.3"); }));
  EXPECT_TRUE(ip_address("10.43.0.4"));

  // A Service whose IPAddress is gone gets it back.
  auto web = create("web", kPorts);
  auto held = ip_address(ip_of(web));
  ASSERT_TRUE(held);
  admin_->remove(kIPAddresses, "", ip_of(web));
  EXPECT_TRUE(eventually([&] {
    auto again = ip_address(ip_of(web));
    return again && again->at("spec").at("parentRef").at("name") == "web";
  }));
}

TEST_F(Allocation, RestartRebuildsFromTheStore) {
  auto web = create("web", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30001}]})");
  stop();
  plugin_ = std::make_unique<ServiceAllocatorPlugin>();
  plugin_->init(*context_);
  plugin_->start();
  EXPECT_STREQ(
      refused("api", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30001}]})").what(),
      "Service \"api\" is invalid: spec.ports[0].nodePort: Invalid value: 30001: provided port is already "
      "allocated");
  EXPECT_EQ(refused("api", (R"({"clusterIP":")" + ip_of(web) + R"(","ports":[{"port":80}]})")).reason(),
            "Invalid");
}

TEST_F(Allocation, KeepsTheDefaultServiceCIDR) {
  EXPECT_TRUE(eventually([&] {
    try {
      auto cidr = admin_->get(kServiceCIDRs, "", "kubernetes");
      return cidr->at("spec").at("cidrs") == json::parse(R"(["10.43.0.0/29"])") &&
             cidr->at("status").at("conditions").at(0).at("status") == "True";
    } catch (const std::exception&) {
      return false;  // not there yet, or without its status yet
    }
  }));
}

}  // namespace
}  // namespace ukube::admission::service_allocator
