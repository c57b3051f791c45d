// ImageStore::pull: the OCI distribution API's read side, from a registry into the store.
#include <algorithm>
#include <fstream>

#include <boost/json.hpp>

#include "digest.h"
#include "http_fetch.h"
#include "store_layout.h"
#include "ukube/base64.h"
#include "ukube/images/image_store.h"
#include "ukube/images/reference.h"

namespace ukube::images {
namespace json = boost::json;
namespace fs = std::filesystem;
namespace {

constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
constexpr const char* kManifestAccept =
    "Accept: application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

// "host:port" → "host" (IPv6 "[::1]:5000" → "::1").
std::string host_of(const std::string& domain) {
  if (domain.starts_with("[")) return domain.substr(1, domain.find(']') - 1);
  return domain.substr(0, domain.find(':'));
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.starts_with("127.") || host == "::1";
}

// The parameters of a WWW-Authenticate challenge: Bearer realm="...",service="...".
std::map<std::string, std::string> challenge_params(const std::string& header) {
  std::map<std::string, std::string> out;
  size_t pos = header.find(' ');
  while (pos != std::string::npos && pos < header.size()) {
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == ',')) ++pos;
    const size_t eq = header.find('=', pos);
    if (eq == std::string::npos) break;
    std::string key = header.substr(pos, eq - pos);
    std::string value;
    size_t end = eq + 1;
    if (end < header.size() && header[end] == '"') {
      const size_t close = header.find('"', end + 1);
      value = header.substr(end + 1, close == std::string::npos ? std::string::npos : close - end - 1);
      end = close == std::string::npos ? header.size() : close + 1;
    } else {
      const size_t comma = header.find(',', end);
      value = header.substr(end, comma == std::string::npos ? std::string::npos : comma - end);
      end = comma == std::string::npos ? header.size() : comma;
    }
    out[key] = value;
    pos = end;
  }
  return out;
}

class RegistryPull {
 public:
  RegistryPull(const fs::path& root, ImageReference ref, const PullOptions& options)
      : root_(root), ref_(std::move(ref)), options_(options) {
    const std::string host = host_of(ref_.domain);
    const bool plain = is_loopback(host) ||
                       std::find(options_.insecure_registries.begin(), options_.insecure_registries.end(),
                                 ref_.domain) != options_.insecure_registries.end();
    if (auto mirrors = options_.mirrors.find(ref_.domain); mirrors != options_.mirrors.end())
      for (auto m : mirrors->second) {
        while (!m.empty() && m.back() == '/') m.pop_back();
        endpoints_.push_back(m);
      }
    endpoints_.push_back((plain ? "http://" : "https://") +
                         (ref_.domain == "docker.io" ? std::string("registry-1.docker.io") : ref_.domain));
    if (!options_.auth.registry_token.empty())
      authorization_ = "Authorization: Bearer " + options_.auth.registry_token;
  }

  // Fetches the image's manifest and every blob it names into the store; returns the
  // index entry that names it.
  layout::IndexEntry run() {
    Manifest manifest = fetch_manifest(ref_.digest.empty() ? ref_.tag : ref_.digest);
    json::object doc = parse(manifest.body, "the manifest of " + ref_.full());
    std::string media = layout::string_member(doc, "mediaType");
    if (media == kOciIndex || media == kDockerList || (media.empty() && doc.contains("manifests"))) {
      const std::string chosen = platform_manifest(doc);
      manifest = fetch_manifest(chosen);
      doc = parse(manifest.body, "the manifest " + chosen + " of " + ref_.full());
      media = layout::string_member(doc, "mediaType");
    }
    if (!doc.contains("config") || !doc.contains("layers"))
      throw StoreError(ref_.full() + " has a manifest of a kind that is not supported (" +
                       (media.empty() ? std::string("schema ") +
                                            std::to_string(doc.contains("schemaVersion")
                                                               ? doc.at("schemaVersion").to_number<int64_t>()
                                                               : 0)
                                      : media) +
                       "): only OCI and docker v2 schema 2 images can be pulled");
    const json::object& config = doc.at("config").as_object();
    fetch_blob(layout::string_member(config, "digest"), layout::size_member(config));
    for (const auto& layer : doc.at("layers").as_array())
      if (const auto* o = layer.if_object())
        fetch_blob(layout::string_member(*o, "digest"), layout::size_member(*o));
    const std::string stored = layout::put_blob_bytes(root_, manifest.body);
    if (stored != manifest.digest)
      throw StoreError("the manifest of " + ref_.full() + " changed while it was stored");
    return {ref_.full(), stored, static_cast<int64_t>(manifest.body.size())};
  }

 private:
  json::object parse(const std::string& text, const std::string& what) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) throw StoreError(what + " is not a JSON object");
    return std::move(v.as_object());
  }

  void progress(const std::string& what) {
    if (options_.progress) options_.progress(what);
  }

  std::string platform_manifest(const json::object& index) {
    if (const auto* manifests = index.if_contains("manifests"); manifests && manifests->is_array())
      for (const auto& m : manifests->as_array()) {
        const auto* o = m.if_object();
        const auto* platform = o ? o->if_contains("platform") : nullptr;
        if (platform && platform->is_object() &&
            layout::string_member(platform->as_object(), "os") == "linux" &&
            layout::string_member(platform->as_object(), "architecture") == layout::host_architecture())
          return layout::string_member(*o, "digest");
      }
    throw StoreError(ref_.full() + " has no image for linux/" + layout::host_architecture());
  }

  // GETs `path` on the current endpoint, answering one authentication challenge.
  HttpResponse get(const std::string& path, const std::vector<std::string>& extra,
                   const std::function<void(const char*, size_t)>& sink = {}) {
    for (int attempt = 0;; ++attempt) {
      std::vector<std::string> headers = extra;
      if (!authorization_.empty()) headers.push_back(authorization_);
      HttpResponse r = http_get(endpoints_[endpoint_] + path, headers, sink);
      if (r.status != 401 || attempt > 0) return r;
      if (!authenticate(r.headers["www-authenticate"])) return r;
    }
  }

  // Answers a challenge: basic credentials, or a bearer token from the realm it names.
  bool authenticate(const std::string& challenge) {
    const std::string scheme = challenge.substr(0, challenge.find(' '));
    const bool has_credentials = !options_.auth.username.empty();
    if (scheme == "Basic" || scheme == "basic") {
      if (!has_credentials) return false;
      authorization_ =
          "Authorization: Basic " + base64_encode(options_.auth.username + ":" + options_.auth.password);
      return true;
    }
    if (scheme != "Bearer" && scheme != "bearer") return false;
    auto params = challenge_params(challenge);
    if (params["realm"].empty()) return false;
    std::string url = params["realm"] + (params["realm"].find('?') == std::string::npos ? "?" : "&");
    if (!params["service"].empty()) url += "service=" + url_escape(params["service"]) + "&";
    url += "scope=" +
           url_escape(params["scope"].empty() ? "repository:" + ref_.path + ":pull" : params["scope"]);
    std::vector<std::string> headers;
    if (has_credentials)
      headers.push_back("Authorization: Basic " +
                        base64_encode(options_.auth.username + ":" + options_.auth.password));
    HttpResponse r = http_get(url, headers);
    if (r.status != 200)
      throw StoreError("the registry " + ref_.domain + " refused a token for " + ref_.repository() + " (" +
                       (r.status ? "HTTP " + std::to_string(r.status) : r.error) + " from " +
                       params["realm"] + "): check the credentials (imagePullSecrets)");
    json::object token = parse(r.body, "the token answer of " + params["realm"]);
    std::string value = layout::string_member(token, "token");
    if (value.empty()) value = layout::string_member(token, "access_token");
    if (value.empty()) throw StoreError("the token answer of " + params["realm"] + " holds no token");
    authorization_ = "Authorization: Bearer " + value;
    return true;
  }

  [[noreturn]] void failed(const std::string& what, const HttpResponse& r) {
    if (r.status == 0)
      throw StoreError("cannot reach the registry " + ref_.domain + " at " + endpoints_[endpoint_] + " for " +
                       what + ": " + r.error);
    std::string detail;
    boost::system::error_code ec;
    json::value body = json::parse(r.body, ec);
    if (!ec && body.is_object())
      if (const auto* errors = body.as_object().if_contains("errors");
          errors && errors->is_array() && !errors->as_array().empty())
        if (const auto* first = errors->as_array().front().if_object())
          detail =
              ": " + layout::string_member(*first, "code") + " " + layout::string_member(*first, "message");
    if (r.status == 401 || r.status == 403)
      throw StoreError("the registry " + ref_.domain + " refused " + what + " (HTTP " +
                       std::to_string(r.status) + detail + "): check the credentials (imagePullSecrets)");
    if (r.status == 404)
      throw StoreError(ref_.full() + " is not in the registry " + ref_.domain + " (HTTP 404" + detail +
                       "): check the name and tag");
    throw StoreError("the registry " + ref_.domain + " failed to send " + what + ": HTTP " +
                     std::to_string(r.status) + detail);
  }

  struct Manifest {
    std::string body;
    std::string digest;
  };

  Manifest fetch_manifest(const std::string& tag_or_digest) {
    progress("pulling manifest " + ref_.repository() + (tag_or_digest.starts_with("sha256:") ? "@" : ":") +
             tag_or_digest);
    const std::string path = "/v2/" + ref_.path + "/manifests/" + tag_or_digest;
    HttpResponse r;
    // Mirrors first; the registry itself answers when none has the image.
    for (endpoint_ = 0; endpoint_ < endpoints_.size(); ++endpoint_) {
      r = get(path, {kManifestAccept});
      if (r.status == 200 || endpoint_ + 1 == endpoints_.size()) break;
    }
    if (r.status != 200) failed("the manifest of " + ref_.full(), r);
    std::string digest = sha256_digest(r.body);
    if (tag_or_digest.starts_with("sha256:") && digest != tag_or_digest)
      throw StoreError("the registry " + ref_.domain + " answered a manifest whose digest is " + digest +
                       ", not " + tag_or_digest);
    return {std::move(r.body), std::move(digest)};
  }

  void fetch_blob(const std::string& digest, int64_t size) {
    if (fs::exists(layout::blob_path(root_, digest))) return;  // layers shared with other images
    progress("fetching " + digest + " (" + std::to_string(size) + " bytes)");
    HttpResponse r;
    layout::put_blob_stream(
        root_,
        [&](std::ostream& out, Sha256& hash) {
          r = get("/v2/" + ref_.path + "/blobs/" + digest, {}, [&](const char* data, size_t n) {
            hash.update(data, n);
            out.write(data, static_cast<std::streamsize>(n));
          });
          if (r.status != 200) failed("the blob " + digest + " of " + ref_.full(), r);
        },
        digest, "the blob " + digest + " of " + ref_.full() + " as the registry sent it");
  }

  fs::path root_;
  ImageReference ref_;
  const PullOptions& options_;
  std::vector<std::string> endpoints_;
  size_t endpoint_ = 0;
  std::string authorization_;
};

}  // namespace

Image ImageStore::pull(std::string_view reference, const PullOptions& options) {
  ImageReference ref;
  try {
    ref = parse_reference(reference);
  } catch (const ReferenceError& e) {
    throw StoreError(e.what());
  }
  layout::IndexEntry pulled = RegistryPull(root_, ref, options).run();
  {
    layout::StoreLock lock(root_);
    std::vector<layout::IndexEntry> index = layout::read_index(root_);
    std::erase_if(index, [&](const layout::IndexEntry& e) { return e.name == pulled.name; });
    index.push_back(pulled);
    layout::write_index(root_, index);
  }
  auto stored = find(pulled.name);
  if (!stored) throw StoreError("the image " + pulled.name + " was pulled but is not in the store");
  return *stored;
}

}  // namespace ukube::images
