#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "volume_driver.h"

// A node's pod volumes (upstream's volume manager): each pod's volumes under
// <root>/<pod uid>/volumes/<driver>/<volume>, published before its containers start and
// refreshed on every sync after, torn down with the pod.
namespace ukube::kubelet {

class VolumeManager {
 public:
  explicit VolumeManager(std::filesystem::path root);

  // Volume name → host path, for the containers' mounts. Throws VolumeError naming the
  // volume that could not be set up.
  std::map<std::string, std::string> publish(const ProjectionInputs& inputs);
  // Removes everything of the pod with this uid.
  void tear_down(const std::string& pod_uid);
  // Whether any of the pod's volumes changes with API objects, so the pod is re-synced
  // from time to time to follow them.
  static bool follows_api_objects(const boost::json::object& pod);

 private:
  VolumeDriver* driver_for(const boost::json::object& volume) const;
  std::filesystem::path root_;
  std::map<std::string, std::unique_ptr<VolumeDriver>> drivers_;  // by the volume source's field
};

struct VolumeError : std::runtime_error {
  VolumeError(std::string volume_name, const std::string& message)
      : std::runtime_error(message), volume(std::move(volume_name)) {}
  std::string volume;
};

}  // namespace ukube::kubelet
