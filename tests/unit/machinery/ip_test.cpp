// IP addresses and CIDR prefixes: what parses, the canonical text, stepping and distances,
// and a prefix's bounds.
#include <gtest/gtest.h>

#include "ukube/machinery/ip.h"
#include "ukube/machinery/names.h"

namespace ukube::machinery {
namespace {

IPAddress addr(const char* text) {
  auto ip = IPAddress::parse(text);
  EXPECT_TRUE(ip) << text;
  return ip ? *ip : IPAddress{};
}

TEST(IPAddress, ParsesBothFamiliesAndPrintsThemCanonically) {
  EXPECT_EQ(addr("10.43.0.1").family(), IPFamily::IPv4);
  EXPECT_EQ(addr("10.43.0.1").to_string(), "10.43.0.1");
  EXPECT_EQ(addr("FD00:0:0::0:1").family(), IPFamily::IPv6);
  EXPECT_EQ(addr("FD00:0:0::0:1").to_string(), "fd00::1");
  for (const char* bad :
       {"", "10.43.0", "10.43.0.256", "010.43.0.1", "10.43.0.1/16", "fd00::1%eth0", "web", "1.2.3.4 "})
    EXPECT_FALSE(IPAddress::parse(bad)) << bad;
  EXPECT_EQ(family_of("fd00::1"), IPFamily::IPv6);
  EXPECT_EQ(to_string(IPFamily::IPv4), "IPv4");
}

TEST(IPAddress, StepsAndMeasuresAcrossBytes) {
  EXPECT_EQ(addr("10.43.0.255").plus(1)->to_string(), "10.43.1.0");
  EXPECT_EQ(addr("10.43.0.1").plus(65535)->to_string(), "10.44.0.0");
  EXPECT_FALSE(addr("255.255.255.255").plus(1));
  EXPECT_EQ(addr("fd00::ffff").plus(1)->to_string(), "fd00::1:0");
  EXPECT_EQ(addr("10.44.0.0").distance_from(addr("10.43.0.1")), 65535u);
  EXPECT_EQ(addr("fd00::1:0").distance_from(addr("fd00::")), 65536u);
  EXPECT_EQ(addr("fd01::").distance_from(addr("fd00::")), UINT64_MAX);  // capped
  EXPECT_EQ(addr("10.43.0.1").distance_from(addr("10.43.0.2")), 0u);    // below the base
  EXPECT_LT(addr("10.43.0.9"), addr("10.43.0.10"));
  EXPECT_LT(addr("255.255.255.255"), addr("::"));
}

TEST(IPPrefix, MasksHostBitsAndKnowsItsBounds) {
  auto p = IPPrefix::parse("10.43.7.9/16");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->to_string(), "10.43.0.0/16");
  EXPECT_EQ(p->last().to_string(), "10.43.255.255");
  EXPECT_EQ(p->size(), 65536u);
  EXPECT_TRUE(p->contains(addr("10.43.255.255")));
  EXPECT_FALSE(p->contains(addr("10.44.0.0")));
  EXPECT_FALSE(p->contains(addr("fd00::1")));
  auto odd = IPPrefix::parse("10.43.0.0/29");
  EXPECT_EQ(odd->last().to_string(), "10.43.0.7");
  auto v6 = IPPrefix::parse("fd00:43::/112");
  EXPECT_EQ(v6->last().to_string(), "fd00:43::ffff");
  EXPECT_EQ(IPPrefix::parse("fd00::/48")->size(), UINT64_MAX);  // capped
  EXPECT_EQ(IPPrefix::parse("10.0.0.0/20")->network().to_string(), "10.0.0.0");
  for (const char* bad :
       {"10.43.0.0", "10.43.0.0/33", "10.43.0.0/-1", "10.43.0.0/", "fd00::/129", "x/8", "10.43.0.0/1a"})
    EXPECT_FALSE(IPPrefix::parse(bad)) << bad;
}

TEST(GoStrings, PrintsAStringListAsGoDoes) {
  EXPECT_EQ(go_strings({"10.43.0.5", "fd00::5"}), R"([]string{"10.43.0.5", "fd00::5"})");
  EXPECT_EQ(go_strings({}), "[]string{}");
}

}  // namespace
}  // namespace ukube::machinery
