// When the repair loop deletes, creates or leaves an IPAddress: the allocator's own only,
// never one a create may still be on its way to use, and never a duplicate it cannot
// settle by itself.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "admission/service-allocator/cluster_ips.h"
#include "admission/service-allocator/repair_decisions.h"

namespace ukube::admission::service_allocator {
namespace {

using Action = Verdict::Action;
using namespace std::chrono_literals;

const Clock::time_point kNow = Clock::now();
constexpr auto kGrace = 60s;

json::object named_service(const std::string& name, std::string_view spec) {
  return {{"metadata", {{"name", name}, {"namespace", "default"}}}, {"spec", json::parse(spec)}};
}

json::object ip_address(const std::string& address, const std::string& parent, std::chrono::seconds age,
                        bool managed = true) {
  auto o = ip_address_object(*IPAddress::parse(address), named_service(parent, "{}"));
  o["metadata"].as_object()["creationTimestamp"] = machinery::format_time(kNow - age);
  if (!managed) o["metadata"].as_object().erase("labels");
  return o;
}

TEST(RepairDecisions, AnIPAddressOfAServiceHoldingItStays) {
  auto web = named_service("web", R"({"clusterIP":"10.43.0.5","clusterIPs":["10.43.0.5"]})");
  EXPECT_EQ(judge_ip_address(ip_address("10.43.0.5", "web", 600s), &web, kNow, kGrace).action, Action::Keep);
}

TEST(RepairDecisions, ALeakedIPAddressGoesAfterTheGracePeriod) {
  // No Service (its create failed or never came) or one that does not hold it (deleted
  // and made again, or changed to ExternalName).
  auto young = judge_ip_address(ip_address("10.43.0.5", "web", 20s), nullptr, kNow, kGrace);
  EXPECT_EQ(young.action, Action::Wait);
  EXPECT_EQ(young.wait, 40s);
  EXPECT_EQ(judge_ip_address(ip_address("10.43.0.5", "web", 61s), nullptr, kNow, kGrace).action,
            Action::Delete);
  auto external = named_service("web", R"({"type":"ExternalName","clusterIPs":["10.43.0.5"]})");
  EXPECT_EQ(judge_ip_address(ip_address("10.43.0.5", "web", 600s), &external, kNow, kGrace).action,
            Action::Delete);
  auto other = named_service("web", R"({"clusterIP":"10.43.0.6","clusterIPs":["10.43.0.6"]})");
  EXPECT_EQ(judge_ip_address(ip_address("10.43.0.5", "web", 600s), &other, kNow, kGrace).action,
            Action::Delete);
  EXPECT_EQ(judge_ip_address(ip_address("10.43.0.5", "web", 10s), &other, kNow, kGrace).action, Action::Wait);
}

TEST(RepairDecisions, AnAddressGivenUpGoesAtOnce) {
  // Written at revision 10 for a Service deleted (or changed) at its version 12: no create
  // in flight can own it, however young it is.
  auto ip = ip_address("10.43.0.5", "web", 1s);
  ip["metadata"].as_object()["resourceVersion"] = "10";
  EXPECT_EQ(judge_ip_address(ip, nullptr, kNow, kGrace, 12).action, Action::Delete);
  // Written after: the Service was made again, with a create on its way.
  EXPECT_EQ(judge_ip_address(ip, nullptr, kNow, kGrace, 9).action, Action::Wait);
  auto again = named_service("web", R"({"clusterIP":"10.43.0.5","clusterIPs":["10.43.0.5"]})");
  EXPECT_EQ(judge_ip_address(ip, &again, kNow, kGrace, 12).action, Action::Keep);
}

TEST(RepairDecisions, OthersIPAddressesAreLeftAlone) {
  EXPECT_EQ(judge_ip_address(ip_address("10.43.0.5", "web", 600s, false), nullptr, kNow, kGrace).action,
            Action::Keep);
  auto gateway = ip_address("10.43.0.5", "web", 1s);
  gateway["spec"].as_object()["parentRef"].as_object()["group"] = "gateway.networking.k8s.io";
  EXPECT_EQ(judge_ip_address(gateway, nullptr, kNow, kGrace).action, Action::Delete);
}

TEST(RepairDecisions, AServiceAddressWithoutIPAddressGetsOne) {
  auto web = named_service("web", R"({"clusterIP":"10.43.0.5","clusterIPs":["10.43.0.5"]})");
  auto ip = ip_address("10.43.0.5", "web", 600s);
  EXPECT_EQ(judge_service_ip(web, "10.43.0.5", true, &ip, nullptr, kNow, kGrace).action, Action::Keep);
  EXPECT_EQ(judge_service_ip(web, "10.43.0.5", true, nullptr, nullptr, kNow, kGrace).action, Action::Create);
  EXPECT_EQ(judge_service_ip(web, "10.44.0.5", false, nullptr, nullptr, kNow, kGrace).action,
            Action::OutOfRange);
  auto unlabelled = ip_address("10.43.0.5", "web", 600s, false);
  EXPECT_EQ(judge_service_ip(web, "10.43.0.5", true, &unlabelled, nullptr, kNow, kGrace).action,
            Action::Recreate);
}

TEST(RepairDecisions, AnAddressNamingAnotherService) {
  auto web = named_service("web", R"({"clusterIP":"10.43.0.5","clusterIPs":["10.43.0.5"]})");
  auto api = named_service("api", R"({"clusterIP":"10.43.0.5","clusterIPs":["10.43.0.5"]})");
  auto ip = ip_address("10.43.0.5", "api", 600s);
  // Both hold it: only a person can say which keeps it.
  EXPECT_EQ(judge_service_ip(web, "10.43.0.5", true, &ip, &api, kNow, kGrace).action, Action::Duplicate);
  // The other does not hold it (any more): it is this Service's, unless that IPAddress may
  // be a create in flight.
  EXPECT_EQ(judge_service_ip(web, "10.43.0.5", true, &ip, nullptr, kNow, kGrace).action, Action::Recreate);
  auto fresh = ip_address("10.43.0.5", "api", 5s);
  EXPECT_EQ(judge_service_ip(web, "10.43.0.5", true, &fresh, nullptr, kNow, kGrace).action, Action::Wait);
}

}  // namespace
}  // namespace ukube::admission::service_allocator
