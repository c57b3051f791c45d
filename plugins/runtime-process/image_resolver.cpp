#include "image_resolver.h"

#include <openssl/sha.h>

#include <cstdlib>

#include "ukube/node/spawn.h"

namespace ukube::runtime::process {

std::string image_repository(const std::string& image) {
  std::string name = image.substr(0, image.find('@'));
  // A ':' after the last '/' starts a tag; one before it belongs to a registry's port.
  auto slash = name.rfind('/');
  auto colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) name.resize(colon);
  return name;
}

std::string image_short_name(const std::string& image) {
  std::string repository = image_repository(image);
  auto slash = repository.rfind('/');
  return slash == std::string::npos ? repository : repository.substr(slash + 1);
}

std::optional<std::string> ImageResolver::resolve(const std::string& image) const {
  for (const auto& key : {image, image_repository(image), image_short_name(image)}) {
    auto it = configured_.find(key);
    if (it != configured_.end()) return it->second;
  }
  std::string name = image_short_name(image);
  if (name.empty() || name == "." || name == "..") return std::nullopt;
  const char* path = std::getenv("PATH");
  return node::find_executable(name, path ? path : node::kDefaultContainerPath);
}

std::string ImageResolver::unresolved_message(const std::string& image) const {
  return "runtime-process cannot run image \"" + image + "\": no executable \"" + image_short_name(image) +
         "\" on the daemon's PATH; map the image to an executable in the plugin's config (images: {\"" +
         image + "\": /path/to/program}) or install the program";
}

std::string image_id_for_path(const std::string& path) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  ::SHA256(reinterpret_cast<const unsigned char*>(path.data()), path.size(), digest);
  static const char* hex = "0123456789abcdef";
  std::string id = "sha256:";
  for (unsigned char byte : digest) {
    id += hex[byte >> 4];
    id += hex[byte & 0xf];
  }
  return id;
}

}  // namespace ukube::runtime::process
