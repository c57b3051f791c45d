// ImageLocality: prefers nodes that already hold the pod's images, weighted by how
// widely each image is spread so that one node does not attract every pod.
#include <algorithm>

#include "plugins/args.h"
#include "plugins/simple_plugins.h"

namespace ukube::scheduler {
namespace {

constexpr int64_t kMiB = 1024 * 1024;
constexpr int64_t kMinThreshold = 23 * kMiB;  // smaller images cost little to pull
constexpr int64_t kMaxContainerThreshold = 1000 * kMiB;

class ImageLocality final : public ScorePlugin {
 public:
  explicit ImageLocality(Handle& handle) : handle_(handle) {}
  std::string name() const override { return "ImageLocality"; }

  Status score(const CycleState&, const PodInfo& pod, const NodeInfo& node, int64_t& score) override {
    score = 0;
    if (node.images.empty() || pod.images.empty()) return {};
    const double total = static_cast<double>(handle_.snapshot().nodes().size());
    double sum = 0;
    for (const auto& image : pod.images)
      if (const ImageState* s = node.image(image))
        sum += static_cast<double>(s->size) * (total > 0 ? s->num_nodes / total : 1.0);
    const double max = static_cast<double>(kMaxContainerThreshold) * static_cast<double>(pod.images.size());
    const double clamped = std::clamp(sum, static_cast<double>(kMinThreshold), max);
    score = static_cast<int64_t>(kMaxNodeScore * (clamped - kMinThreshold) / (max - kMinThreshold));
    return {};
  }

 private:
  Handle& handle_;
};

}  // namespace

FrameworkPluginFactory image_locality_factory() {
  return {"ImageLocality",
          [](const boost::json::object& args, Handle& h) -> std::unique_ptr<FrameworkPlugin> {
            check_known_args(args, {});
            return std::make_unique<ImageLocality>(h);
          }};
}

}  // namespace ukube::scheduler
