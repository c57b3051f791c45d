#pragma once

#include <map>
#include <optional>
#include <string>

// What an image means to the process runtime: a host executable. A name listed in the
// config's `images` map runs the path it maps to; any other resolves to its last path
// component without tag or digest, looked up on the daemon's PATH
// (registry.example/tools/busybox:1.36 → /usr/bin/busybox).
namespace ukube::runtime::process {

// "registry:5000/ns/busybox:1.36@sha256:..." → "busybox".
std::string image_short_name(const std::string& image);
// "registry:5000/ns/busybox:1.36@sha256:..." → "registry:5000/ns/busybox".
std::string image_repository(const std::string& image);

class ImageResolver {
 public:
  explicit ImageResolver(std::map<std::string, std::string> configured)
      : configured_(std::move(configured)) {}

  // The executable's absolute path, or nullopt.
  std::optional<std::string> resolve(const std::string& image) const;
  // What to tell a user whose image does not resolve.
  std::string unresolved_message(const std::string& image) const;

 private:
  std::map<std::string, std::string> configured_;
};

// A stable id for the executable an image resolves to: "sha256:" + sha256(path).
std::string image_id_for_path(const std::string& path);

}  // namespace ukube::runtime::process
