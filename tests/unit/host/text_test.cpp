#include "kernel/host/text.h"

#include <gtest/gtest.h>

namespace ukube::host {
namespace {

using Names = std::vector<std::string>;

TEST(Text, EditDistanceCountsASwapAsOneEdit) {
  EXPECT_EQ(edit_distance("port", "port"), 0u);
  EXPECT_EQ(edit_distance("prot", "port"), 1u);
  EXPECT_EQ(edit_distance("valeu", "value"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(Text, NearNamesSuggestsTyposNotStrangers) {
  Names uris = {"ukube.test.v1.alpha", "ukube.test.v1.beta", "ukube.test.v1.delta", "ukube.runtime.v1.runc"};
  EXPECT_EQ(near_names("ukube.test.v1.alpah", uris), Names{"ukube.test.v1.alpha"});
  EXPECT_EQ(near_names("ukube.test.v1.zeta", uris), (Names{"ukube.test.v1.beta", "ukube.test.v1.delta"}));
  EXPECT_TRUE(near_names("ukube.cni.v1.bridge", uris).empty());
  EXPECT_EQ(near_names("prot", {"port", "host"}), Names{"port"});
  EXPECT_TRUE(near_names("port", {"port"}).empty()) << "an exact match is not a suggestion";
}

TEST(Text, Lists) {
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(or_list({"a"}), "a");
  EXPECT_EQ(or_list({"a", "b"}), "a or b");
  EXPECT_EQ(or_list({"a", "b", "c"}), "a, b or c");
}

}  // namespace
}  // namespace ukube::host
