#include "kernel/store/mvcc_index.h"

#include <gtest/gtest.h>

namespace ukube::store {
namespace {

Version put(const std::string& value, int64_t mod, int64_t create, int64_t version) {
  return Version{make_bytes(value), mod, create, version};
}

TEST(MvccIndex, ReadsAtEachRevision) {
  MvccIndex index;
  index.append("k", put("v1", 1, 1, 1));
  index.append("k", put("v2", 3, 1, 2));
  index.append("k", Version{nullptr, 5, 1, 0});
  index.append("k", put("again", 7, 7, 1));
  EXPECT_FALSE(index.get("k", 0));
  EXPECT_EQ(*index.get("k", 1)->value, "v1");
  EXPECT_EQ(*index.get("k", 2)->value, "v1");
  EXPECT_EQ(*index.get("k", 4)->value, "v2");
  EXPECT_FALSE(index.get("k", 5));
  EXPECT_FALSE(index.get("k", 6));
  EXPECT_EQ(index.get("k", 7)->create_revision, 7);
  EXPECT_EQ(index.latest("k")->mod_revision, 7);
}

TEST(MvccIndex, CompactionKeepsTheNewestVersionAtOrBelowTheRevision) {
  MvccIndex index;
  index.append("a", put("a1", 1, 1, 1));
  index.append("a", put("a2", 2, 1, 2));
  index.append("a", put("a3", 4, 1, 3));
  index.append("gone", put("g", 3, 3, 1));
  index.append("gone", Version{nullptr, 5, 3, 0});
  index.append("b", put("b1", 6, 6, 1));

  while (index.compact_some(3, 1)) {
  }
  EXPECT_EQ(*index.get("a", 3)->value, "a2");
  EXPECT_EQ(*index.get("a", 4)->value, "a3");
  EXPECT_EQ(*index.get("gone", 4)->value, "g");
  EXPECT_EQ(index.key_count(), 3u);

  while (index.compact_some(5, 100)) {
  }
  EXPECT_EQ(index.key_count(), 2u) << "a tombstone at or below the compacted revision goes";
  EXPECT_FALSE(index.latest("gone"));
  EXPECT_EQ(*index.get("a", 5)->value, "a3");
  EXPECT_EQ(*index.get("b", 6)->value, "b1");
}

TEST(MvccIndex, CompactionLeavesNewerChangesAlone) {
  MvccIndex index;
  index.append("a", put("a1", 1, 1, 1));
  index.append("a", put("a2", 10, 1, 2));
  EXPECT_FALSE(index.compact_some(5, 100));
  EXPECT_EQ(*index.get("a", 5)->value, "a1");
  EXPECT_EQ(*index.get("a", 10)->value, "a2");
}

}  // namespace
}  // namespace ukube::store
