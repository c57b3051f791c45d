#include "fault_file_system.h"

#include <cerrno>
#include <set>

#include "kernel/store/file_io.h"

namespace ukube::store::testing {
namespace fs = std::filesystem;
namespace {

class NoLock final : public DirectoryLock {};

class StringContents final : public FileContents {
 public:
  explicit StringContents(std::string data) : data_(std::move(data)) {}
  std::string_view bytes() const override { return data_; }

 private:
  std::string data_;
};

}  // namespace

class FaultFile final : public WritableFile {
 public:
  FaultFile(FaultFileSystem& fs, std::shared_ptr<FaultFileSystem::Inode> inode, std::mutex& mu)
      : fs_(fs), inode_(std::move(inode)), mu_(mu) {}
  void append(std::string_view data) override {
    std::lock_guard lock(mu_);
    if (!fs_.power_cut_locked()) inode_->data.append(data);
  }
  void sync() override {
    std::lock_guard lock(mu_);
    if (!fs_.power_cut_locked()) inode_->make_durable();
  }
  void truncate(size_t size) override {
    std::lock_guard lock(mu_);
    if (fs_.power_cut_locked()) return;
    inode_->preserve_durable(size);
    inode_->data.resize(size);
  }
  size_t size() const override {
    std::lock_guard lock(mu_);
    return inode_->data.size();
  }
  void close() override {}

 private:
  FaultFileSystem& fs_;
  std::shared_ptr<FaultFileSystem::Inode> inode_;
  std::mutex& mu_;
};

FaultFileSystem::Directory& FaultFileSystem::directory_of(const fs::path& file) {
  auto it = dirs_.find(file.parent_path().lexically_normal());
  if (it == dirs_.end()) throw_io_error("cannot open", file, ENOENT);
  return it->second;
}

std::unique_ptr<WritableFile> FaultFileSystem::open(const fs::path& file, OpenFor how) {
  std::lock_guard lock(mu_);
  Directory& dir = directory_of(file);
  const std::string name = file.filename().string();
  auto it = dir.entries.find(name);
  if (it == dir.entries.end()) {
    if (how == OpenFor::Existing) throw_io_error("cannot open", file, ENOENT);
    auto inode = std::make_shared<Inode>();
    // A file that never existed before the power went stays absent after it.
    if (!power_cut_locked()) it = dir.entries.emplace(name, inode).first;
    return std::make_unique<FaultFile>(*this, inode, mu_);
  }
  if (how == OpenFor::Rewrite && !power_cut_locked()) {
    it->second->preserve_durable(0);
    it->second->data.clear();
  }
  return std::make_unique<FaultFile>(*this, it->second, mu_);
}

std::unique_ptr<FileContents> FaultFileSystem::read(const fs::path& file) {
  std::lock_guard lock(mu_);
  Directory& dir = directory_of(file);
  auto it = dir.entries.find(file.filename().string());
  if (it == dir.entries.end()) throw_io_error("cannot open", file, ENOENT);
  return std::make_unique<StringContents>(it->second->data);
}

std::vector<std::string> FaultFileSystem::list(const fs::path& dir) {
  std::lock_guard lock(mu_);
  auto it = dirs_.find(dir.lexically_normal());
  if (it == dirs_.end()) throw_io_error("cannot list", dir, ENOENT);
  std::vector<std::string> names;
  for (const auto& [name, inode] : it->second.entries) names.push_back(name);
  return names;
}

void FaultFileSystem::rename(const fs::path& from, const fs::path& to) {
  std::lock_guard lock(mu_);
  if (power_cut_locked()) return;
  Directory& source = directory_of(from);
  auto it = source.entries.find(from.filename().string());
  if (it == source.entries.end()) throw_io_error("cannot rename", from, ENOENT);
  auto inode = it->second;
  source.entries.erase(it);
  directory_of(to).entries[to.filename().string()] = std::move(inode);
}

bool FaultFileSystem::remove(const fs::path& file) {
  std::lock_guard lock(mu_);
  Directory& dir = directory_of(file);
  auto it = dir.entries.find(file.filename().string());
  if (it == dir.entries.end()) return false;
  if (!power_cut_locked()) dir.entries.erase(it);
  return true;
}

void FaultFileSystem::sync_directory(const fs::path& dir) {
  std::lock_guard lock(mu_);
  if (power_cut_locked()) return;
  auto it = dirs_.find(dir.lexically_normal());
  if (it == dirs_.end()) throw_io_error("cannot fsync directory", dir, ENOENT);
  it->second.durable = it->second.entries;
}

void FaultFileSystem::create_directories(const fs::path& dir) {
  std::lock_guard lock(mu_);
  dirs_[dir.lexically_normal()];  // directories themselves are taken as durable
}

std::unique_ptr<DirectoryLock> FaultFileSystem::lock_directory(const fs::path&) {
  return std::make_unique<NoLock>();
}

void FaultFileSystem::cut_power() {
  std::lock_guard lock(mu_);
  cut_ = true;
}

void FaultFileSystem::cut_power_after(uint64_t operations) {
  std::lock_guard lock(mu_);
  countdown_ = operations;
  if (operations == 0) cut_ = true;
}

bool FaultFileSystem::power_is_cut() const {
  std::lock_guard lock(mu_);
  return cut_;
}

void FaultFileSystem::restore_power() {
  std::lock_guard lock(mu_);
  restart_ = {};
  std::set<Inode*> done;
  for (auto& [path, dir] : dirs_) {
    if (dir.entries != dir.durable) ++restart_.entries_undone;
    dir.entries = dir.durable;
    for (auto& [name, inode] : dir.entries) {
      if (!done.insert(inode.get()).second) continue;
      std::string kept =
          inode->durable_is_prefix ? inode->data.substr(0, inode->durable_length) : inode->durable_copy;
      // Pages written after the last sync may or may not have reached the disk, in order.
      if (inode->durable_is_prefix && inode->data.size() > inode->durable_length && rng_() % 2 == 0) {
        const size_t extra = inode->data.size() - inode->durable_length;
        const size_t torn = static_cast<size_t>(rng_() % (extra + 1));
        kept.append(inode->data, inode->durable_length, torn);
        if (torn > 0) ++restart_.files_torn;
      }
      inode->data = std::move(kept);
      inode->make_durable();
    }
  }
  cut_ = false;
  countdown_ = 0;
}

FaultFileSystem::Restart FaultFileSystem::last_restart() const {
  std::lock_guard lock(mu_);
  return restart_;
}

}  // namespace ukube::store::testing
