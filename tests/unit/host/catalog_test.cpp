#include "kernel/host/catalog.h"

#include <fstream>

#include <gtest/gtest.h>

#include "tests/unit/host/test_support.h"
#include "ukube/abi.h"

namespace ukube::host {
namespace {

using testing::extra_dir;
using testing::library;
using testing::plugin_dir;

const CatalogEntry* only(const Catalog& catalog, const std::string& uri) {
  auto found = catalog.providers(uri);
  return found.size() == 1 ? found.front() : nullptr;
}

TEST(Catalog, ListsStampedLibrariesAndSkipsOthers) {
  Catalog catalog = Catalog::scan({plugin_dir()});
  const CatalogEntry* alpha = only(catalog, "ukube.test.v1.alpha");
  ASSERT_NE(alpha, nullptr);
  EXPECT_EQ(alpha->library, std::filesystem::canonical(library("alpha")));
  EXPECT_EQ(alpha->stamp.type, "ukube.test.v1");
  EXPECT_EQ(alpha->stamp.id, "alpha");
  EXPECT_TRUE(alpha->problem.empty()) << alpha->problem;
  for (const auto& entry : catalog.entries()) EXPECT_NE(entry.library.filename(), "no_stamp.so");
}

TEST(Catalog, FlagsStaleStampsWithBothHashes) {
  Catalog catalog = Catalog::scan({plugin_dir()});
  const CatalogEntry* hash = only(catalog, "ukube.bad.v1.hash");
  ASSERT_NE(hash, nullptr);
  EXPECT_NE(hash->problem.find("0123456789abcdef"), std::string::npos) << hash->problem;
  EXPECT_NE(hash->problem.find(UKUBE_PLUGIN_API_HASH), std::string::npos) << hash->problem;
  const CatalogEntry* abi = only(catalog, "ukube.bad.v1.abi");
  ASSERT_NE(abi, nullptr);
  EXPECT_NE(abi->problem.find("ABI 999"), std::string::npos) << abi->problem;
}

TEST(Catalog, FlagsOneUriFromTwoLibraries) {
  Catalog one_dir = Catalog::scan({plugin_dir()});
  ASSERT_NE(only(one_dir, "ukube.dup.v1.twin"), nullptr);
  EXPECT_TRUE(only(one_dir, "ukube.dup.v1.twin")->problem.empty());

  Catalog both = Catalog::scan({plugin_dir(), extra_dir()});
  auto twins = both.providers("ukube.dup.v1.twin");
  ASSERT_EQ(twins.size(), 2u);
  EXPECT_NE(twins[0]->problem.find("duplicate id"), std::string::npos) << twins[0]->problem;
  EXPECT_NE(twins[0]->problem.find((extra_dir() / "twin.so").string()), std::string::npos)
      << twins[0]->problem;
  EXPECT_NE(twins[1]->problem.find((plugin_dir() / "twin.so").string()), std::string::npos)
      << twins[1]->problem;
}

TEST(Catalog, ListsALibraryReachedTwiceOnce) {
  Catalog catalog = Catalog::scan({plugin_dir(), plugin_dir() / ".." / "main"});
  EXPECT_NE(only(catalog, "ukube.test.v1.alpha"), nullptr);
}

TEST(Catalog, NamesMissingDirectoriesInItsSearchList) {
  Catalog catalog = Catalog::scan({plugin_dir(), "/nonexistent/ukube-plugins"});
  EXPECT_EQ(catalog.searched(), plugin_dir().string() + ", /nonexistent/ukube-plugins (does not exist)");
}

class CatalogFiles : public testing::HostFixture {};

TEST_F(CatalogFiles, IgnoresSoFilesThatAreNotElf) {
  std::ofstream(root_ / "script.so") << "GROUP ( /lib/libc.so.6 )\n";
  std::filesystem::copy_file(library("alpha"), root_ / "alpha.so");
  Catalog catalog = Catalog::scan({root_});
  ASSERT_EQ(catalog.entries().size(), 1u);
  EXPECT_EQ(catalog.entries()[0].uri(), "ukube.test.v1.alpha");
}

TEST(Catalog, DefaultDirIsBesideTheExecutable) {
  auto exe = std::filesystem::read_symlink("/proc/self/exe");
  EXPECT_EQ(default_plugin_dir(),
            (exe.parent_path() / ".." / "lib" / "ukube" / "plugins").lexically_normal());
  DaemonConfig config;
  config.plugin_dirs = {"/opt/ukube/plugins"};
  auto dirs = plugin_search_dirs(config);
  ASSERT_EQ(dirs.size(), 2u);
  EXPECT_EQ(dirs[0], default_plugin_dir());
  EXPECT_EQ(dirs[1], "/opt/ukube/plugins");
}

}  // namespace
}  // namespace ukube::host
