#pragma once

#include <filesystem>
#include <string>

#include <boost/json/object.hpp>

#include "projections.h"

// The node side of a volume, in CSI's shape: stage once per node (a device attached and
// formatted), publish into one pod's folder, unpublish from it. The in-tree volume types
// are drivers of this interface, and a CSI driver plugin will be one too.
namespace ukube::kubelet {

struct VolumeRequest {
  const boost::json::object* volume = nullptr;  // the pod's volume entry
  const ProjectionInputs* inputs = nullptr;     // the pod, and where API objects come from
};

class VolumeDriver {
 public:
  virtual ~VolumeDriver() = default;
  // The folder name under a pod's volumes/ (kubernetes.io~configmap, ...).
  virtual std::string name() const = 0;
  virtual void stage(const VolumeRequest&) {}
  // Makes the volume's content available and current at `target` (called on every pod
  // sync, so it refreshes what comes from API objects), or at the host path it returns:
  // a hostPath volume is the host's folder itself. Throws std::runtime_error with
  // upstream's MountVolume.SetUp message.
  virtual std::filesystem::path publish(const VolumeRequest& request,
                                        const std::filesystem::path& target) = 0;
  virtual void unpublish(const std::filesystem::path& target) = 0;
};

}  // namespace ukube::kubelet
