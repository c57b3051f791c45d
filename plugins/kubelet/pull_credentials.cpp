#include "pull_credentials.h"

#include <boost/json.hpp>

#include "ukube/base64.h"
#include "ukube/images/reference.h"
#include "ukube/machinery/json.h"

namespace ukube::kubelet {

namespace json = boost::json;

namespace {

// "https://index.docker.io/v1/" → "docker.io"; "http://r:5000/team" → "r:5000/team".
std::string normalised_key(std::string key) {
  for (const char* scheme : {"https://", "http://"})
    if (key.rfind(scheme, 0) == 0) key = key.substr(std::string(scheme).size());
  while (!key.empty() && key.back() == '/') key.pop_back();
  std::string host = key.substr(0, key.find('/'));
  std::string path = key.size() > host.size() ? key.substr(host.size()) : "";
  if (host == "index.docker.io" || host == "registry-1.docker.io" || host == "registry.hub.docker.com") {
    host = "docker.io";
    if (path == "/v1" || path == "/v2") path.clear();
  }
  return host + path;
}

bool key_matches(const std::string& key, const images::ImageReference& ref) {
  const std::string wanted = normalised_key(key);
  const std::string name = ref.domain + "/" + ref.path;
  return wanted == ref.domain || name == wanted || name.rfind(wanted + "/", 0) == 0;
}

std::optional<runtime::AuthConfig> entry_credentials(const json::object& entry) {
  runtime::AuthConfig auth;
  auth.username = machinery::string_at(entry, {"username"});
  auth.password = machinery::string_at(entry, {"password"});
  if (auth.username.empty()) {
    auto decoded = base64_decode(machinery::string_at(entry, {"auth"}));
    if (!decoded) return std::nullopt;
    auto colon = decoded->find(':');
    if (colon == std::string::npos) return std::nullopt;
    auth.username = decoded->substr(0, colon);
    auth.password = decoded->substr(colon + 1);
  }
  return auth;
}

// The registry entries a secret holds, or null when it holds none.
std::optional<json::object> entries_of(const json::object& secret) {
  const std::string type = machinery::string_at(secret, {"type"});
  const char* key = type == "kubernetes.io/dockerconfigjson" ? ".dockerconfigjson"
                    : type == "kubernetes.io/dockercfg"      ? ".dockercfg"
                                                             : nullptr;
  if (!key) return std::nullopt;
  auto decoded = base64_decode(machinery::string_at(secret, {"data", key}));
  if (!decoded) return std::nullopt;
  boost::system::error_code ec;
  json::value parsed = json::parse(*decoded, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  if (type == "kubernetes.io/dockercfg") return parsed.as_object();
  const json::object* auths = machinery::object_at(parsed.as_object(), {"auths"});
  return auths ? std::optional<json::object>(*auths) : std::nullopt;
}

}  // namespace

runtime::AuthConfig pull_credentials(const json::object& pod, const std::string& image,
                                     const ObjectLookup& lookup) {
  images::ImageReference ref;
  try {
    ref = images::parse_reference(image);
  } catch (const std::exception&) {
    return {};
  }
  const json::array* secrets = machinery::array_at(pod, {"spec", "imagePullSecrets"});
  if (!secrets || !lookup) return {};
  const std::string ns = machinery::namespace_of(pod);
  for (const auto& item : *secrets) {
    if (!item.is_object()) continue;
    const std::string name = machinery::string_at(item.as_object(), {"name"});
    // A missing secret is skipped, as upstream does: the pull may still work without it.
    ObjectPtr secret = name.empty() ? nullptr : lookup("Secret", ns, name);
    if (!secret) continue;
    auto entries = entries_of(*secret);
    if (!entries) continue;
    for (const auto& [key, entry] : *entries)
      if (entry.is_object() && key_matches(std::string(key), ref))
        if (auto auth = entry_credentials(entry.as_object())) {
          auth->server_address = std::string(key);
          return *auth;
        }
  }
  return {};
}

}  // namespace ukube::kubelet
