#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/images/image_store.h"

// The store's files, shared by its parts: blobs by digest, the index of names, the lock.
namespace ukube::images::layout {

namespace fs = std::filesystem;

inline constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";
inline constexpr const char* kManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kConfigMediaType = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kLayerMediaType = "application/vnd.oci.image.layer.v1.tar";
inline constexpr const char* kGzipLayerMediaType = "application/vnd.oci.image.layer.v1.tar+gzip";

// Held while the store changes: an exclusive flock on <root>/lock.
class StoreLock {
 public:
  explicit StoreLock(const fs::path& root);
  ~StoreLock();
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

 private:
  int fd_ = -1;
};

fs::path blob_path(const fs::path& root, std::string_view digest);
// Copies `file` into the store, verifying it against `expected` when given; returns its
// digest. Throws StoreError on a mismatch.
std::string put_blob_file(const fs::path& root, const fs::path& file, std::string_view expected = {});
std::string put_blob_bytes(const fs::path& root, std::string_view bytes);
// A blob `write` produces, feeding every byte it writes to the hash too; checked against
// `expected` when given (`what` names it in the error).
std::string put_blob_stream(const fs::path& root,
                            const std::function<void(std::ostream&, class Sha256&)>& write,
                            std::string_view expected, const std::string& what);
std::string read_text(const fs::path& file);
boost::json::object read_json(const fs::path& file);
// Writes a whole file by write-temp-and-rename, so readers see the old or the new text.
void write_atomically(const fs::path& file, std::string_view text);

// index.json: one entry per (name, manifest).
struct IndexEntry {
  std::string name;  // full reference
  std::string manifest_digest;
  int64_t manifest_size = 0;
};
std::vector<IndexEntry> read_index(const fs::path& root);
void write_index(const fs::path& root, const std::vector<IndexEntry>& entries);

// The image a manifest describes, names not filled in. Throws StoreError.
Image image_of_manifest(const fs::path& root, const std::string& manifest_digest);
// Every blob a manifest names, the manifest itself included: what keeps blobs alive.
std::vector<std::string> blobs_of_manifest(const fs::path& root, const std::string& manifest_digest);
// The layers' digests and media types, in order.
std::vector<std::pair<std::string, std::string>> layers_of(const fs::path& root,
                                                           const std::string& manifest_digest);

// o[key] when it is a string, else "".
std::string string_member(const boost::json::object& o, std::string_view key);
// descriptor["size"], 0 when missing.
int64_t size_member(const boost::json::object& descriptor);

// "amd64", "arm64", ... as OCI platforms name this machine.
std::string host_architecture();

}  // namespace ukube::images::layout
