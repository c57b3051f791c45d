// Tar archives as GNU tar writes them (ustar, GNU long names, pax), plain and gzipped.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include "image_fixtures.h"
#include "ukube/images/tar_reader.h"
#include "ukube/testing/temp_dir.h"

namespace ukube::images {
namespace {

using namespace testing;

struct Seen {
  TarEntry::Type type;
  std::string link_or_data;
};

std::map<std::string, Seen> read_all(const fs::path& archive) {
  TarReader reader(open_maybe_compressed(archive), archive.string());
  std::map<std::string, Seen> out;
  while (auto e = reader.next()) {
    std::string data;
    char buffer[7];  // small on purpose: reads span calls
    for (size_t n; (n = reader.read(buffer, sizeof buffer)) > 0;) data.append(buffer, n);
    out[e->path] = {e->type, e->type == TarEntry::Type::File ? data : e->link};
  }
  return out;
}

class TarReading : public ::testing::TestWithParam<std::string> {};

TEST_P(TarReading, EntriesOfEveryKindWithTheirData) {
  ukube::testing::TempDir dir("tar");
  const fs::path tree = dir.path() / "tree";
  // Past ustar's 100 characters, in parts its 155-character prefix can hold.
  const std::string long_name =
      std::string(60, 'n') + "/" + std::string(60, 'm') + "/" + std::string(90, 'f');
  write_file(tree / "hello.txt", "hello, world\n");
  write_file(tree / long_name, "deep");
  write_file(tree / "empty", "");
  fs::create_directories(tree / "d" / "e");
  fs::create_symlink("hello.txt", tree / "link");
  fs::create_hard_link(tree / "hello.txt", tree / "d" / "hard");
  const fs::path archive = dir.path() / "a.tar";
  sh("tar --format=" + GetParam() + " -C " + quoted(tree) + " -cf " + quoted(archive) + " .");
  for (bool gzip : {false, true}) {
    SCOPED_TRACE(gzip ? "gzip" : "plain");
    fs::path input = archive;
    if (gzip) {
      sh("gzip -kf " + quoted(archive));
      input = archive.string() + ".gz";
    }
    auto seen = read_all(input);
    EXPECT_EQ(seen["hello.txt"].link_or_data, "hello, world\n");
    EXPECT_EQ(seen[long_name].link_or_data, "deep");
    EXPECT_EQ(seen["empty"].type, TarEntry::Type::File);
    EXPECT_EQ(seen["d/e"].type, TarEntry::Type::Directory);
    EXPECT_EQ(seen["link"].type, TarEntry::Type::Symlink);
    EXPECT_EQ(seen["link"].link_or_data, "hello.txt");
    // One of the two names holds the data, the other links to it.
    const bool hard_is_link = seen["d/hard"].type == TarEntry::Type::Hardlink;
    EXPECT_EQ(hard_is_link ? seen["d/hard"].link_or_data : seen["hello.txt"].link_or_data,
              hard_is_link ? "hello.txt" : "d/hard");
    EXPECT_EQ(seen[""].type, TarEntry::Type::Directory);  // "./", the root itself
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, TarReading, ::testing::Values("gnu", "pax", "ustar"));

TEST(TarReader, CorruptAndTruncatedArchivesAreRefused) {
  ukube::testing::TempDir dir("tar");
  write_file(dir.path() / "not-a-tar", std::string(1024, 'x'));
  EXPECT_THROW(read_all(dir.path() / "not-a-tar"), ArchiveError);

  write_file(dir.path() / "tree" / "big", std::string(5000, 'b'));
  const fs::path archive = dir.path() / "t.tar";
  tar_of(dir.path() / "tree", archive);
  fs::resize_file(archive, 1536);  // cut inside the file's data
  EXPECT_THROW(read_all(archive), ArchiveError);

  write_file(dir.path() / "z", std::string("\x28\xb5\x2f\xfd", 4) + "rest");
  try {
    open_maybe_compressed(dir.path() / "z");
    ADD_FAILURE() << "zstd accepted";
  } catch (const ArchiveError& e) {
    EXPECT_NE(std::string(e.what()).find("zstd"), std::string::npos) << e.what();
  }
}

// One 512-byte ustar header: `name`, `type`, `size`, and its checksum.
std::string tar_header(const std::string& name, char type, size_t size) {
  std::string h(512, '\0');
  h.replace(0, name.size(), name);
  std::snprintf(&h[100], 8, "%07o", 0644);
  std::snprintf(&h[124], 12, "%011zo", size);
  h[156] = type;
  h.replace(257, 6, std::string("ustar\0", 6));
  h.replace(148, 8, std::string(8, ' '));
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(&h[148], 8, "%06o", sum);
  return h;
}

std::string padded(std::string data) {
  data.resize((data.size() + 511) / 512 * 512, '\0');
  return data;
}

TEST(TarReader, CorruptPaxRecordsAreArchiveErrors) {
  for (std::string records : {std::string("16 size=12abc\n"), std::string("99 path=x\n"),
                              std::string("x path=y\n"), std::string("10 uid=-1\n")}) {
    SCOPED_TRACE(records);
    std::string tar = tar_header("PaxHeaders/f", 'x', records.size()) + padded(records) +
                      tar_header("f", '0', 0) + std::string(1024, '\0');
    TarReader reader(memory_source(tar), "handmade.tar");
    EXPECT_THROW(
        {
          while (reader.next()) {
          }
        },
        ArchiveError);
  }
}

}  // namespace
}  // namespace ukube::images
