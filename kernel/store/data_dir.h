#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/store/file_system.h"

// Layout of an embedded store's data directory:
//   wal-<first revision, 16 hex>.log      WAL segments; a segment holds revisions from its
//                                         name up to the next segment's name - 1
//   snapshot-<revision, 16 hex>.snap      every live key at that revision
//   *.tmp                                 a snapshot being written (removed on open)
//   LOCK                                  flock()ed by the process that has the store open
namespace ukube::store {

std::string wal_segment_name(int64_t first_revision);
std::string snapshot_name(int64_t revision);
std::optional<int64_t> parse_wal_segment_name(std::string_view file_name);
std::optional<int64_t> parse_snapshot_name(std::string_view file_name);

struct NumberedFile {
  int64_t number = 0;
  std::filesystem::path path;
};

struct DataDirListing {
  std::vector<NumberedFile> segments;   // ascending first revision
  std::vector<NumberedFile> snapshots;  // ascending revision
  std::vector<std::filesystem::path> temporaries;
};

DataDirListing list_data_dir(FileSystem& fs, const std::filesystem::path& dir);

}  // namespace ukube::store
