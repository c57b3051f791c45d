#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "runtime-fake/config.pb.h"

// Which behaviour a container of a given image has (FakeRuntimeConfig.images and
// default_image), and the names and ids the fake gives images.
namespace ukube::runtime::fake {

class ImageCatalogue {
 public:
  explicit ImageCatalogue(const FakeRuntimeConfig& config);

  // The behaviour for `image`: an exact match, then the name without tag or digest, then
  // the default. Shared and immutable, so thousands of containers of one image hold one
  // copy, and a later set() does not change containers made before it.
  std::shared_ptr<const ImageBehaviour> behaviour(const std::string& image) const;
  // Adds or replaces one image's behaviour, for new containers from now on (tests and
  // config reloads).
  void set(const std::string& image, const ImageBehaviour& behaviour);
  // Takes every behaviour from `config` instead (a config reload), for new containers.
  void replace(const FakeRuntimeConfig& config);

 private:
  mutable std::shared_mutex mutex_;
  std::shared_ptr<const ImageBehaviour> default_;
  std::map<std::string, std::shared_ptr<const ImageBehaviour>, std::less<>> images_;
};

// "busybox:1.36" -> "busybox", "reg:5000/app@sha256:ab" -> "reg:5000/app", "busybox" -> itself.
std::string_view image_without_tag(std::string_view image);
// The name an image is listed under: the reference with ":latest" added when it names
// neither tag nor digest, as upstream lists "busybox" as "busybox:latest".
std::string image_tag_name(std::string_view image);
// A stable "sha256:<64 hex>" id derived from the tag name. Not a real digest: the fake has
// no content to hash.
std::string fake_image_id(std::string_view image);

}  // namespace ukube::runtime::fake
