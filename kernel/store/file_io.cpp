#include "kernel/store/file_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "ukube/store.h"

namespace ukube::store {

void throw_io_error(std::string_view action, const std::filesystem::path& path, int err) {
  throw StoreError(StoreError::Code::Io,
                   std::string(action) + " " + path.string() + ": " + std::strerror(err));
}

FileHandle::FileHandle(FileHandle&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

FileHandle& FileHandle::operator=(FileHandle&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

FileHandle::~FileHandle() {
  if (fd_ >= 0) ::close(fd_);
}

FileHandle FileHandle::open(const std::filesystem::path& path, int flags, int mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) throw_io_error("cannot open", path, errno);
  return FileHandle(fd, path);
}

void FileHandle::write_all(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_io_error("cannot write to", path_, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void FileHandle::sync_data() {
  if (::fdatasync(fd_) != 0) throw_io_error("cannot fdatasync", path_, errno);
}

void FileHandle::truncate(size_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) throw_io_error("cannot truncate", path_, errno);
}

size_t FileHandle::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) throw_io_error("cannot stat", path_, errno);
  return static_cast<size_t>(st.st_size);
}

void FileHandle::close() {
  if (fd_ >= 0 && ::close(std::exchange(fd_, -1)) != 0) throw_io_error("cannot close", path_, errno);
}

void sync_directory(const std::filesystem::path& dir) {
  FileHandle handle = FileHandle::open(dir, O_RDONLY | O_DIRECTORY);
  if (::fsync(handle.fd()) != 0) throw_io_error("cannot fsync directory", dir, errno);
}

MappedFile::MappedFile(const std::filesystem::path& path) {
  FileHandle file = FileHandle::open(path, O_RDONLY);
  size_ = file.size();
  if (size_ == 0) return;
  void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, file.fd(), 0);
  if (p == MAP_FAILED) throw_io_error("cannot map", path, errno);
  ::madvise(p, size_, MADV_SEQUENTIAL);
  data_ = static_cast<const char*>(p);
}

MappedFile::~MappedFile() {
  unmap();
}

void MappedFile::unmap() {
  if (data_) ::munmap(const_cast<char*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

}  // namespace ukube::store
