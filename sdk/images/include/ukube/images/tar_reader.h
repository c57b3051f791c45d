#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

// Reading tar archives (ustar, with GNU long names and pax headers, as docker, skopeo and
// GNU tar write them), gzip-compressed or not: image archives and image layers.
namespace ukube::images {

class ArchiveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bytes from somewhere, in order.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to `n` bytes into `buffer`; 0 at the end. Throws ArchiveError.
  virtual size_t read(char* buffer, size_t n) = 0;
};

// The file's bytes, decompressed when it starts with gzip's magic. A zstd-compressed file
// is refused with a message saying so. Throws ArchiveError naming the file.
std::unique_ptr<ByteSource> open_maybe_compressed(const std::filesystem::path& file);
// Whether the file starts with gzip's magic.
bool is_gzip(const std::filesystem::path& file);
// Bytes held in memory.
std::unique_ptr<ByteSource> memory_source(std::string bytes);
// The gzip stream `compressed` carries, decompressed; `name` says which in errors.
std::unique_ptr<ByteSource> gunzip(std::unique_ptr<ByteSource> compressed, std::string name);

struct TarEntry {
  enum class Type { File, Directory, Symlink, Hardlink, CharDevice, BlockDevice, Fifo };
  std::string path;  // as stored, without a leading "./" or "/"
  Type type = Type::File;
  std::string link;  // symlink target, or the path a hard link names
  uint32_t mode = 0644;
  uint32_t uid = 0;
  uint32_t gid = 0;
  int64_t size = 0;
  int64_t mtime = 0;
  uint32_t device_major = 0;
  uint32_t device_minor = 0;
};

class TarReader {
 public:
  // `name` says which archive in error messages.
  TarReader(std::unique_ptr<ByteSource> source, std::string name);
  ~TarReader();

  // The next entry, after skipping what is left of the current one's data; nullopt at the
  // end. Throws ArchiveError for a truncated or corrupt archive.
  std::optional<TarEntry> next();
  // Up to `n` bytes of the current entry's data; 0 when it is all read.
  size_t read(char* buffer, size_t n);

 private:
  void read_exact(char* buffer, size_t n);
  void skip(int64_t n);
  std::string read_text(int64_t size);

  std::unique_ptr<ByteSource> source_;
  std::string name_;
  int64_t remaining_ = 0;  // data of the current entry not yet read
  int64_t padding_ = 0;    // after it, to the next 512-byte block
};

}  // namespace ukube::images
