#include "atomic_writer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <stdexcept>

namespace ukube::kubelet {
namespace {

namespace fs = std::filesystem;
constexpr const char* kData = "..data";
constexpr const char* kDataTmp = "..data_tmp";

void check_path(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.starts_with(".."))
    throw std::runtime_error("invalid volume file path \"" + path +
                             "\": it must be relative and not start with '..'");
  if (path.find("/..") != std::string::npos)
    throw std::runtime_error("invalid volume file path \"" + path +
                             "\": no element of it may start with '..'");
}

std::string first_segment(const std::string& path) {
  return path.substr(0, path.find('/'));
}

// What the current version holds is exactly `files`.
bool same_as_current(const fs::path& dir, const FileSet& files) {
  std::error_code ec;
  const fs::path current = dir / kData;
  if (!fs::is_symlink(current, ec)) return false;
  size_t seen = 0;
  for (auto it = fs::recursive_directory_iterator(current, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    ++seen;
    const std::string relative = fs::relative(it->path(), current, ec).string();
    auto wanted = files.find(relative);
    if (wanted == files.end()) return false;
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0 || (st.st_mode & 07777) != wanted->second.mode) return false;
    std::ifstream in(it->path(), std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (content != wanted->second.data) return false;
  }
  return !ec && seen == files.size();
}

std::string version_name() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "..%Y_%m_%d_%H_%M_%S.", &utc);
  static thread_local std::mt19937_64 random(std::random_device{}());
  return stamp + std::to_string(random() % 1000000000);
}

}  // namespace

bool write_atomically(const fs::path& dir, const FileSet& files) {
  for (const auto& [path, file] : files) check_path(path);
  fs::create_directories(dir);
  if (same_as_current(dir, files)) return false;

  std::error_code ec;
  const fs::path old_version =
      fs::is_symlink(dir / kData, ec) ? fs::read_symlink(dir / kData, ec) : fs::path();
  const std::string version = version_name();
  const fs::path version_dir = dir / version;
  fs::create_directory(version_dir);
  ::chmod(version_dir.c_str(), 0755);
  for (const auto& [path, file] : files) {
    const fs::path target = version_dir / path;
    fs::create_directories(target.parent_path());
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out << file.data;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + target.string());
    ::chmod(target.c_str(), file.mode);
  }
  // The swap: a new link, renamed over the old one.
  fs::remove(dir / kDataTmp, ec);
  fs::create_symlink(version, dir / kDataTmp);
  fs::rename(dir / kDataTmp, dir / kData);

  std::set<std::string> visible;
  for (const auto& [path, file] : files) visible.insert(first_segment(path));
  for (const auto& name : visible)
    if (!fs::is_symlink(dir / name, ec)) fs::create_symlink(fs::path(kData) / name, dir / name);
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("..") || visible.count(name)) continue;
    if (fs::is_symlink(entry.path(), ec)) fs::remove(entry.path(), ec);
  }
  if (!old_version.empty()) fs::remove_all(dir / old_version, ec);
  return true;
}

}  // namespace ukube::kubelet
