#include "image_drop_folder.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <spdlog/logger.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>

#include "ukube/node/atomic_file.h"

namespace ukube::runtime::runc {

namespace fs = std::filesystem;

namespace {

bool is_image_archive(const fs::path& path) {
  const std::string name = path.filename().string();
  auto ends_with = [&](const std::string& suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return name.front() != '.' && (ends_with(".tar") || ends_with(".tar.gz") || ends_with(".tgz"));
}

// "<size> <mtime ns>": what tells a file imported before from a new or rewritten one.
std::string fingerprint(const fs::path& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  auto time = fs::last_write_time(path, ec);
  return std::to_string(size) + " " + std::to_string(time.time_since_epoch().count());
}

}  // namespace

ImageDropFolder::ImageDropFolder(images::ImageStore& store, fs::path folder, fs::path record,
                                 std::shared_ptr<spdlog::logger> logger)
    : store_(store), folder_(std::move(folder)), record_(std::move(record)), logger_(std::move(logger)) {
  fs::create_directories(folder_);
}

ImageDropFolder::~ImageDropFolder() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(stop_fd_, &one, sizeof one);
    thread_.join();
  }
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

int ImageDropFolder::import_new() {
  // The record: one "<file name>\t<fingerprint>" line per imported tar.
  std::map<std::string, std::string> imported;
  {
    std::istringstream lines(node::read_file_if_exists(record_).value_or(""));
    for (std::string line; std::getline(lines, line);)
      if (auto tab = line.find('\t'); tab != std::string::npos)
        imported[line.substr(0, tab)] = line.substr(tab + 1);
  }
  int count = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder_, ec)) {
    if (!entry.is_regular_file(ec) || !is_image_archive(entry.path())) continue;
    const std::string name = entry.path().filename().string();
    const std::string print = fingerprint(entry.path());
    if (imported[name] == print) continue;
    try {
      for (const auto& image : store_.import(entry.path()))
        if (logger_)
          logger_->info("runtime-runc: imported {} from {}",
                        image.names.empty() ? image.id : image.names.front(), entry.path().string());
      ++count;
    } catch (const std::exception& e) {
      if (logger_)
        logger_->warn("runtime-runc: cannot import {} (left in place; fix or remove it): {}",
                      entry.path().string(), e.what());
    }
    // A tar that failed is not tried again until it changes.
    imported[name] = print;
  }
  std::string text;
  for (const auto& [name, print] : imported) text += name + "\t" + print + "\n";
  node::write_file_atomically(record_, text);
  return count;
}

void ImageDropFolder::watch() {
  inotify_fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (inotify_fd_ < 0 || stop_fd_ < 0 ||
      ::inotify_add_watch(inotify_fd_, folder_.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
    if (logger_)
      logger_->warn("runtime-runc: cannot watch {} for new image tars; they are imported at the next start",
                    folder_.string());
    return;
  }
  thread_ = std::thread([this] { run(); });
}

void ImageDropFolder::run() {
  for (;;) {
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents & POLLIN) return;
    if (!(fds[0].revents & POLLIN)) continue;
    char buffer[4096];
    while (::read(inotify_fd_, buffer, sizeof buffer) > 0) {
    }
    try {
      import_new();
    } catch (const std::exception& e) {
      if (logger_) logger_->warn("runtime-runc: importing from {}: {}", folder_.string(), e.what());
    }
  }
}

}  // namespace ukube::runtime::runc
