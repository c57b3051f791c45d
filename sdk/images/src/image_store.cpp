#include "ukube/images/image_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <boost/json.hpp>

#include "digest.h"
#include "rootfs_unpack.h"
#include "store_layout.h"
#include "ukube/images/reference.h"

namespace ukube::images {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace layout {

StoreLock::StoreLock(const fs::path& root) {
  fd_ = ::open((root / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0)
    throw StoreError("cannot lock the image store at " + root.string() + ": " + std::strerror(errno));
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) ::close(fd_);
}

fs::path blob_path(const fs::path& root, std::string_view digest) {
  try {
    return root / "blobs" / "sha256" / digest_hex(digest);
  } catch (const std::invalid_argument& e) {
    throw StoreError(std::string("the image store refers to a blob by an invalid digest: ") + e.what());
  }
}

std::string put_blob_stream(const fs::path& root, const std::function<void(std::ostream&, Sha256&)>& write,
                            std::string_view expected, const std::string& what) {
  fs::create_directories(root / "blobs" / "sha256");
  static std::atomic<uint64_t> ingests{0};
  const fs::path temp =
      root / "blobs" / ("ingest-" + std::to_string(::getpid()) + "-" + std::to_string(ingests++));
  Sha256 hash;
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw StoreError("cannot write into the image store at " + root.string());
    write(out, hash);
    if (!out.flush())
      throw StoreError("cannot write into the image store at " + root.string() + ": disk full?");
  }
  const std::string digest = hash.digest();
  if (!expected.empty() && digest != expected) {
    fs::remove(temp);
    throw StoreError(what + " does not match its digest: expected " + std::string(expected) + ", got " +
                     digest);
  }
  fs::rename(temp, blob_path(root, digest));
  return digest;
}

std::string put_blob_file(const fs::path& root, const fs::path& file, std::string_view expected) {
  return put_blob_stream(
      root,
      [&](std::ostream& out, Sha256& hash) {
        std::ifstream in(file, std::ios::binary);
        if (!in) throw StoreError("cannot read " + file.string());
        std::vector<char> buffer(1 << 16);
        while (in) {
          in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
          const auto got = in.gcount();
          if (got <= 0) break;
          hash.update(buffer.data(), static_cast<size_t>(got));
          out.write(buffer.data(), got);
        }
      },
      expected, file.string());
}

std::string put_blob_bytes(const fs::path& root, std::string_view bytes) {
  return put_blob_stream(
      root,
      [&](std::ostream& out, Sha256& hash) {
        hash.update(bytes.data(), bytes.size());
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      },
      {}, "a generated blob");
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw StoreError("cannot read " + file.string() + ": it is missing or unreadable");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

json::object read_json(const fs::path& file) {
  boost::system::error_code ec;
  json::value v = json::parse(read_text(file), ec);
  if (ec || !v.is_object()) throw StoreError(file.string() + " is not a JSON object");
  return std::move(v.as_object());
}

void write_atomically(const fs::path& file, std::string_view text) {
  const fs::path temp = file.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out.flush()) throw StoreError("cannot write " + temp.string());
  }
  fs::rename(temp, file);
}

std::vector<IndexEntry> read_index(const fs::path& root) {
  std::vector<IndexEntry> entries;
  if (!fs::exists(root / "index.json")) return entries;
  json::object index = read_json(root / "index.json");
  if (const auto* manifests = index.if_contains("manifests"); manifests && manifests->is_array())
    for (const auto& m : manifests->as_array()) {
      const auto* o = m.if_object();
      if (!o) continue;
      IndexEntry e;
      e.manifest_digest = std::string(o->at("digest").as_string());
      e.manifest_size = o->contains("size") ? o->at("size").to_number<int64_t>() : 0;
      if (const auto* a = o->if_contains("annotations"); a && a->is_object())
        if (const auto* n = a->as_object().if_contains(kRefNameAnnotation); n && n->is_string())
          e.name = std::string(n->as_string());
      entries.push_back(std::move(e));
    }
  return entries;
}

void write_index(const fs::path& root, const std::vector<IndexEntry>& entries) {
  json::array manifests;
  for (const auto& e : entries)
    manifests.push_back(json::object{{"mediaType", kManifestMediaType},
                                     {"digest", e.manifest_digest},
                                     {"size", e.manifest_size},
                                     {"annotations", json::object{{kRefNameAnnotation, e.name}}}});
  write_atomically(root / "index.json",
                   json::serialize(json::object{{"schemaVersion", 2}, {"manifests", std::move(manifests)}}));
  if (!fs::exists(root / "oci-layout"))
    write_atomically(root / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
}

namespace {

std::vector<std::string> strings_of(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const auto* a = o.if_contains(key); a && a->is_array())
    for (const auto& v : a->as_array())
      if (v.is_string()) out.emplace_back(v.as_string());
  return out;
}

}  // namespace

Image image_of_manifest(const fs::path& root, const std::string& manifest_digest) {
  json::object manifest = read_json(blob_path(root, manifest_digest));
  const auto* config = manifest.if_contains("config");
  if (!config || !config->is_object()) throw StoreError("manifest " + manifest_digest + " names no config");
  Image image;
  image.manifest_digest = manifest_digest;
  std::error_code ec;
  auto stored = fs::last_write_time(blob_path(root, manifest_digest), ec);
  if (!ec)
    image.stored_at = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::file_clock::to_sys(stored).time_since_epoch())
                          .count();
  image.id = string_member(config->as_object(), "digest");
  image.size = config->as_object().contains("size") ? config->as_object().at("size").to_number<int64_t>() : 0;
  if (const auto* layers = manifest.if_contains("layers"); layers && layers->is_array())
    for (const auto& l : layers->as_array())
      if (const auto* o = l.if_object(); o && o->contains("size"))
        image.size += o->at("size").to_number<int64_t>();
  json::object config_blob = read_json(blob_path(root, image.id));
  if (const auto* c = config_blob.if_contains("config"); c && c->is_object()) {
    const json::object& cfg = c->as_object();
    image.config.entrypoint = strings_of(cfg, "Entrypoint");
    image.config.cmd = strings_of(cfg, "Cmd");
    image.config.env = strings_of(cfg, "Env");
    image.config.working_dir = string_member(cfg, "WorkingDir");
    image.config.user = string_member(cfg, "User");
    image.config.stop_signal = string_member(cfg, "StopSignal");
    if (const auto* labels = cfg.if_contains("Labels"); labels && labels->is_object())
      for (const auto& l : labels->as_object())
        if (l.value().is_string())
          image.config.labels[std::string(l.key())] = std::string(l.value().as_string());
  }
  return image;
}

std::vector<std::pair<std::string, std::string>> layers_of(const fs::path& root,
                                                           const std::string& manifest_digest) {
  std::vector<std::pair<std::string, std::string>> out;
  json::object manifest = read_json(blob_path(root, manifest_digest));
  if (const auto* layers = manifest.if_contains("layers"); layers && layers->is_array())
    for (const auto& l : layers->as_array())
      if (const auto* o = l.if_object())
        out.emplace_back(string_member(*o, "digest"), string_member(*o, "mediaType"));
  return out;
}

std::vector<std::string> blobs_of_manifest(const fs::path& root, const std::string& manifest_digest) {
  json::object manifest = read_json(blob_path(root, manifest_digest));
  std::vector<std::string> digests{manifest_digest};
  if (const auto* config = manifest.if_contains("config"); config && config->is_object())
    digests.push_back(string_member(config->as_object(), "digest"));
  if (const auto* layers = manifest.if_contains("layers"); layers && layers->is_array())
    for (const auto& l : layers->as_array())
      if (const auto* o = l.if_object()) digests.push_back(string_member(*o, "digest"));
  return digests;
}

std::string string_member(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t size_member(const json::object& descriptor) {
  const auto* v = descriptor.if_contains("size");
  return v && v->is_number() ? v->to_number<int64_t>() : 0;
}

std::string host_architecture() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__arm__)
  return "arm";
#elif defined(__i386__)
  return "386";
#else
  return "unknown";
#endif
}

}  // namespace layout

ImageStore::ImageStore(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  fs::create_directories(root_ / "blobs" / "sha256", ec);
  if (ec) throw StoreError("cannot create the image store at " + root_.string() + ": " + ec.message());
}

std::vector<Image> ImageStore::list() const {
  std::map<std::string, Image> by_manifest;
  for (const auto& e : layout::read_index(root_)) {
    auto it = by_manifest.find(e.manifest_digest);
    if (it == by_manifest.end())
      it = by_manifest.emplace(e.manifest_digest, layout::image_of_manifest(root_, e.manifest_digest)).first;
    if (!e.name.empty()) it->second.names.push_back(e.name);
  }
  std::map<std::string, Image> by_id;  // two manifests of one config are one image to the CRI
  for (auto& [digest, image] : by_manifest) {
    auto [it, fresh] = by_id.emplace(image.id, image);
    if (!fresh) it->second.names.insert(it->second.names.end(), image.names.begin(), image.names.end());
  }
  std::vector<Image> out;
  for (auto& [id, image] : by_id) {
    std::sort(image.names.begin(), image.names.end());
    out.push_back(std::move(image));
  }
  return out;
}

namespace {

// The full name `reference` stands for; "" when it is no name (an id, or malformed).
std::string full_name(std::string_view reference) {
  try {
    return parse_reference(reference).full();
  } catch (const ReferenceError&) {
    return {};
  }
}

}  // namespace

std::optional<Image> ImageStore::find(std::string_view reference) const {
  const auto images = list();
  const std::string full = full_name(reference);
  for (const auto& image : images)
    if (std::find(image.names.begin(), image.names.end(), full) != image.names.end()) return image;
  if (!looks_like_id(reference)) return std::nullopt;
  std::string prefix =
      reference.starts_with("sha256:") ? std::string(reference) : "sha256:" + std::string(reference);
  std::optional<Image> match;
  for (const auto& image : images)
    if (image.id.starts_with(prefix)) {
      if (match) return std::nullopt;  // ambiguous
      match = image;
    }
  return match;
}

std::vector<std::string> ImageStore::remove(std::string_view reference,
                                            const std::function<bool(const std::string& id)>& in_use) {
  layout::StoreLock lock(root_);
  auto image = find(reference);
  if (!image)
    throw StoreError("no image \"" + std::string(reference) + "\" in the image store at " + root_.string());
  const std::string full = full_name(reference);
  const bool by_name = std::find(image->names.begin(), image->names.end(), full) != image->names.end();
  std::vector<std::string> removed = by_name ? std::vector<std::string>{full} : image->names;
  const bool last_name = removed.size() == image->names.size();
  if (last_name && in_use && in_use(image->id))
    throw StoreError("image " + std::string(reference) + " (" + image->id +
                     ") is in use by a container: remove the container first");

  std::vector<layout::IndexEntry> kept, dropped;
  for (auto& e : layout::read_index(root_))
    (std::find(removed.begin(), removed.end(), e.name) == removed.end() ? kept : dropped)
        .push_back(std::move(e));
  layout::write_index(root_, kept);

  // Blobs no remaining manifest refers to go; with the image's last name, its rootfs too.
  std::set<std::string> live;
  for (const auto& e : kept)
    for (auto& digest : layout::blobs_of_manifest(root_, e.manifest_digest)) live.insert(std::move(digest));
  std::set<std::string> candidates;
  for (const auto& e : dropped)
    for (auto& digest : layout::blobs_of_manifest(root_, e.manifest_digest))
      candidates.insert(std::move(digest));
  for (const auto& digest : candidates)
    if (!live.contains(digest)) fs::remove(layout::blob_path(root_, digest));
  if (last_name) {
    std::error_code ec;
    fs::remove_all(root_ / "rootfs" / digest_hex(image->id), ec);
  }
  return removed;
}

fs::path ImageStore::rootfs(const Image& image) {
  const fs::path dir = root_ / "rootfs" / digest_hex(image.id);
  if (fs::exists(dir)) return dir;
  layout::StoreLock lock(root_);
  if (fs::exists(dir)) return dir;
  fs::create_directories(root_ / "rootfs");
  const fs::path temp = root_ / "rootfs" / (".unpack-" + digest_hex(image.id));
  std::error_code ec;
  fs::remove_all(temp, ec);
  fs::create_directory(temp);
  try {
    for (const auto& [digest, type] : layout::layers_of(root_, image.manifest_digest))
      apply_layer(layout::blob_path(root_, digest), temp);
  } catch (...) {
    fs::remove_all(temp, ec);
    throw;
  }
  fs::rename(temp, dir);
  return dir;
}

}  // namespace ukube::images
