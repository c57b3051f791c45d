#include "rootfs_unpack.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "ukube/images/image_store.h"
#include "ukube/images/tar_reader.h"

namespace ukube::images {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

std::vector<std::string> components(std::string_view path) {
  std::vector<std::string> out;
  for (size_t start = 0; start <= path.size();) {
    size_t end = std::min(path.find('/', start), path.size());
    std::string_view c = path.substr(start, end - start);
    if (!c.empty() && c != ".") out.emplace_back(c);
    start = end + 1;
  }
  return out;
}

// `relative` inside `root`, every symlink on the way resolved as if `root` were "/" (the
// last component is resolved too when `follow_last`), so nothing leads out of it.
fs::path resolve_in_root(const fs::path& root, std::string_view relative, bool follow_last) {
  std::vector<std::string> pending = components(relative);
  std::reverse(pending.begin(), pending.end());
  std::vector<std::string> resolved;
  int hops = 0;
  while (!pending.empty()) {
    std::string c = std::move(pending.back());
    pending.pop_back();
    if (c == "..") {
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    fs::path here = root;
    for (const auto& r : resolved) here /= r;
    here /= c;
    struct stat st {};
    const bool last = pending.empty();
    if ((!last || follow_last) && ::lstat(here.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
      if (++hops > 255) throw StoreError("too many levels of symbolic links under " + root.string());
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      const ssize_t n = ::readlink(here.c_str(), target.data(), target.size());
      if (n < 0) throw StoreError("cannot read the link " + here.string());
      target.resize(static_cast<size_t>(n));
      if (!target.empty() && target.front() == '/') resolved.clear();
      auto more = components(target);
      for (auto it = more.rbegin(); it != more.rend(); ++it) pending.push_back(*it);
      continue;
    }
    resolved.push_back(std::move(c));
  }
  fs::path out = root;
  for (const auto& r : resolved) out /= r;
  return out;
}

void remove_existing(const fs::path& path, bool keep_directory) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    if (keep_directory) return;
    fs::remove_all(path);
  } else {
    fs::remove(path);
  }
}

class LayerApplier {
 public:
  LayerApplier(const fs::path& layer, const fs::path& root)
      : layer_(layer),
        root_(root),
        as_root_(::geteuid() == 0),
        reader_(open_maybe_compressed(layer), layer.string()) {}

  void run() {
    while (auto entry = reader_.next()) apply(*entry);
    // Modes last, so a read-only directory still took its entries.
    for (auto it = directory_modes_.rbegin(); it != directory_modes_.rend(); ++it)
      ::chmod(it->first.c_str(), it->second);
  }

 private:
  [[noreturn]] void fail(const TarEntry& e, const std::string& why) {
    throw StoreError("cannot unpack " + e.path + " of layer " + layer_.filename().string() + ": " + why);
  }

  void apply(const TarEntry& e) {
    if (e.path.empty()) return;  // the root itself
    const auto slash = e.path.rfind('/');
    const std::string dir = slash == std::string::npos ? std::string() : e.path.substr(0, slash);
    const std::string base = slash == std::string::npos ? e.path : e.path.substr(slash + 1);
    if (base == kOpaqueMarker) return make_opaque(dir);
    if (base.starts_with(kWhiteoutPrefix)) {
      const fs::path gone = resolve_in_root(root_, dir, true) / base.substr(kWhiteoutPrefix.size());
      std::error_code ec;
      fs::remove_all(gone, ec);
      return;
    }
    const fs::path parent = resolve_in_root(root_, dir, true);
    std::error_code ec;
    fs::create_directories(parent, ec);
    const fs::path target = parent / base;
    written_.insert(target.string());
    switch (e.type) {
      case TarEntry::Type::Directory:
        remove_existing(target, /*keep_directory=*/true);
        if (::mkdir(target.c_str(), 0700) != 0 && errno != EEXIST) fail(e, std::strerror(errno));
        directory_modes_.emplace_back(target.string(), e.mode);
        break;
      case TarEntry::Type::File: {
        remove_existing(target, false);
        const int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) fail(e, std::strerror(errno));
        std::vector<char> buffer(1 << 16);
        for (size_t n; (n = reader_.read(buffer.data(), buffer.size())) > 0;)
          for (size_t done = 0; done < n;) {
            const ssize_t w = ::write(fd, buffer.data() + done, n - done);
            if (w < 0) {
              ::close(fd);
              fail(e, std::strerror(errno));
            }
            done += static_cast<size_t>(w);
          }
        ::fchmod(fd, e.mode);
        ::close(fd);
        break;
      }
      case TarEntry::Type::Symlink:
        remove_existing(target, false);
        if (::symlink(e.link.c_str(), target.c_str()) != 0) fail(e, std::strerror(errno));
        break;
      case TarEntry::Type::Hardlink: {
        const fs::path source = resolve_in_root(root_, e.link, false);
        remove_existing(target, false);
        if (::link(source.c_str(), target.c_str()) != 0)
          fail(e, "cannot link to " + e.link + ": " + std::strerror(errno));
        break;
      }
      case TarEntry::Type::Fifo:
        remove_existing(target, false);
        if (::mkfifo(target.c_str(), e.mode) != 0) fail(e, std::strerror(errno));
        break;
      case TarEntry::Type::CharDevice:
      case TarEntry::Type::BlockDevice:
        // Containers get their own /dev; without root nodes cannot be made at all.
        if (!as_root_) return;
        remove_existing(target, false);
        if (::mknod(target.c_str(), (e.type == TarEntry::Type::CharDevice ? S_IFCHR : S_IFBLK) | e.mode,
                    makedev(e.device_major, e.device_minor)) != 0)
          fail(e, std::strerror(errno));
        break;
    }
    if (as_root_ && ::lchown(target.c_str(), e.uid, e.gid) != 0) fail(e, std::strerror(errno));
  }

  // Everything lower layers put into `dir` goes; what this layer wrote there stays.
  void make_opaque(const std::string& dir) {
    const fs::path path = resolve_in_root(root_, dir, true);
    std::error_code ec;
    for (const auto& child : fs::directory_iterator(path, ec))
      if (!written_.contains(child.path().string())) fs::remove_all(child.path(), ec);
  }

  fs::path layer_;
  fs::path root_;
  bool as_root_;
  TarReader reader_;
  std::set<std::string> written_;
  std::vector<std::pair<std::string, uint32_t>> directory_modes_;
};

}  // namespace

void apply_layer(const fs::path& layer, const fs::path& root) {
  try {
    LayerApplier(layer, root).run();
  } catch (const ArchiveError& e) {
    throw StoreError(std::string("cannot unpack an image layer: ") + e.what());
  }
}

}  // namespace ukube::images
