// The allocators' arithmetic apart from the API: how ranges split into the band kept for
// requests and the rest, which addresses a Service CIDR gives out, node port reservations,
// and the config's defaults and refusals.
#include <gtest/gtest.h>

#include <set>

#include "admission/service-allocator/allocation_error.h"
#include "admission/service-allocator/banded_range.h"
#include "admission/service-allocator/config.pb.h"
#include "admission/service-allocator/ip_range.h"
#include "admission/service-allocator/node_ports.h"
#include "admission/service-allocator/settings.h"

namespace ukube::admission::service_allocator {
namespace {

IPAddress ip(const char* text) {
  return *IPAddress::parse(text);
}

ServiceIPRange range(const char* cidr) {
  return *ServiceIPRange::of(*IPPrefix::parse(cidr));
}

TEST(BandedRange, StaticBandFollowsUpstreamFormula) {
  // Cluster IPs: min(max(16, size/16), 256) of the whole CIDR; none for 16 addresses or fewer.
  EXPECT_EQ(static_band(65536, 16, 256, 16), 256u);  // /16
  EXPECT_EQ(static_band(1024, 16, 256, 16), 64u);    // /22
  EXPECT_EQ(static_band(64, 16, 256, 16), 16u);      // /26
  EXPECT_EQ(static_band(16, 16, 256, 16), 0u);       // /28
  EXPECT_EQ(static_band(8, 16, 256, 16), 0u);        // /29
  // Node ports: min(max(16, size/32), 128).
  EXPECT_EQ(static_band(2768, 16, 128, 32), 86u);  // 30000-32767
  EXPECT_EQ(static_band(20, 16, 128, 32), 16u);
}

TEST(BandedRange, PicksAboveTheBandUntilItIsFull) {
  BandedRange r{100, 20};
  std::mt19937_64 random(7);
  std::set<uint64_t> taken;
  auto take = [&](uint64_t v) { return taken.insert(v).second; };
  for (int i = 0; i < 80; ++i) {
    auto v = r.pick(random, take);
    ASSERT_TRUE(v);
    EXPECT_GE(*v, 20u) << "a dynamic pick went into the band while values above it were free";
  }
  for (int i = 0; i < 20; ++i) {
    auto v = r.pick(random, take);
    ASSERT_TRUE(v);
    EXPECT_LT(*v, 20u);
  }
  EXPECT_FALSE(r.pick(random, take));
  EXPECT_EQ(taken.size(), 100u);
}

TEST(BandedRange, StartsAtRandomPoints) {
  BandedRange r{1000, 0};
  std::set<uint64_t> first_picks;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    std::mt19937_64 random(seed);
    first_picks.insert(*r.pick(random, [](uint64_t) { return true; }));
  }
  EXPECT_GT(first_picks.size(), 15u);
}

TEST(ServiceIPRange, LeavesNetworkAndBroadcastOut) {
  auto r = range("10.43.0.0/16");
  EXPECT_EQ(r.first().to_string(), "10.43.0.1");
  EXPECT_EQ(r.bands().size, 65534u);
  EXPECT_EQ(r.bands().band, 256u);
  EXPECT_EQ(r.at(0).to_string(), "10.43.0.1");
  EXPECT_EQ(r.at(65533).to_string(), "10.43.255.254");
  EXPECT_EQ(r.place(ip("10.43.0.0")), ServiceIPRange::Place::Reserved);
  EXPECT_EQ(r.place(ip("10.43.255.255")), ServiceIPRange::Place::Reserved);
  EXPECT_EQ(r.place(ip("10.43.7.9")), ServiceIPRange::Place::Allocatable);
  EXPECT_EQ(r.place(ip("10.44.0.1")), ServiceIPRange::Place::Outside);
  EXPECT_EQ(r.place(ip("fd00::1")), ServiceIPRange::Place::Outside);
}

TEST(ServiceIPRange, IPv6GivesOutItsLastAddress) {
  auto r = range("fd00:43::/112");
  EXPECT_EQ(r.first().to_string(), "fd00:43::1");
  EXPECT_EQ(r.bands().size, 65535u);
  EXPECT_EQ(r.place(ip("fd00:43::ffff")), ServiceIPRange::Place::Allocatable);
  EXPECT_EQ(r.place(ip("fd00:43::")), ServiceIPRange::Place::Reserved);
  EXPECT_EQ(range("fd00::/64").bands().size, UINT64_MAX);
}

TEST(ServiceIPRange, RefusesPrefixesWithoutServiceAddresses) {
  EXPECT_FALSE(ServiceIPRange::of(*IPPrefix::parse("10.0.0.0/31")));
  EXPECT_FALSE(ServiceIPRange::of(*IPPrefix::parse("255.255.255.255/32")));
  EXPECT_FALSE(ServiceIPRange::of(*IPPrefix::parse("fd00::/48")));
  EXPECT_FALSE(ServiceIPRange::of(*IPPrefix::parse("fd00::1/128")));
  EXPECT_TRUE(ServiceIPRange::of(*IPPrefix::parse("10.0.0.0/30")));
}

class NodePorts : public ::testing::Test {
 protected:
  std::map<int, std::vector<std::string>> holders;  // what the Service cache shows
  NodePortAllocator::Clock::time_point now{};
  NodePortAllocator ports{PortRange{30000, 5}, [this](int port) { return holders[port]; },
                          std::chrono::seconds(60), [this] { return now; }};
  PortClaim a{"default/a", "uid-a", 0};
  PortClaim b{"default/b", "uid-b", 0};

  AllocationError::Kind failure(const std::function<void()>& f) {
    try {
      f();
    } catch (const AllocationError& e) {
      return e.kind();
    }
    ADD_FAILURE() << "no AllocationError";
    return AllocationError::Kind::Full;
  }
};

TEST_F(NodePorts, RangeParsesAndPrints) {
  auto r = PortRange::parse("30000-32767");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->base, 30000);
  EXPECT_EQ(r->size, 2768);
  EXPECT_EQ(r->to_string(), "30000-32767");
  EXPECT_FALSE(PortRange::parse("32767-30000"));
  EXPECT_FALSE(PortRange::parse("30000"));
  EXPECT_FALSE(PortRange::parse("0-100"));
  EXPECT_FALSE(PortRange::parse("1-70000"));
}

TEST_F(NodePorts, RequestedPortsConflictWithHoldersAndReservations) {
  ports.allocate(30001, a, false);
  EXPECT_EQ(failure([&] { ports.allocate(30001, b, false); }), AllocationError::Kind::Allocated);
  ports.allocate(30001, a, false);  // its own
  holders[30002] = {"default/b"};
  EXPECT_EQ(failure([&] { ports.allocate(30002, a, false); }), AllocationError::Kind::Allocated);
  ports.allocate(30002, b, false);  // held by itself
  try {
    ports.allocate(29999, a, false);
    ADD_FAILURE();
  } catch (const AllocationError& e) {
    EXPECT_EQ(e.kind(), AllocationError::Kind::NotInRange);
    EXPECT_STREQ(e.what(),
                 "provided port is not in the valid range. The range of valid ports is 30000-30004");
  }
}

TEST_F(NodePorts, DryRunsReserveNothing) {
  ports.allocate(30003, a, true);
  ports.allocate(30003, b, false);
  std::set<int> seen;
  for (int i = 0; i < 50; ++i) seen.insert(ports.allocate_next(a, true));
  EXPECT_FALSE(seen.count(30003));
}

TEST_F(NodePorts, RandomPortsRunOutAndComeBack) {
  std::set<int> got;
  for (int i = 0; i < 5; ++i) got.insert(ports.allocate_next(a, false));
  EXPECT_EQ(got.size(), 5u);
  EXPECT_EQ(failure([&] { ports.allocate_next(b, false); }), AllocationError::Kind::Full);
  // A request that failed gives its port back at once...
  ports.release(*got.begin(), a);
  EXPECT_EQ(ports.allocate_next(b, false), *got.begin());
  // ...and one lost in a crash when its reservation runs out.
  now += std::chrono::seconds(61);
  std::set<int> again;
  for (int i = 0; i < 5; ++i) again.insert(ports.allocate_next(b, false));
  EXPECT_EQ(again.size(), 5u);
}

TEST_F(NodePorts, SettlingNeedsTheWriteOfTheClaim) {
  PortClaim update{"default/a", "uid-a", 40};
  ports.allocate(30004, update, false);
  // An older version of the Service, or another Service of that name, settles nothing.
  ports.settle("default/a", "uid-a", 39, {30004});
  ports.settle("default/a", "uid-other", 50, {30004});
  EXPECT_EQ(failure([&] { ports.allocate(30004, b, false); }), AllocationError::Kind::Allocated);
  // The cache shows the write: the reservation goes, and the holder keeps it taken.
  holders[30004] = {"default/a"};
  ports.settle("default/a", "uid-a", 41, {30004});
  EXPECT_EQ(failure([&] { ports.allocate(30004, b, false); }), AllocationError::Kind::Allocated);
  holders[30004].clear();  // the Service gave it up
  ports.allocate(30004, b, false);
}

TEST(Settings, DefaultsAndRefusals) {
  ServiceAllocatorConfig config;
  Settings s = defaults(config);
  ASSERT_EQ(s.service_cidrs.size(), 1u);
  EXPECT_EQ(s.service_cidrs[0].to_string(), "10.43.0.0/16");
  EXPECT_EQ(s.node_ports.to_string(), "30000-32767");
  EXPECT_FALSE(s.advertise_address);
  EXPECT_EQ(s.ip_grace, std::chrono::seconds(60));

  config.set_service_cidr("10.96.0.0/12,fd00:10:96::/112");
  config.set_node_port_range("31000-31999");
  config.set_advertise_address("192.168.1.10");
  s = defaults(config);
  ASSERT_EQ(s.service_cidrs.size(), 2u);
  EXPECT_EQ(s.service_cidrs[1].to_string(), "fd00:10:96::/112");
  EXPECT_EQ(s.node_ports.base, 31000);
  EXPECT_EQ(s.advertise_address->to_string(), "192.168.1.10");

  for (const char* bad :
       {"10.43.0.0", "10.0.0.0/8", "10.43.0.0/31", "10.1.0.0/16,10.2.0.0/16", "fd00::/48"}) {
    ServiceAllocatorConfig c;
    c.set_service_cidr(bad);
    EXPECT_THROW(defaults(c), std::invalid_argument) << bad;
  }
  ServiceAllocatorConfig ports;
  ports.set_node_port_range("30000:32767");
  EXPECT_THROW(defaults(ports), std::invalid_argument);
  ServiceAllocatorConfig address;
  address.set_advertise_address("api.example.com");
  EXPECT_THROW(defaults(address), std::invalid_argument);
}

}  // namespace
}  // namespace ukube::admission::service_allocator
