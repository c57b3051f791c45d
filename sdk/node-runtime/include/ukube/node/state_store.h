#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ukube/node/records.h"
#include "ukube/runtime/types.h"

// The process runtime's records on disk, under the plugin's state folder:
//   sandboxes/<id>/sandbox.json       SandboxRecord
//   containers/<id>/container.json    ContainerRecord (+ the monitor's files, records.h)
//   images/<hex>.json                 ImageRecord
// Nothing about sandboxes, containers or images is kept only in memory: a restarted
// daemon, or a second driver on the same folder, sees exactly what these files say.
namespace ukube::runtime::node {

struct SandboxRecord {
  std::string id;
  int64_t created_at = 0;
  bool ready = true;  // false once stopped
  PodSandboxConfig config;
};

struct ContainerRecord {
  std::string id;
  std::string sandbox_id;
  int64_t created_at = 0;
  ContainerConfig config;
  std::string image_ref;  // the image's id
  std::string log_path;   // absolute
};

struct ImageRecord {
  std::string id;
  std::string path;  // the executable it runs
  std::vector<std::string> repo_tags;
};

class StateStore {
 public:
  // Creates the folders when missing; throws std::system_error when it cannot.
  explicit StateStore(std::filesystem::path root);

  // A fresh random id: 64 hex digits, as containerd's.
  static std::string new_id();
  // Ids name folders: only ids this store could have made are accepted, so a crafted id
  // ("../..") never reaches the file system.
  static bool is_valid_id(const std::string& id);

  std::filesystem::path sandbox_dir(const std::string& id) const { return root_ / "sandboxes" / id; }
  std::filesystem::path container_dir(const std::string& id) const { return containers_root() / id; }
  std::filesystem::path containers_root() const { return root_ / "containers"; }

  void write_sandbox(const SandboxRecord& record);
  std::optional<SandboxRecord> read_sandbox(const std::string& id) const;
  std::vector<SandboxRecord> list_sandboxes() const;
  void remove_sandbox(const std::string& id);

  // Writes container.json and the monitor's spec (monitor.json) into a new folder.
  void write_container(const ContainerRecord& record, const MonitorSpec& spec);
  std::optional<ContainerRecord> read_container(const std::string& id) const;
  std::vector<ContainerRecord> list_containers() const;
  void remove_container(const std::string& id);

  void write_image(const ImageRecord& record);
  std::vector<ImageRecord> list_images() const;
  void remove_image(const std::string& id);

 private:
  std::filesystem::path image_file(const std::string& id) const;
  std::filesystem::path root_;
  mutable std::mutex cache_mutex_;
  mutable std::map<std::string, ContainerRecord> containers_;  // parsed container.json by id
};

}  // namespace ukube::runtime::node
