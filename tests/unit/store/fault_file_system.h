#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "kernel/store/file_system.h"

// A FileSystem in memory that knows what a machine losing power would keep: the bytes a
// file had when it was last synced, and the directory entries a directory had when it was
// last synced. cut_power() is the instant the power goes: from then on everything is
// accepted and forgotten (the store, like a process on a dead machine, never finds out).
// restore_power() is the restart: each file holds what was durable, sometimes with a torn
// prefix of what was written after it, and each directory the entries last synced, so an
// unsynced create, rename or removal is undone.
namespace ukube::store::testing {

class FaultFile;

class FaultFileSystem final : public FileSystem {
 public:
  explicit FaultFileSystem(uint64_t seed) : rng_(seed) {}

  std::unique_ptr<WritableFile> open(const std::filesystem::path& file, OpenFor how) override;
  std::unique_ptr<FileContents> read(const std::filesystem::path& file) override;
  std::vector<std::string> list(const std::filesystem::path& dir) override;
  void rename(const std::filesystem::path& from, const std::filesystem::path& to) override;
  bool remove(const std::filesystem::path& file) override;
  void sync_directory(const std::filesystem::path& dir) override;
  void create_directories(const std::filesystem::path& dir) override;
  std::unique_ptr<DirectoryLock> lock_directory(const std::filesystem::path& dir) override;

  void cut_power();
  // The power goes just before the `operations`-th next change (a create, write, sync,
  // truncate, rename, removal or directory sync), so it can fall between a write and its
  // sync, or between a rename and the directory sync that makes it durable.
  void cut_power_after(uint64_t operations);
  bool power_is_cut() const;
  void restore_power();

  // What the last restore_power() did, for the test's report.
  struct Restart {
    size_t files_torn = 0;      // kept part of what was written after their last sync
    size_t entries_undone = 0;  // directory entries that differed from their last sync
  };
  Restart last_restart() const;

  struct Inode {
    std::string data;
    size_t durable_length = 0;      // data[0, durable_length) is what was last synced...
    bool durable_is_prefix = true;  // ...unless the file was cut or rewritten since
    std::string durable_copy;       // what was last synced, then
    void make_durable() {
      durable_length = data.size();
      durable_is_prefix = true;
      durable_copy.clear();
    }
    // Before data[0, n) may change: keep what was synced.
    void preserve_durable(size_t from) {
      if (durable_is_prefix && from < durable_length) {
        durable_copy = data.substr(0, durable_length);
        durable_is_prefix = false;
      }
    }
  };

 private:
  friend class FaultFile;
  // Counts a change and says whether the power is off for it (mu_ held).
  bool power_cut_locked() {
    if (!cut_ && countdown_ > 0 && --countdown_ == 0) cut_ = true;
    return cut_;
  }

  struct Directory {
    std::map<std::string, std::shared_ptr<Inode>> entries;
    std::map<std::string, std::shared_ptr<Inode>> durable;
  };
  Directory& directory_of(const std::filesystem::path& file);  // mu_ held; throws ENOENT

  mutable std::mutex mu_;
  std::map<std::filesystem::path, Directory> dirs_;
  bool cut_ = false;
  uint64_t countdown_ = 0;  // changes left before the power goes; 0: no cut planned
  std::mt19937_64 rng_;
  Restart restart_;
};

}  // namespace ukube::store::testing
