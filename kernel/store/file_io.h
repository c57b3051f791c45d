#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

// Thin POSIX wrappers for the store's files. Every failure throws StoreError(Io) naming
// the file and the system error, so a full disk or a read-only mount reads as such.
namespace ukube::store {

[[noreturn]] void throw_io_error(std::string_view action, const std::filesystem::path& path, int err);

// An owned file descriptor.
class FileHandle {
 public:
  FileHandle() = default;
  FileHandle(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  FileHandle(FileHandle&& other) noexcept;
  FileHandle& operator=(FileHandle&& other) noexcept;
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  ~FileHandle();

  static FileHandle open(const std::filesystem::path& path, int flags, int mode = 0644);

  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }
  explicit operator bool() const { return fd_ >= 0; }

  void write_all(std::string_view data);
  void sync_data();  // fdatasync
  void truncate(size_t size);
  size_t size() const;
  void close();

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

// Makes file creations, renames and deletions in `dir` durable.
void sync_directory(const std::filesystem::path& dir);

// A read-only private mapping of a whole file: recovery parses records in place
// instead of copying the log into a buffer first.
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path);
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view bytes() const { return {data_, size_}; }
  void unmap();

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace ukube::store
