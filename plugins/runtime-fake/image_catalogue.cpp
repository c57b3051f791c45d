#include "image_catalogue.h"

#include <cstdint>
#include <cstdio>
#include <mutex>

namespace ukube::runtime::fake {

ImageCatalogue::ImageCatalogue(const FakeRuntimeConfig& config) {
  replace(config);
}

void ImageCatalogue::replace(const FakeRuntimeConfig& config) {
  auto fallback = std::make_shared<const ImageBehaviour>(config.default_image());
  std::map<std::string, std::shared_ptr<const ImageBehaviour>, std::less<>> images;
  for (const auto& [image, behaviour] : config.images())
    images[image] = std::make_shared<const ImageBehaviour>(behaviour);
  std::unique_lock lock(mutex_);
  default_ = std::move(fallback);
  images_ = std::move(images);
}

std::shared_ptr<const ImageBehaviour> ImageCatalogue::behaviour(const std::string& image) const {
  std::shared_lock lock(mutex_);
  if (auto it = images_.find(image); it != images_.end()) return it->second;
  if (auto it = images_.find(image_without_tag(image)); it != images_.end()) return it->second;
  return default_;
}

void ImageCatalogue::set(const std::string& image, const ImageBehaviour& behaviour) {
  std::unique_lock lock(mutex_);
  images_[image] = std::make_shared<const ImageBehaviour>(behaviour);
}

std::string_view image_without_tag(std::string_view image) {
  if (auto at = image.find('@'); at != std::string_view::npos) image = image.substr(0, at);
  // A colon after the last slash starts the tag; one before it belongs to a registry port.
  const auto slash = image.rfind('/');
  const auto colon = image.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash))
    image = image.substr(0, colon);
  return image;
}

std::string image_tag_name(std::string_view image) {
  if (image_without_tag(image).size() != image.size()) return std::string(image);
  return std::string(image) + ":latest";
}

std::string fake_image_id(std::string_view image) {
  const std::string name = image_tag_name(image);
  // Four FNV-1a passes with different offsets make 256 bits that differ per name.
  std::string id = "sha256:";
  for (uint64_t lane = 0; lane < 4; ++lane) {
    uint64_t hash = 14695981039346656037ull ^ (lane * 0x9e3779b97f4a7c15ull);
    for (unsigned char c : name) {
      hash ^= c;
      hash *= 1099511628211ull;
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    id += hex;
  }
  return id;
}

}  // namespace ukube::runtime::fake
