// ImageStore::import: the three kinds of archive a user brings, each into blobs and names.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <set>

#include <boost/json.hpp>

#include "digest.h"
#include "store_layout.h"
#include "tar_writer.h"
#include "ukube/images/image_store.h"
#include "ukube/images/reference.h"
#include "ukube/images/tar_reader.h"

namespace ukube::images {
namespace json = boost::json;
namespace fs = std::filesystem;
namespace {

constexpr const char* kContainerdNameAnnotation = "io.containerd.image.name";
constexpr const char* kDefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

enum class ArchiveKind { OciLayout, DockerArchive, Rootfs };

ArchiveKind kind_of(const fs::path& archive) {
  TarReader reader(open_maybe_compressed(archive), archive.string());
  bool oci_layout = false, index = false, docker_manifest = false;
  while (auto e = reader.next()) {
    if (e->path == "oci-layout") oci_layout = true;
    if (e->path == "index.json") index = true;
    if (e->path == "manifest.json") docker_manifest = true;
  }
  if (oci_layout && index) return ArchiveKind::OciLayout;
  if (docker_manifest) return ArchiveKind::DockerArchive;
  return ArchiveKind::Rootfs;
}

// The archive's regular files under `dir`; a path leading out of it is refused.
void extract_files(const fs::path& archive, const fs::path& dir) {
  TarReader reader(open_maybe_compressed(archive), archive.string());
  while (auto e = reader.next()) {
    if (e->type != TarEntry::Type::File) continue;
    for (size_t start = 0; start <= e->path.size();) {
      size_t end = std::min(e->path.find('/', start), e->path.size());
      if (e->path.compare(start, end - start, "..") == 0)
        throw StoreError(archive.string() + " holds a path leading out of it: " + e->path);
      start = end + 1;
    }
    const fs::path out = dir / e->path;
    fs::create_directories(out.parent_path());
    std::ofstream file(out, std::ios::binary | std::ios::trunc);
    std::vector<char> buffer(1 << 16);
    for (size_t n; (n = reader.read(buffer.data(), buffer.size())) > 0;)
      file.write(buffer.data(), static_cast<std::streamsize>(n));
    if (!file.flush())
      throw StoreError("cannot write " + out.string() + " while importing " + archive.string());
  }
}

// A scratch folder inside the store, removed however the import ends.
class ScratchDir {
 public:
  explicit ScratchDir(const fs::path& root) {
    static std::atomic<unsigned> counter{0};
    path_ = root / "tmp" / ("import-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct Imported {
  std::string name;  // as the archive or the user gives it; "" when none
  std::string manifest_digest;
  int64_t manifest_size = 0;
};

class Importer {
 public:
  Importer(const fs::path& root, const fs::path& archive, const ImportOptions& options)
      : root_(root), archive_(archive), options_(options) {}

  std::vector<Imported> run() {
    try {
      switch (kind_of(archive_)) {
        case ArchiveKind::OciLayout: return from_oci_layout();
        case ArchiveKind::DockerArchive: return from_docker_archive();
        case ArchiveKind::Rootfs: return from_rootfs();
      }
    } catch (const ArchiveError& e) {
      throw StoreError(std::string("cannot import ") + archive_.string() + ": " + e.what());
    }
    return {};
  }

 private:
  // A blob of the extracted OCI layout, into the store, checked against its digest.
  void copy_blob(const fs::path& layout, const std::string& digest) {
    fs::path source;
    try {
      source = layout / "blobs" / "sha256" / digest_hex(digest);
    } catch (const std::invalid_argument& e) {
      throw StoreError(archive_.string() + ": " + e.what());
    }
    if (!fs::exists(source))
      throw StoreError(archive_.string() + " lacks the blob " + digest + " its manifest names");
    layout::put_blob_file(root_, source, digest);
  }

  // A manifest descriptor of the layout, through image indexes to this machine's platform.
  std::pair<std::string, int64_t> platform_manifest(const fs::path& layout, const json::object& descriptor) {
    const std::string media = layout::string_member(descriptor, "mediaType");
    const std::string digest = layout::string_member(descriptor, "digest");
    const int64_t size = layout::size_member(descriptor);
    if (media != "application/vnd.oci.image.index.v1+json" &&
        media != "application/vnd.docker.distribution.manifest.list.v2+json")
      return {digest, size};
    json::object index = layout::read_json(layout / "blobs" / "sha256" / digest_hex(digest));
    if (const auto* manifests = index.if_contains("manifests"); manifests && manifests->is_array())
      for (const auto& m : manifests->as_array()) {
        const auto* o = m.if_object();
        const auto* platform = o ? o->if_contains("platform") : nullptr;
        if (!platform || !platform->is_object()) continue;
        if (layout::string_member(platform->as_object(), "os") == "linux" &&
            layout::string_member(platform->as_object(), "architecture") == layout::host_architecture())
          return platform_manifest(layout, *o);
      }
    throw StoreError(archive_.string() + " has no image for linux/" + layout::host_architecture());
  }

  std::vector<Imported> from_oci_layout() {
    ScratchDir scratch(root_);
    extract_files(archive_, scratch.path());
    json::object index = layout::read_json(scratch.path() / "index.json");
    std::vector<Imported> out;
    if (const auto* manifests = index.if_contains("manifests"); manifests && manifests->is_array())
      for (const auto& m : manifests->as_array()) {
        const auto* descriptor = m.if_object();
        if (!descriptor) continue;
        auto [digest, size] = platform_manifest(scratch.path(), *descriptor);
        copy_blob(scratch.path(), digest);
        json::object manifest = layout::read_json(layout::blob_path(root_, digest));
        if (const auto* config = manifest.if_contains("config"); config && config->is_object())
          copy_blob(scratch.path(), layout::string_member(config->as_object(), "digest"));
        if (const auto* layers = manifest.if_contains("layers"); layers && layers->is_array())
          for (const auto& l : layers->as_array())
            if (const auto* o = l.if_object()) copy_blob(scratch.path(), layout::string_member(*o, "digest"));
        std::string name;
        if (const auto* a = descriptor->if_contains("annotations"); a && a->is_object()) {
          name = layout::string_member(a->as_object(), kContainerdNameAnnotation);
          if (name.empty()) name = layout::string_member(a->as_object(), layout::kRefNameAnnotation);
        }
        // A bare tag ("1.35") names no repository.
        if (!name.empty() && name.find_first_of(":/@") == std::string::npos) name.clear();
        out.push_back({name, digest, size});
      }
    return out;
  }

  std::string manifest_for(const std::string& config_digest, const std::vector<std::string>& layer_digests) {
    json::array layers;
    for (const auto& digest : layer_digests) {
      const fs::path blob = layout::blob_path(root_, digest);
      layers.push_back(
          json::object{{"mediaType", is_gzip(blob) ? layout::kGzipLayerMediaType : layout::kLayerMediaType},
                       {"digest", digest},
                       {"size", static_cast<int64_t>(fs::file_size(blob))}});
    }
    json::object manifest{{"schemaVersion", 2},
                          {"mediaType", layout::kManifestMediaType},
                          {"config", json::object{{"mediaType", layout::kConfigMediaType},
                                                  {"digest", config_digest},
                                                  {"size", static_cast<int64_t>(fs::file_size(
                                                               layout::blob_path(root_, config_digest)))}}},
                          {"layers", std::move(layers)}};
    return json::serialize(manifest);
  }

  std::vector<Imported> from_docker_archive() {
    ScratchDir scratch(root_);
    extract_files(archive_, scratch.path());
    boost::system::error_code ec;
    json::value doc = json::parse(layout::read_text(scratch.path() / "manifest.json"), ec);
    if (ec || !doc.is_array())
      throw StoreError(archive_.string() + ": its manifest.json is not a JSON array");
    std::vector<Imported> out;
    for (const auto& item : doc.as_array()) {
      const auto* entry = item.if_object();
      if (!entry) continue;
      auto inside = [&](const std::string& path) {
        if (path.empty() || path.find("..") != std::string::npos)
          throw StoreError(archive_.string() + ": its manifest.json names a bad path \"" + path + "\"");
        const fs::path file = scratch.path() / path;
        if (!fs::exists(file))
          throw StoreError(archive_.string() + " lacks " + path + ", which its manifest.json names");
        return file;
      };
      const std::string config_digest =
          layout::put_blob_file(root_, inside(layout::string_member(*entry, "Config")));
      std::vector<std::string> layers;
      if (const auto* list = entry->if_contains("Layers"); list && list->is_array())
        for (const auto& l : list->as_array())
          if (l.is_string())
            layers.push_back(layout::put_blob_file(root_, inside(std::string(l.as_string()))));
      const std::string manifest = manifest_for(config_digest, layers);
      const std::string digest = layout::put_blob_bytes(root_, manifest);
      std::vector<std::string> tags;
      if (const auto* list = entry->if_contains("RepoTags"); list && list->is_array())
        for (const auto& t : list->as_array())
          if (t.is_string()) tags.emplace_back(t.as_string());
      if (tags.empty()) tags.emplace_back();
      for (const auto& tag : tags) out.push_back({tag, digest, static_cast<int64_t>(manifest.size())});
    }
    return out;
  }

  std::vector<Imported> from_rootfs() {
    if (options_.name.empty())
      throw StoreError(
          archive_.string() +
          " is neither an OCI image layout nor a docker archive; to import it as a root filesystem, "
          "name the image with --name NAME:TAG");
    const std::string layer = layout::put_blob_file(root_, archive_);
    std::string diff_id = layer;
    if (is_gzip(archive_)) {
      Sha256 hash;
      auto source = open_maybe_compressed(archive_);
      std::vector<char> buffer(1 << 16);
      for (size_t n; (n = source->read(buffer.data(), buffer.size())) > 0;) hash.update(buffer.data(), n);
      diff_id = hash.digest();
    }
    json::object config{{"Env", json::array{kDefaultPath}}};
    if (!options_.cmd.empty()) {
      json::array cmd;
      for (const auto& c : options_.cmd) cmd.push_back(json::value(c));
      config["Cmd"] = std::move(cmd);
    }
    // No creation time: the same tar always makes the same image id.
    const std::string config_blob = json::serialize(json::object{
        {"architecture", layout::host_architecture()},
        {"os", "linux"},
        {"config", std::move(config)},
        {"rootfs", json::object{{"type", "layers"}, {"diff_ids", json::array{json::value(diff_id)}}}}});
    const std::string config_digest = layout::put_blob_bytes(root_, config_blob);
    const std::string manifest = manifest_for(config_digest, {layer});
    return {{options_.name, layout::put_blob_bytes(root_, manifest), static_cast<int64_t>(manifest.size())}};
  }

  fs::path root_;
  fs::path archive_;
  const ImportOptions& options_;
};

}  // namespace

std::vector<Image> ImageStore::import(const fs::path& archive, const ImportOptions& options) {
  if (!fs::is_regular_file(archive)) throw StoreError("cannot import " + archive.string() + ": no such file");
  layout::StoreLock lock(root_);
  std::vector<Imported> imported = Importer(root_, archive, options).run();
  if (imported.empty()) throw StoreError(archive.string() + " holds no image");
  std::set<std::string> manifests;
  for (const auto& i : imported) manifests.insert(i.manifest_digest);
  if (!options.name.empty()) {
    if (manifests.size() > 1)
      throw StoreError(archive.string() + " holds " + std::to_string(manifests.size()) +
                       " images, and --name can name only one: import it without --name");
    imported.resize(1);
    imported.front().name = options.name;
  }
  std::vector<layout::IndexEntry> index = layout::read_index(root_);
  for (const auto& i : imported) {
    if (i.name.empty())
      throw StoreError(archive.string() +
                       " does not say what its image is called: name it with --name NAME:TAG");
    std::string full;
    try {
      full = parse_reference(i.name).full();
    } catch (const ReferenceError& e) {
      throw StoreError(std::string("cannot name the image of ") + archive.string() + ": " + e.what());
    }
    std::erase_if(index, [&](const layout::IndexEntry& e) { return e.name == full; });
    index.push_back({full, i.manifest_digest, i.manifest_size});
  }
  layout::write_index(root_, index);
  // By id: list() shows two manifests of one config (a layer stored compressed and not)
  // as one image.
  std::set<std::string> ids;
  for (const auto& manifest : manifests) ids.insert(layout::image_of_manifest(root_, manifest).id);
  std::vector<Image> out;
  for (auto& image : list())
    if (ids.contains(image.id)) out.push_back(std::move(image));
  return out;
}

Image ImageStore::import_folder(const fs::path& rootfs, const ImportOptions& options) {
  if (options.name.empty()) throw StoreError("an image made from " + rootfs.string() + " needs a name");
  if (!fs::is_directory(rootfs))
    throw StoreError("cannot make an image of " + rootfs.string() + ": no such folder");
  fs::create_directories(root_);
  const fs::path tar = root_ / (".folder-" + std::to_string(::getpid()) + ".tar");
  try {
    {
      std::ofstream out(tar, std::ios::binary | std::ios::trunc);
      write_tar_of_folder(rootfs, out);
    }
    auto images = import(tar, options);
    fs::remove(tar);
    return images.front();
  } catch (...) {
    std::error_code ignored;
    fs::remove(tar, ignored);
    throw;
  }
}

}  // namespace ukube::images
