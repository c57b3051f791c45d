#include "kernel/host/elf_section.h"

#include <fstream>

#include <gtest/gtest.h>

#include "kernel/host/stamp.h"
#include "tests/unit/host/test_support.h"
#include "ukube/plugin.h"

namespace ukube::host {
namespace {

using testing::library;

// A string literal with its embedded NULs (std::string(const char*) stops at the first).
template <std::size_t N>
std::string bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

TEST(ElfSection, ReadsTheStampUkubePluginWritesIntact) {
  auto section = read_elf_section(library("alpha"), UKUBE_PLUGIN_SECTION);
  ASSERT_TRUE(section.has_value());
  // The embedded NULs separate the fields: all of them must survive compiler and linker.
  std::string expected = bytes("ukube-plugin\0abi=") + std::to_string(UKUBE_PLUGIN_ABI_VERSION) +
                         bytes("\0hash=") + UKUBE_PLUGIN_API_HASH + bytes("\0type=ukube.test.v1\0id=alpha\0");
  EXPECT_EQ(section->substr(0, expected.size()), expected);

  PluginStamp stamp = parse_stamp(*section);
  EXPECT_EQ(stamp.abi_version, UKUBE_PLUGIN_ABI_VERSION);
  EXPECT_EQ(stamp.api_hash, UKUBE_PLUGIN_API_HASH);
  EXPECT_EQ(stamp.uri(), "ukube.test.v1.alpha");
}

TEST(ElfSection, LibraryWithoutTheSectionGivesNothing) {
  EXPECT_FALSE(read_elf_section(library("no_stamp"), UKUBE_PLUGIN_SECTION).has_value());
  EXPECT_TRUE(read_elf_section(library("no_stamp"), ".text").has_value());
}

class ElfFiles : public testing::HostFixture {};

TEST_F(ElfFiles, RejectsFilesThatAreNotElf) {
  auto text = root_ / "text.so";
  std::ofstream(text) << "INPUT(-lc)\n";
  try {
    read_elf_section(text, ".ukube_plugin");
    FAIL() << "expected ElfError";
  } catch (const ElfError& e) {
    EXPECT_NE(std::string(e.what()).find("not an ELF file"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_elf_section(root_ / "missing.so", ".ukube_plugin"), ElfError);
}

TEST_F(ElfFiles, RejectsTruncatedFiles) {
  auto truncated = root_ / "truncated.so";
  std::filesystem::copy_file(library("alpha"), truncated);
  std::filesystem::resize_file(truncated, 100);
  try {
    read_elf_section(truncated, ".ukube_plugin");
    FAIL() << "expected ElfError";
  } catch (const ElfError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

TEST_F(ElfFiles, RejectsOversizedSections) {
  EXPECT_THROW(read_elf_section(library("alpha"), ".text", 16), ElfError);
}

TEST(Stamp, ParsesFieldsAndIgnoresPadding) {
  std::string raw = bytes("ukube-plugin\0abi=7\0hash=abc\0type=t.v1\0id=x\0future=1\0\0\0");
  PluginStamp stamp = parse_stamp(raw);
  EXPECT_EQ(stamp.abi_version, 7u);
  EXPECT_EQ(stamp.api_hash, "abc");
  EXPECT_EQ(stamp.uri(), "t.v1.x");
}

TEST(Stamp, RejectsMalformedStamps) {
  EXPECT_THROW(parse_stamp("something else"), std::invalid_argument);
  EXPECT_THROW(parse_stamp(bytes("ukube-plugin\0abi=x\0hash=h\0type=t\0id=i")), std::invalid_argument);
  EXPECT_THROW(parse_stamp(bytes("ukube-plugin\0abi=1\0type=t\0id=i")), std::invalid_argument);
  EXPECT_THROW(parse_stamp(bytes("ukube-plugin\0abi=1\0hash=h\0type=t\0id=i\0ukube-plugin")),
               std::invalid_argument);
}

TEST(Stamp, IncompatibilityShowsBothSides) {
  PluginStamp stamp{UKUBE_PLUGIN_ABI_VERSION, UKUBE_PLUGIN_API_HASH, "t.v1", "x"};
  EXPECT_FALSE(abi_incompatibility(stamp).has_value());

  stamp.api_hash = "feedfacefeedface";
  auto hash = abi_incompatibility(stamp);
  ASSERT_TRUE(hash.has_value());
  EXPECT_NE(hash->find("header hash mismatch"), std::string::npos) << *hash;
  EXPECT_NE(hash->find("feedfacefeedface"), std::string::npos) << *hash;
  EXPECT_NE(hash->find(UKUBE_PLUGIN_API_HASH), std::string::npos) << *hash;

  stamp.abi_version = UKUBE_PLUGIN_ABI_VERSION + 1;
  auto abi = abi_incompatibility(stamp);
  ASSERT_TRUE(abi.has_value());
  EXPECT_NE(abi->find("ABI version mismatch"), std::string::npos) << *abi;
}

}  // namespace
}  // namespace ukube::host
