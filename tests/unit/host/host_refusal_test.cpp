#include <dlfcn.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kernel/host/host.h"
#include "tests/unit/host/test_support.h"
#include "ukube/abi.h"

namespace ukube::host {
namespace {

using testing::extra_dir;
using ::testing::HasSubstr;
using testing::library;
using ::testing::Not;
using testing::plugin_dir;

class HostRefusal : public testing::HostFixture {
 protected:
  // The HostError message Host::create gives for `plugins`, or "" when it succeeds.
  std::string refusal(const std::string& plugins, const Catalog& catalog = testing::test_catalog()) {
    try {
      Host::create(config(plugins), catalog, {}, testing::quiet_logger());
    } catch (const HostError& e) {
      return e.what();
    }
    return "";
  }
};

bool is_mapped(const std::filesystem::path& library) {
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (handle) dlclose(handle);  // balances the reference RTLD_NOLOAD took
  return handle != nullptr;
}

TEST_F(HostRefusal, UnknownPluginListsSearchedDirsAndNearNames) {
  std::string error = refusal(entry("ukube.test.v1.alpah"));
  EXPECT_THAT(error, HasSubstr("test.yaml: cannot load the configured plugins:\n"));
  EXPECT_THAT(error,
              HasSubstr("test.yaml:3: plugin ukube.test.v1.alpah: unknown plugin: no library in the plugin "
                        "directories provides ukube.test.v1.alpah (searched: " +
                        plugin_dir().string() + ", " + extra_dir().string() + ")"));
  EXPECT_THAT(error, HasSubstr("did you mean ukube.test.v1.alpha?"));
  EXPECT_THAT(error, HasSubstr("add its directory to plugin_dirs"));
}

TEST_F(HostRefusal, UnknownPluginSuggestsTheSameIdUnderAnotherType) {
  EXPECT_THAT(refusal(entry("ukube.test.v1.gama")),
              HasSubstr("did you mean ukube.test.v1.beta or ukube.consumer.v1.gamma?"));
}

TEST_F(HostRefusal, MissingLibraryFile) {
  auto dir = root_ / "plugins";
  std::filesystem::create_directories(dir);
  // A copy the process has never mapped, so that its disappearance matters.
  std::filesystem::copy_file(library("delta"), dir / "delta.so");
  Catalog catalog = Catalog::scan({dir});
  std::filesystem::remove(dir / "delta.so");
  EXPECT_THAT(refusal(entry("ukube.test.v1.delta"), catalog),
              HasSubstr("plugin ukube.test.v1.delta: missing library file " + (dir / "delta.so").string()));
}

TEST_F(HostRefusal, LibraryThatCannotBeLoaded) {
  EXPECT_THAT(refusal(entry("ukube.bad.v1.unresolved")),
              HasSubstr("plugin ukube.bad.v1.unresolved: cannot load library " +
                        library("unresolved").string() + ": "));
  EXPECT_THAT(refusal(entry("ukube.bad.v1.unresolved")), HasSubstr("ukube_test_symbol_nobody_defines"));
}

TEST_F(HostRefusal, AbiVersionMismatchIsRefusedBeforeTheLibraryIsOpened) {
  std::string error = refusal(entry("ukube.bad.v1.abi"));
  EXPECT_THAT(error, HasSubstr("plugin ukube.bad.v1.abi: ABI version mismatch: the library was built against "
                               "plugin-api ABI 999 with header hash " UKUBE_PLUGIN_API_HASH
                               ", but this host has ABI 1 with header hash " UKUBE_PLUGIN_API_HASH));
  EXPECT_FALSE(is_mapped(library("bad_abi")));
}

TEST_F(HostRefusal, HeaderHashMismatchShowsBothHashesAndIsNeverOpened) {
  std::string error = refusal(entry("ukube.bad.v1.hash"));
  EXPECT_THAT(error,
              HasSubstr("plugin ukube.bad.v1.hash: plugin-api header hash mismatch: the library was built "
                        "against plugin-api ABI 1 with header hash 0123456789abcdef, but this host has "
                        "ABI 1 with header hash " UKUBE_PLUGIN_API_HASH));
  EXPECT_THAT(error, HasSubstr("rebuild the plugin"));
  EXPECT_FALSE(is_mapped(library("bad_hash")));
}

TEST_F(HostRefusal, TwoLibrariesProvidingOneUri) {
  std::string error = refusal(entry("ukube.dup.v1.twin"));
  EXPECT_THAT(error,
              HasSubstr("plugin ukube.dup.v1.twin: duplicate id: ukube.dup.v1.twin is also provided by " +
                        (extra_dir() / "twin.so").string()));
  EXPECT_FALSE(is_mapped(library("twin")));
}

TEST_F(HostRefusal, SameUriEnabledTwice) {
  DaemonConfig cfg = config(entry("ukube.test.v1.alpha"));
  cfg.plugins.push_back(cfg.plugins[0]);
  cfg.plugins[1].line = 9;
  try {
    Host::create(cfg, testing::test_catalog(), {}, testing::quiet_logger());
    FAIL() << "expected HostError";
  } catch (const HostError& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("test.yaml:9: plugin ukube.test.v1.alpha: duplicate id: ukube.test.v1.alpha is "
                          "enabled twice (first at line 3); remove one entry"));
  }
}

TEST_F(HostRefusal, MissingRequirement) {
  EXPECT_THAT(
      refusal(entry("ukube.lonely.v1.lonely")),
      HasSubstr("plugin ukube.lonely.v1.lonely: missing requirement: it requires ukube.absent.v1, which no "
                "enabled plugin provides; add a plugin that provides it"));
  EXPECT_THAT(
      refusal(entry("ukube.test.v1.beta")),
      HasSubstr("plugin ukube.test.v1.beta: missing requirement: it requires ukube.test.v1.alpha, which no "
                "enabled plugin provides; ukube.test.v1.alpha is available in " +
                plugin_dir().string() + ": add it to plugins"));
  EXPECT_THAT(refusal(entry("ukube.test.v1.beta") + "  - uri: ukube.test.v1.alpha\n    enabled: false\n"),
              HasSubstr("ukube.test.v1.alpha is disabled in the config: enable it"));
}

TEST_F(HostRefusal, DependencyCycleIsNamed) {
  std::string error =
      refusal(entry("ukube.cycle.v1.one") + entry("ukube.cycle.v1.two") + entry("ukube.cycle.v1.three"));
  const std::string cycle =
      "dependency cycle: ukube.cycle.v1.one -> ukube.cycle.v1.two -> ukube.cycle.v1.three -> "
      "ukube.cycle.v1.one";
  EXPECT_THAT(error, HasSubstr("test.yaml:3: plugin ukube.cycle.v1.one: " + cycle));
  EXPECT_THAT(error, HasSubstr("test.yaml:5: plugin ukube.cycle.v1.two: " + cycle));
  EXPECT_THAT(error, HasSubstr("test.yaml:7: plugin ukube.cycle.v1.three: " + cycle));
}

TEST_F(HostRefusal, BadConfigNamesFilePluginFieldAndLine) {
  std::string plugins = "  - uri: ukube.test.v1.alpha\n    config:\n      listen:\n        prot: 80\n";
  EXPECT_THAT(refusal(plugins), HasSubstr("test.yaml:6: plugin ukube.test.v1.alpha: unknown field "
                                          "\"config.listen.prot\" (known fields: port, host)"));
}

TEST_F(HostRefusal, ConfigForAPluginThatTakesNone) {
  EXPECT_THAT(
      refusal("  - uri: ukube.bare.v1.bare\n    config: {value: 1}\n"),
      HasSubstr(
          "test.yaml:3: plugin ukube.bare.v1.bare: takes no config, but the file gives it one (value)"));
}

TEST_F(HostRefusal, DescriptorThatDisagreesWithItsStamp) {
  EXPECT_THAT(
      refusal(entry("ukube.bad.v1.mismatch")),
      HasSubstr("plugin ukube.bad.v1.mismatch: the registrar's descriptor disagrees with the library's ABI "
                "stamp (descriptor vs stamp: id \"impostor\" vs \"mismatch\")"));
}

TEST_F(HostRefusal, DependentsOfARefusedPluginAreRefusedAndAllReasonsAreListed) {
  std::string error = refusal(entry("ukube.test.v1.alpha", "bogus: 1") + entry("ukube.test.v1.beta") +
                              entry("ukube.bad.v1.hash"));
  EXPECT_THAT(error, HasSubstr("plugin ukube.test.v1.alpha: unknown field \"config.bogus\""));
  EXPECT_THAT(error,
              HasSubstr("plugin ukube.test.v1.beta: it requires ukube.test.v1.alpha, which is refused"));
  EXPECT_THAT(error, HasSubstr("plugin ukube.bad.v1.hash: plugin-api header hash mismatch"));
  EXPECT_THAT(error, Not(HasSubstr("delta")));
}

TEST_F(HostRefusal, NothingRunsWhenAnyPluginIsRefused) {
  EXPECT_FALSE(refusal(entry("ukube.test.v1.alpha") + entry("ukube.lonely.v1.lonely")).empty());
  EXPECT_TRUE(trace().empty());
}

}  // namespace
}  // namespace ukube::host
