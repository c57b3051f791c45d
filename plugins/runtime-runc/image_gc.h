#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

// Image garbage collection by disk thresholds, as upstream's kubelet does it
// (imageGCHighThresholdPercent, imageGCLowThresholdPercent, imageMinimumGCAge): once the image
// store's file system is more than `high_percent` used, images no container uses are removed,
// least recently used first, until it is back to `low_percent`. An image younger than
// `min_age` is kept (it may be about to be used), and so is every image a container uses.
namespace ukube::runtime::runc {

struct ImageGcPolicy {
  int high_percent = 85;
  int low_percent = 80;
  std::chrono::seconds min_age{120};
};

struct DiskUsage {
  uint64_t capacity = 0;
  uint64_t available = 0;
};

struct ImageUse {
  std::string id;
  uint64_t size = 0;
  int64_t last_used = 0;  // ns since the epoch: its latest container's creation, else its arrival
  int64_t stored_at = 0;  // ns since the epoch
  bool in_use = false;
};

// The ids to remove, in order; empty when the disk is below the high threshold.
std::vector<std::string> images_to_collect(std::vector<ImageUse> images, const DiskUsage& disk,
                                           const ImageGcPolicy& policy, int64_t now);

}  // namespace ukube::runtime::runc
