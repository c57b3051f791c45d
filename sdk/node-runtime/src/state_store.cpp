#include "ukube/node/state_store.h"

#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <random>
#include <stdexcept>

#include "ukube/machinery/json.h"
#include "ukube/node/atomic_file.h"
#include "ukube/node/config_json.h"

namespace ukube::runtime::node {

namespace json = boost::json;

namespace {

constexpr const char* kSandboxFile = "sandbox.json";
constexpr const char* kContainerFile = "container.json";

std::optional<json::object> read_json_object(const std::filesystem::path& path) {
  auto text = read_file_if_exists(path);
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec || !v.is_object())
    throw std::runtime_error("runtime: " + path.string() +
                             " is damaged (not a JSON object); remove its folder to forget that object");
  return std::move(v.as_object());
}

std::vector<std::string> subfolder_names(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_directory(ec)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

StateStore::StateStore(std::filesystem::path root) : root_(std::move(root)) {
  // The records hold the containers' environments (secrets, often): the daemon's user only.
  for (const char* sub : {"sandboxes", "containers", "images"}) {
    std::filesystem::create_directories(root_ / sub);
    std::filesystem::permissions(root_ / sub, std::filesystem::perms::owner_all);
  }
}

std::string StateStore::new_id() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (int word = 0; word < 4; ++word) {
    uint64_t bits = random();
    for (int nibble = 0; nibble < 16; ++nibble, bits >>= 4) id += hex[bits & 0xf];
  }
  return id;
}

bool StateStore::is_valid_id(const std::string& id) {
  return id.size() == 64 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

void StateStore::write_sandbox(const SandboxRecord& record) {
  auto dir = sandbox_dir(record.id);
  std::filesystem::create_directories(dir);
  json::object o{{"id", record.id}, {"created_at", record.created_at}, {"ready", record.ready}};
  o["config"] = to_json(record.config);
  write_file_atomically(dir / kSandboxFile, json::serialize(o));
}

std::optional<SandboxRecord> StateStore::read_sandbox(const std::string& id) const {
  if (!is_valid_id(id)) return std::nullopt;
  auto o = read_json_object(sandbox_dir(id) / kSandboxFile);
  if (!o) return std::nullopt;
  SandboxRecord record;
  record.id = id;
  record.created_at = machinery::int_or(*o, {"created_at"}, 0);
  record.ready = machinery::bool_at(*o, {"ready"}).value_or(false);
  record.config = sandbox_config_from_json(machinery::object_or_empty(machinery::object_at(*o, {"config"})));
  return record;
}

std::vector<SandboxRecord> StateStore::list_sandboxes() const {
  std::vector<SandboxRecord> out;
  for (const auto& id : subfolder_names(root_ / "sandboxes")) {
    try {
      if (auto record = read_sandbox(id)) out.push_back(std::move(*record));
    } catch (const std::exception&) {
      // Removed while listed, or damaged: one bad record must not hide all the others;
      // pod_sandbox_status(id) reports what is wrong with it.
    }
  }
  return out;
}

void StateStore::remove_sandbox(const std::string& id) {
  if (!is_valid_id(id)) return;
  std::filesystem::remove_all(sandbox_dir(id));
}

void StateStore::write_container(const ContainerRecord& record, const MonitorSpec& spec) {
  auto dir = container_dir(record.id);
  std::filesystem::create_directories(dir);
  write_file_atomically(dir / files::kMonitorSpec, to_json_text(spec));
  json::object o{{"id", record.id},
                 {"sandbox_id", record.sandbox_id},
                 {"created_at", record.created_at},
                 {"image_ref", record.image_ref},
                 {"log_path", record.log_path}};
  o["config"] = to_json(record.config);
  // Last: a folder without container.json is a create that did not finish, and is skipped.
  write_file_atomically(dir / kContainerFile, json::serialize(o));
}

std::optional<ContainerRecord> StateStore::read_container(const std::string& id) const {
  if (!is_valid_id(id)) return std::nullopt;
  const auto file = container_dir(id) / kContainerFile;
  {
    // container.json never changes once written: what was parsed once stands while the file
    // is there (another driver on the folder may have removed it).
    std::lock_guard lock(cache_mutex_);
    if (auto cached = containers_.find(id); cached != containers_.end()) {
      if (::access(file.c_str(), F_OK) == 0) return cached->second;
      containers_.erase(cached);
      return std::nullopt;
    }
  }
  auto o = read_json_object(file);
  if (!o) return std::nullopt;
  ContainerRecord record;
  record.id = id;
  record.sandbox_id = machinery::string_at(*o, {"sandbox_id"});
  record.created_at = machinery::int_or(*o, {"created_at"}, 0);
  record.image_ref = machinery::string_at(*o, {"image_ref"});
  record.log_path = machinery::string_at(*o, {"log_path"});
  record.config =
      container_config_from_json(machinery::object_or_empty(machinery::object_at(*o, {"config"})));
  std::lock_guard lock(cache_mutex_);
  containers_.emplace(id, record);
  return record;
}

std::vector<ContainerRecord> StateStore::list_containers() const {
  std::vector<ContainerRecord> out;
  for (const auto& id : subfolder_names(containers_root())) {
    try {
      if (auto record = read_container(id)) out.push_back(std::move(*record));
    } catch (const std::exception&) {
      // Removed while listed, or damaged: as for sandboxes, container_status(id) says which.
    }
  }
  return out;
}

void StateStore::remove_container(const std::string& id) {
  if (!is_valid_id(id)) return;
  {
    std::lock_guard lock(cache_mutex_);
    containers_.erase(id);
  }
  std::filesystem::remove_all(container_dir(id));
}

std::filesystem::path StateStore::image_file(const std::string& id) const {
  std::string hex = id.rfind("sha256:", 0) == 0 ? id.substr(7) : id;
  return root_ / "images" / (hex + ".json");
}

void StateStore::write_image(const ImageRecord& record) {
  json::array tags(record.repo_tags.begin(), record.repo_tags.end());
  json::object o{{"id", record.id}, {"path", record.path}, {"repo_tags", std::move(tags)}};
  write_file_atomically(image_file(record.id), json::serialize(o));
}

std::vector<ImageRecord> StateStore::list_images() const {
  std::vector<ImageRecord> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root_ / "images", ec)) {
    if (entry.path().extension() != ".json") continue;
    auto o = read_json_object(entry.path());
    if (!o) continue;
    out.push_back(ImageRecord{machinery::string_at(*o, {"id"}), machinery::string_at(*o, {"path"}),
                              machinery::strings_at(*o, {"repo_tags"})});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

void StateStore::remove_image(const std::string& id) {
  std::filesystem::remove(image_file(id));
}

}  // namespace ukube::runtime::node
