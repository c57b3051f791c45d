#include "kernel/store/data_dir.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace ukube::store {
namespace {

std::string numbered_name(std::string_view prefix, int64_t number, std::string_view suffix) {
  char digits[17];
  std::snprintf(digits, sizeof digits, "%016llx", static_cast<unsigned long long>(number));
  return std::string(prefix) + digits + std::string(suffix);
}

std::optional<int64_t> parse_numbered(std::string_view name, std::string_view prefix,
                                      std::string_view suffix) {
  if (name.size() != prefix.size() + 16 + suffix.size() || !name.starts_with(prefix) ||
      !name.ends_with(suffix))
    return std::nullopt;
  std::string_view digits = name.substr(prefix.size(), 16);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, 16);
  if (ec != std::errc() || end != digits.data() + digits.size() || value > INT64_MAX) return std::nullopt;
  return static_cast<int64_t>(value);
}

}  // namespace

std::string wal_segment_name(int64_t first_revision) {
  return numbered_name("wal-", first_revision, ".log");
}
std::string snapshot_name(int64_t revision) {
  return numbered_name("snapshot-", revision, ".snap");
}

std::optional<int64_t> parse_wal_segment_name(std::string_view file_name) {
  return parse_numbered(file_name, "wal-", ".log");
}

std::optional<int64_t> parse_snapshot_name(std::string_view file_name) {
  return parse_numbered(file_name, "snapshot-", ".snap");
}

DataDirListing list_data_dir(FileSystem& fs, const std::filesystem::path& dir) {
  DataDirListing out;
  for (const auto& name : fs.list(dir)) {
    if (auto n = parse_wal_segment_name(name)) {
      out.segments.push_back({*n, dir / name});
    } else if (auto s = parse_snapshot_name(name)) {
      out.snapshots.push_back({*s, dir / name});
    } else if (name.ends_with(".tmp")) {
      out.temporaries.push_back(dir / name);
    }
  }
  auto by_number = [](const NumberedFile& a, const NumberedFile& b) { return a.number < b.number; };
  std::sort(out.segments.begin(), out.segments.end(), by_number);
  std::sort(out.snapshots.begin(), out.snapshots.end(), by_number);
  return out;
}

}  // namespace ukube::store
