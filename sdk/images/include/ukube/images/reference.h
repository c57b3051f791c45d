#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

// Image references as pods and users write them ("busybox", "busybox:1.36",
// "registry.local:5000/team/app@sha256:..."), normalised as docker and the CRI runtimes
// do: Docker Hub is the default registry, "library/" its default namespace, and "latest"
// the default tag when no digest is given.
namespace ukube::images {

class ReferenceError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct ImageReference {
  std::string domain;  // "docker.io", "registry.local:5000"
  std::string path;    // "library/busybox", "team/app"
  std::string tag;     // "" when only a digest names it
  std::string digest;  // "sha256:<64 hex>", or ""

  // "docker.io/library/busybox:1.36", "registry.local:5000/app@sha256:..."
  std::string full() const;
  // The name without tag or digest: "docker.io/library/busybox".
  std::string repository() const;
  // As docker prints it: "busybox:1.36" (Docker Hub's domain and "library/" dropped).
  std::string familiar() const;
};

// Throws ReferenceError saying what is wrong, as upstream's reference parser does
// ("invalid reference format: repository name must be lowercase").
ImageReference parse_reference(std::string_view text);

// Whether `text` is an image id or an unambiguous prefix of its hex ("sha256:abc…", "abc…").
bool looks_like_id(std::string_view text);

}  // namespace ukube::images
