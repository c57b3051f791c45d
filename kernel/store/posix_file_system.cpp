// The store's FileSystem on the machine's disk: open/write/fdatasync/rename and an mmap
// for reading whole files.
#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <stdexcept>

#include "kernel/store/file_io.h"
#include "kernel/store/file_system.h"

namespace ukube::store {
namespace {

class PosixFile final : public WritableFile {
 public:
  explicit PosixFile(FileHandle handle) : handle_(std::move(handle)) {}
  void append(std::string_view data) override { handle_.write_all(data); }
  void sync() override { handle_.sync_data(); }
  void truncate(size_t size) override { handle_.truncate(size); }
  size_t size() const override { return handle_.size(); }
  void close() override { handle_.close(); }

 private:
  FileHandle handle_;
};

class MappedContents final : public FileContents {
 public:
  explicit MappedContents(const std::filesystem::path& file) : mapped_(file) {}
  std::string_view bytes() const override { return mapped_.bytes(); }

 private:
  MappedFile mapped_;
};

class FlockedDirectory final : public DirectoryLock {
 public:
  explicit FlockedDirectory(const std::filesystem::path& dir)
      : file_(FileHandle::open(dir / "LOCK", O_RDWR | O_CREAT)) {
    if (::flock(file_.fd(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK)
        throw std::runtime_error("store data directory " + dir.string() +
                                 " is already in use by another store (its LOCK file is held); stop the "
                                 "other ukube process or point this one at a different data directory");
      throw_io_error("cannot lock", dir / "LOCK", errno);
    }
  }

 private:
  FileHandle file_;
};

class PosixFileSystem final : public FileSystem {
 public:
  std::unique_ptr<WritableFile> open(const std::filesystem::path& file, OpenFor how) override {
    const int flags = how == OpenFor::Append    ? O_WRONLY | O_CREAT | O_APPEND
                      : how == OpenFor::Rewrite ? O_WRONLY | O_CREAT | O_TRUNC
                                                : O_WRONLY;
    return std::make_unique<PosixFile>(FileHandle::open(file, flags));
  }

  std::unique_ptr<FileContents> read(const std::filesystem::path& file) override {
    return std::make_unique<MappedContents>(file);
  }

  std::vector<std::string> list(const std::filesystem::path& dir) override {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
      if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
    if (ec) throw_io_error("cannot list", dir, ec.value());
    return names;
  }

  void rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    std::error_code ec;
    std::filesystem::rename(from, to, ec);
    if (ec) throw_io_error("cannot rename " + from.string() + " to", to, ec.value());
  }

  bool remove(const std::filesystem::path& file) override {
    std::error_code ec;
    const bool removed = std::filesystem::remove(file, ec);
    if (ec) throw_io_error("cannot remove", file, ec.value());
    return removed;
  }

  void sync_directory(const std::filesystem::path& dir) override { store::sync_directory(dir); }

  void create_directories(const std::filesystem::path& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw_io_error("cannot create", dir, ec.value());
  }

  std::unique_ptr<DirectoryLock> lock_directory(const std::filesystem::path& dir) override {
    return std::make_unique<FlockedDirectory>(dir);
  }
};

}  // namespace

FileSystem& posix_file_system() {
  static PosixFileSystem fs;
  return fs;
}

}  // namespace ukube::store
