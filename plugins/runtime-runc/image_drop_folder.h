#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "ukube/images/image_store.h"

namespace spdlog {
class logger;
}

// <data dir>/images/: image tars (OCI layout, docker-archive) an air-gapped user drops in
// are imported into the store at start, and again whenever a file is written or moved
// there. What was imported is remembered by name, size and modification time in the
// plugin's state folder, so a restart does not read every tar again.
namespace ukube::runtime::runc {

class ImageDropFolder {
 public:
  ImageDropFolder(images::ImageStore& store, std::filesystem::path folder, std::filesystem::path record,
                  std::shared_ptr<spdlog::logger> logger);
  ImageDropFolder(const ImageDropFolder&) = delete;
  ImageDropFolder& operator=(const ImageDropFolder&) = delete;
  ~ImageDropFolder();  // stops watching

  // Imports every tar not imported before; returns how many it imported.
  int import_new();
  // Watches the folder (inotify) on a thread of its own until destroyed.
  void watch();

 private:
  void run();

  images::ImageStore& store_;
  std::filesystem::path folder_;
  std::filesystem::path record_;
  std::shared_ptr<spdlog::logger> logger_;
  int inotify_fd_ = -1;
  int stop_fd_ = -1;
  std::thread thread_;
};

}  // namespace ukube::runtime::runc
