#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// The one seam between the store and the disk: the WAL, snapshots, recovery and the data
// directory do all their I/O through a FileSystem, so tests can put one under the store
// that loses what was never synced (a simulated power loss) or fails chosen calls. Every
// failure throws StoreError(Io) naming the file and the system error.
namespace ukube::store {

// A file open for writing.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual void append(std::string_view data) = 0;
  virtual void sync() = 0;  // the data durable (fdatasync); not its directory entry
  virtual void truncate(size_t size) = 0;
  virtual size_t size() const = 0;
  virtual void close() = 0;
};

// A whole file's bytes, valid while the object lives.
class FileContents {
 public:
  virtual ~FileContents() = default;
  virtual std::string_view bytes() const = 0;
};

// Held while a process has a data directory open.
class DirectoryLock {
 public:
  virtual ~DirectoryLock() = default;
};

enum class OpenFor {
  Append,    // created if missing, written at its end
  Rewrite,   // created if missing, emptied if not
  Existing,  // must exist; written where asked (truncate)
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual std::unique_ptr<WritableFile> open(const std::filesystem::path& file, OpenFor how) = 0;
  virtual std::unique_ptr<FileContents> read(const std::filesystem::path& file) = 0;
  // Names of the regular files in `dir`.
  virtual std::vector<std::string> list(const std::filesystem::path& dir) = 0;
  virtual void rename(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
  // False when there was nothing to remove.
  virtual bool remove(const std::filesystem::path& file) = 0;
  // Makes creations, renames and removals in `dir` durable.
  virtual void sync_directory(const std::filesystem::path& dir) = 0;
  virtual void create_directories(const std::filesystem::path& dir) = 0;
  // Throws std::runtime_error, saying what to do, when another process holds it.
  virtual std::unique_ptr<DirectoryLock> lock_directory(const std::filesystem::path& dir) = 0;
};

// The machine's own file system (POSIX calls).
FileSystem& posix_file_system();

}  // namespace ukube::store
