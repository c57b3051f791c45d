#include "static_pods.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"
#include "ukube/yaml/yaml_json.h"

namespace ukube::kubelet {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using machinery::string_at;

constexpr auto kCheckEvery = std::chrono::seconds(20);  // upstream's fileCheckFrequency / httpCheckFrequency
constexpr const char* kMirror = "kubernetes.io/config.mirror";
constexpr const char* kHash = "kubernetes.io/config.hash";

std::string sha256_hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < 16 && i < size; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 15]);
  }
  return out;
}

json::object& member_object(json::object& o, const char* key) {
  json::value& v = o[key];
  if (!v.is_object()) v = json::object();
  return v.as_object();
}

size_t collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

std::string fetch(const std::string& url) {
  CURL* curl = curl_easy_init();
  if (!curl) throw std::runtime_error("cannot start an HTTP client");
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) throw std::runtime_error(std::string("GET ") + url + ": " + curl_easy_strerror(code));
  if (status != 200) throw std::runtime_error("GET " + url + ": HTTP " + std::to_string(status));
  return body;
}

}  // namespace

json::object static_pod(json::object pod, const std::string& node_name, const std::string& source_kind,
                        const std::string& source) {
  json::object& meta = member_object(pod, "metadata");
  std::string lower_node = node_name;
  std::transform(lower_node.begin(), lower_node.end(), lower_node.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (string_at(meta, {"namespace"}).empty()) meta["namespace"] = "default";
  const std::string hash =
      sha256_hex("host:" + node_name + "\n" + source_kind + ":" + source + "\n" + json::serialize(pod));
  meta["name"] = string_at(meta, {"name"}) + "-" + lower_node;
  if (string_at(meta, {"uid"}).empty()) meta["uid"] = hash;
  json::object& annotations = member_object(meta, "annotations");
  annotations[kHash] = hash;
  annotations["kubernetes.io/config.source"] = source_kind;
  json::object& spec = member_object(pod, "spec");
  spec["nodeName"] = node_name;
  json::value& tolerations = spec["tolerations"];
  if (!tolerations.is_array()) tolerations = json::array();
  tolerations.as_array().push_back(json::object{{"operator", "Exists"}, {"effect", "NoExecute"}});
  pod.erase("status");
  return pod;
}

json::object mirror_pod(const json::object& pod, const std::string& node_uid) {
  json::object mirror = pod;
  json::object& meta = member_object(mirror, "metadata");
  meta.erase("uid");
  json::object& annotations = member_object(meta, "annotations");
  annotations[kMirror] = annotations[kHash];
  const std::string node = string_at(mirror, {"spec", "nodeName"});
  meta["ownerReferences"] = json::array{json::object{
      {"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}, {"uid", node_uid}, {"controller", true}}};
  return mirror;
}

std::vector<json::object> manifest_pods(const std::string& text, const std::string& source) {
  std::vector<json::value> documents;
  try {
    documents = yaml::documents_to_json(text);
  } catch (const yaml::YamlError& e) {
    throw std::runtime_error(source + ":" + std::to_string(e.line) + ": not YAML or JSON: " + e.what());
  }
  std::vector<json::object> out;
  for (auto& document : documents) {
    if (!document.is_object()) throw std::runtime_error(source + ": a manifest must be a Pod");
    json::object& o = document.as_object();
    const std::string kind = string_at(o, {"kind"});
    if (kind == "Pod") {
      out.push_back(std::move(o));
    } else if (kind == "PodList" || kind == "List") {
      machinery::for_each_object(machinery::array_at(o, {"items"}), [&](const json::object& item, size_t) {
        if (string_at(item, {"kind"}, "Pod") == "Pod") out.push_back(item);
      });
    } else {
      throw std::runtime_error(source + ": kind \"" + kind + "\" is not a Pod; static pods are Pods");
    }
  }
  for (const auto& pod : out)
    if (string_at(pod, {"metadata", "name"}).empty())
      throw std::runtime_error(source + ": a static pod needs metadata.name");
  return out;
}

StaticPods::StaticPods(std::string node_name, std::string folder, std::string url,
                       std::shared_ptr<Client> client, std::shared_ptr<Informer> pods,
                       std::shared_ptr<spdlog::logger> log)
    : node_name_(std::move(node_name)),
      folder_(std::move(folder)),
      url_(std::move(url)),
      client_(std::move(client)),
      pods_(std::move(pods)),
      log_(std::move(log)) {
  if (folder_.empty()) return;
  std::error_code ec;
  fs::create_directories(folder_, ec);
  inotify_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_ >= 0 && ::inotify_add_watch(inotify_, folder_.c_str(),
                                           IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_MOVED_TO |
                                               IN_MOVED_FROM | IN_MODIFY) < 0) {
    ::close(inotify_);
    inotify_ = -1;
  }
}

StaticPods::~StaticPods() {
  if (inotify_ >= 0) ::close(inotify_);
}

std::vector<json::object> StaticPods::read_sources() {
  std::vector<json::object> out;
  auto add = [&](const std::string& text, const std::string& kind, const std::string& source) {
    try {
      for (auto& pod : manifest_pods(text, source))
        out.push_back(static_pod(std::move(pod), node_name_, kind, source));
    } catch (const std::exception& e) {
      log_->warn("node {}: static pod manifest skipped: {}", node_name_, e.what());
    }
  };
  std::error_code ec;
  if (!folder_.empty() && fs::is_directory(folder_, ec)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder_, ec))
      if (entry.is_regular_file() && !entry.path().filename().string().starts_with("."))
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      add(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()), "file",
          file.string());
    }
  }
  if (!url_.empty()) {
    try {
      add(fetch(url_), "http", url_);
    } catch (const std::exception& e) {
      log_->warn("node {}: static pods from {}: {}", node_name_, url_, e.what());
    }
  }
  return out;
}

void StaticPods::tick(std::chrono::steady_clock::time_point now) {
  bool changed = false;
  if (inotify_ >= 0) {
    char events[4096];
    while (::read(inotify_, events, sizeof events) > 0) changed = true;
  }
  if (changed || now >= next_read_) {
    next_read_ = now + kCheckEvery;
    desired_.clear();
    for (auto& pod : read_sources()) {
      const std::string key = machinery::namespace_of(pod) + "/" + machinery::name_of(pod);
      desired_[key] = std::move(pod);
    }
  }
  sync_mirrors();
}

// Tried every second: a lasting problem is logged when it starts or changes, not each time.
void StaticPods::warn_once(const std::string& key, const std::string& message) {
  auto& last = warned_[key];
  if (last == message) return;
  last = message;
  log_->warn("node {}: static pod {}: {}", node_name_, key, message);
}

void StaticPods::sync_mirrors() {
  if (node_uid_.empty()) {
    try {
      node_uid_ = machinery::uid_of(*client_->get(machinery::kNodes, "", node_name_));
    } catch (const ApiError&) {
      return;  // not registered yet
    }
  }
  if (!swept_) {
    // Mirror pods this node left behind (a manifest removed while the daemon was down).
    for (const auto& pod : pods_->list())
      if (string_at(*pod, {"spec", "nodeName"}) == node_name_ &&
          machinery::string_map_at(*pod, {"metadata", "annotations"}).contains(kMirror))
        made_.insert(machinery::namespace_of(*pod) + "/" + machinery::name_of(*pod));
    swept_ = true;
  }
  auto remove = [&](const std::string& key, const char* why) {
    const auto slash = key.find('/');
    try {
      client_->remove(machinery::kPods, key.substr(0, slash), key.substr(slash + 1));
      log_->info("node {}: deleted the mirror pod {}: {}", node_name_, key, why);
    } catch (const ApiError& e) {
      if (!is_not_found(e))
        log_->warn("node {}: cannot delete the mirror pod {}: {}", node_name_, key, e.what());
    }
  };
  for (auto it = made_.begin(); it != made_.end();) {
    if (desired_.count(*it)) {
      ++it;
      continue;
    }
    ObjectPtr current = pods_->get(*it);
    if (current && !machinery::has_deletion_timestamp(*current)) remove(*it, "its manifest is gone");
    if (!current) {
      it = made_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [key, pod] : desired_) {
    made_.insert(key);
    ObjectPtr current = pods_->get(key);
    const std::string hash = string_at(pod, {"metadata", "annotations", kHash});
    if (current) {
      if (machinery::has_deletion_timestamp(*current)) continue;  // made anew once it is gone
      const auto annotations = machinery::string_map_at(*current, {"metadata", "annotations"});
      auto mirror = annotations.find(kMirror);
      if (mirror == annotations.end()) {
        warn_once(key, "a pod of the same name that is not its mirror is in the way; rename one of them");
      } else if (mirror->second != hash) {
        remove(key, "its manifest changed");
      }
      continue;
    }
    try {
      client_->create(machinery::kPods, machinery::namespace_of(pod), mirror_pod(pod, node_uid_));
      log_->info("node {}: created the mirror pod {} of a static pod", node_name_, key);
      warned_.erase(key);
    } catch (const ApiError& e) {
      if (!is_already_exists(e)) warn_once(key, std::string("cannot create the mirror pod: ") + e.what());
    }
  }
}

}  // namespace ukube::kubelet
