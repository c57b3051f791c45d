#include "image_gc.h"

#include <algorithm>

namespace ukube::runtime::runc {

std::vector<std::string> images_to_collect(std::vector<ImageUse> images, const DiskUsage& disk,
                                           const ImageGcPolicy& policy, int64_t now) {
  if (disk.capacity == 0) return {};
  const uint64_t used = disk.capacity - std::min(disk.available, disk.capacity);
  if (used * 100 < disk.capacity * static_cast<uint64_t>(policy.high_percent)) return {};
  const uint64_t target = disk.capacity * static_cast<uint64_t>(policy.low_percent) / 100;
  uint64_t to_free = used > target ? used - target : 0;
  std::sort(images.begin(), images.end(),
            [](const ImageUse& a, const ImageUse& b) { return a.last_used < b.last_used; });
  const int64_t min_age = std::chrono::duration_cast<std::chrono::nanoseconds>(policy.min_age).count();
  std::vector<std::string> out;
  for (const auto& image : images) {
    if (to_free == 0) break;
    if (image.in_use || now - image.stored_at < min_age) continue;
    out.push_back(image.id);
    to_free -= std::min(to_free, image.size);
  }
  return out;
}

}  // namespace ukube::runtime::runc
