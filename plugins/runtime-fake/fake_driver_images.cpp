// Images: nothing is downloaded; a pull records the image under a stable fake id unless the
// config says its pulls fail.
#include <algorithm>

#include "fake_driver.h"

namespace ukube::runtime::fake {
namespace {

// A digest reference ("app@sha256:...") is listed as a repo digest, anything else as a tag.
bool is_digest_reference(const std::string& image) {
  return image.find('@') != std::string::npos;
}

}  // namespace

std::string FakeDriver::pull_image(const std::string& image, const AuthConfig& /*auth*/) {
  if (image.empty())
    throw RuntimeError(RuntimeError::Code::InvalidArgument, "pull_image: empty image reference");
  if (shared_.images->behaviour(image)->pull_fails())
    throw RuntimeError(RuntimeError::Code::Unavailable,
                       "failed to pull image \"" + image +
                           "\": the fake runtime is configured to fail pulls of this image (pull_fails)");
  const std::string id = fake_image_id(image);
  std::lock_guard lock(mutex_);
  Image& record = images_[id];
  record.id = id;
  auto& names = is_digest_reference(image) ? record.repo_digests : record.repo_tags;
  const std::string name = image_tag_name(image);
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  return id;
}

std::vector<Image> FakeDriver::list_images() {
  std::lock_guard lock(mutex_);
  std::vector<Image> out;
  out.reserve(images_.size());
  for (const auto& [id, image] : images_) out.push_back(image);
  return out;
}

std::optional<Image> FakeDriver::image_status(const std::string& image) {
  std::lock_guard lock(mutex_);
  auto it = images_.find(image);  // by id
  if (it == images_.end()) it = images_.find(fake_image_id(image));
  if (it == images_.end()) return std::nullopt;
  return it->second;
}

void FakeDriver::remove_image(const std::string& image) {
  std::lock_guard lock(mutex_);
  if (images_.erase(image) == 0) images_.erase(fake_image_id(image));  // unknown: nothing to do
}

}  // namespace ukube::runtime::fake
