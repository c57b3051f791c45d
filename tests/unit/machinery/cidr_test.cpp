// IP networks as Go's net.ParseCIDR reads them and net.IPNet prints them.
#include "ukube/machinery/cidr.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace ukube::machinery {
namespace {

Cidr cidr_of(const std::string& text) {
  auto parsed = parse_cidr(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(Cidr{});
}

TEST(Cidr, ParsesAndPrintsAsGo) {
  EXPECT_EQ(cidr_of("10.42.1.7/24").str(), "10.42.1.0/24");
  EXPECT_EQ(cidr_of("FD00:42::1/64").str(), "fd00:42::/64");
  EXPECT_EQ(cidr_of("0.0.0.0/0").str(), "0.0.0.0/0");
  for (const char* bad : {"10.42.0.0", "10.42.0.0/33", "10.42.0.0/", "10.42.0.0/-1", "10.42.0/24",
                          "fd00::/129", "x/24", "10.42.0.0/24 ", "010.42.0.0/24"})
    EXPECT_FALSE(parse_cidr(bad)) << bad;
  EXPECT_TRUE(cidr_of("10.42.0.0/16").contains(cidr_of("10.42.255.0/24")));
  EXPECT_FALSE(cidr_of("10.42.0.0/16").contains(cidr_of("10.43.0.0/24")));
  EXPECT_FALSE(cidr_of("10.42.0.0/16").contains(cidr_of("10.0.0.0/8")));
  EXPECT_TRUE(cidr_of("10.42.0.0/16").overlaps(cidr_of("10.0.0.0/8")));
  EXPECT_FALSE(cidr_of("10.42.0.0/16").contains(cidr_of("fd00::/64")));
}

TEST(Cidr, ListsAreOneCidrOrADualStackPair) {
  const auto pair = parse_cidr_list("10.42.0.0/16, fd00:42::/56", "cluster_cidr");
  ASSERT_EQ(pair.size(), 2u);
  EXPECT_EQ(pair[1].str(), "fd00:42::/56");
  EXPECT_THROW(parse_cidr_list("", "cluster_cidr"), std::invalid_argument);
  EXPECT_THROW(parse_cidr_list("10.42.0.0/16,", "cluster_cidr"), std::invalid_argument);
  EXPECT_THROW(parse_cidr_list("fd00::/56,fd01::/56", "cluster_cidr"), std::invalid_argument);
  EXPECT_THROW(parse_cidr_list("10.0.0.0/8,fd00::/56,10.1.0.0/16", "cluster_cidr"), std::invalid_argument);
}

}  // namespace
}  // namespace ukube::machinery
