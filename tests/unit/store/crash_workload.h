#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

// What store_crash_writer writes and store_crash_test checks: the value of a key is a
// function of the key, so the parent can verify any recovered key, acknowledged or not.
namespace ukube::store::crash {

inline constexpr int kBlockingWriters = 6;
inline constexpr int kAsyncWriters = 2;
inline constexpr int kAsyncInFlight = 8;  // per async writer
// Writes the child may have submitted but not yet acknowledged at any moment.
inline constexpr int kMaxInFlight = kBlockingWriters + kAsyncWriters * kAsyncInFlight;
inline constexpr uint64_t kSnapshotThreshold = 512 * 1024;
inline constexpr int64_t kCompactionWindow = 5000;

inline std::string key_for(int run, int writer, int64_t seq) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "/crash/%03d/%02d/%08lld", run, writer, static_cast<long long>(seq));
  return buf;
}

inline std::string value_for(const std::string& key) {
  size_t h = std::hash<std::string>{}(key);
  return key + "=" + std::string(8 + h % 56, static_cast<char>('a' + h % 26));
}

}  // namespace ukube::store::crash
