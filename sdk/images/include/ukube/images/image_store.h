#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// The node's local image store: an OCI image layout (blobs/sha256/<hex>, index.json with
// one entry per image name) under the data dir, plus each image's root filesystem,
// unpacked once from its layers and shared by its containers. `ukube image` and the
// runtimes use it from different processes: every change holds the store's lock file.
namespace ukube::images {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What a container of the image runs by default (the image config's "config").
struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;
  std::string working_dir;
  std::string user;
  std::string stop_signal;
  std::map<std::string, std::string> labels;
};

struct Image {
  std::string id;                  // "sha256:<hex of the config blob>", as the CRI reports it
  std::vector<std::string> names;  // full references: "docker.io/library/busybox:1.35"
  std::string manifest_digest;     // "sha256:<hex>"
  int64_t size = 0;                // config and layers as stored
  int64_t stored_at = 0;           // ns since the epoch: when the store got its manifest
  ImageConfig config;
};

struct ImportOptions {
  // The name the image gets ("busybox:1.35"): required for a plain rootfs tar, and used
  // for an archive that names none; for an archive naming one it replaces that name.
  std::string name;
  // The command of an image made from a plain rootfs tar (its config's Cmd).
  std::vector<std::string> cmd;
};

// Credentials for a registry: a user name and password (imagePullSecrets' auth), or a
// registry token to send as a bearer token.
struct RegistryAuth {
  std::string username;
  std::string password;
  std::string registry_token;
};

struct PullOptions {
  RegistryAuth auth;
  // Registries (host[:port]) reached over plain HTTP. Loopback registries always are.
  std::vector<std::string> insecure_registries;
  // Endpoints tried before a registry itself ("docker.io" → {"https://mirror.local"}).
  std::map<std::string, std::vector<std::string>> mirrors;
  // Told what is happening ("pulling manifest", "fetching sha256:... (3.2 MB)").
  std::function<void(const std::string& what)> progress;
};

class ImageStore {
 public:
  // `root` is created when missing (<data dir>/images).
  explicit ImageStore(std::filesystem::path root);

  // Imports an OCI image layout tar (skopeo's oci-archive, docker save since 25), a
  // docker-archive tar (docker save), or a plain root filesystem tar (options.name
  // required), gzip-compressed or not. Returns the images it stored. Throws StoreError
  // saying what is wrong with the archive.
  std::vector<Image> import(const std::filesystem::path& archive, const ImportOptions& options = {});

  // Makes an image of one layer from a root filesystem on disk (options.name required), as
  // importing a plain rootfs tar of it would. Throws StoreError.
  Image import_folder(const std::filesystem::path& rootfs, const ImportOptions& options);

  // Pulls the image from its registry (OCI distribution API over HTTPS; image indexes
  // resolved to this machine's platform, every blob checked against its digest, bearer
  // token and basic authentication). Blobs already stored are not fetched again. Throws
  // StoreError saying what failed: unreachable registry, unknown image, refused credentials.
  Image pull(std::string_view reference, const PullOptions& options = {});

  std::vector<Image> list() const;
  // By name ("busybox", "busybox:1.35", "docker.io/library/busybox:1.35"), by id or by an
  // unambiguous id prefix (12 hex digits or more).
  std::optional<Image> find(std::string_view reference) const;
  // Drops the name `reference`, or every name of the image it identifies by id; the
  // image's blobs and root filesystem go with its last name. `in_use` (image id → true)
  // keeps an image that containers still use. Throws StoreError when nothing matches or
  // the image is in use.
  std::vector<std::string> remove(std::string_view reference,
                                  const std::function<bool(const std::string& id)>& in_use = {});

  // The image's root filesystem, unpacked from its layers on first use. Throws StoreError.
  std::filesystem::path rootfs(const Image& image);

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace ukube::images
