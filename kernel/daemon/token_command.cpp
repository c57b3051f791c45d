#include "kernel/daemon/token_command.h"
#include "ukube/machinery/time.h"

#include <curl/curl.h>
#include <openssl/rand.h>
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "ukube/base64.h"

namespace ukube::daemon {
namespace {

// What a request needs from the kubeconfig: where, and with which certificates.
struct Endpoint {
  std::string server;
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
};

std::string decoded(const YAML::Node& node, const std::string& what, const std::filesystem::path& file) {
  if (!node) return {};
  auto bytes = base64_decode(node.as<std::string>());
  if (!bytes) throw std::runtime_error(file.string() + ": " + what + " is not base64");
  return *bytes;
}

Endpoint read_kubeconfig(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in)
    throw std::runtime_error("cannot read the kubeconfig " + file.string() +
                             ": start the node once (ukube --config FILE) so it writes admin.kubeconfig, or "
                             "name another with --kubeconfig FILE or --data-dir DIR");
  YAML::Node doc;
  try {
    doc = YAML::Load(in);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(file.string() + " is not a kubeconfig: " + e.what());
  }
  Endpoint e;
  // The first cluster and user: what `ukube` writes, one of each.
  auto cluster = doc["clusters"] && doc["clusters"].size() ? doc["clusters"][0]["cluster"] : YAML::Node();
  auto user = doc["users"] && doc["users"].size() ? doc["users"][0]["user"] : YAML::Node();
  if (!cluster || !cluster["server"]) throw std::runtime_error(file.string() + " names no server");
  e.server = cluster["server"].as<std::string>();
  e.ca_pem = decoded(cluster["certificate-authority-data"], "certificate-authority-data", file);
  if (user) {
    e.cert_pem = decoded(user["client-certificate-data"], "client-certificate-data", file);
    e.key_pem = decoded(user["client-key-data"], "client-key-data", file);
  }
  if (e.cert_pem.empty() || e.key_pem.empty())
    throw std::runtime_error(
        file.string() +
        " carries no client certificate: use the admin kubeconfig (<data_dir>/admin.kubeconfig)");
  return e;
}

std::string random_lower_alnum(size_t n) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  while (out.size() < n) {
    unsigned char b[32];
    if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("the system's random generator failed");
    // 252 = 7 × 36: rejecting larger bytes keeps every character equally likely.
    for (unsigned char c : b)
      if (c < 252 && out.size() < n) out.push_back(kAlphabet[c % 36]);
  }
  return out;
}

bool valid_group(const std::string& g) {
  const std::string prefix = "system:bootstrappers:";
  if (g.rfind(prefix, 0) != 0 || g.size() == prefix.size() || g.size() > prefix.size() + 256) return false;
  for (size_t i = prefix.size(); i < g.size(); ++i) {
    char c = g[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '-')) return false;
  }
  return g.back() != ':' && g.back() != '-';
}

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

curl_blob blob_of(const std::string& s) {
  return curl_blob{const_cast<char*>(s.data()), s.size(), CURL_BLOB_COPY};
}

// POSTs `body` to `path`; returns the HTTP status and fills `response`.
long post(const Endpoint& e, const std::string& path, const std::string& body, std::string& response) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw std::runtime_error("libcurl failed to start");
  std::unique_ptr<curl_slist, SlistDeleter> headers(curl_slist_append(
      curl_slist_append(nullptr, "Content-Type: application/json"), "Accept: application/json"));
  std::string url = e.server + path;
  char error[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "ukube-token");
  curl_blob ca = blob_of(e.ca_pem), cert = blob_of(e.cert_pem), key = blob_of(e.key_pem);
  if (!e.ca_pem.empty()) curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
  curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert);
  curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
  curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key);
  curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_OPERATION_TIMEDOUT)
    throw std::runtime_error("cannot reach the API server at " + e.server + " (" +
                             (error[0] ? std::string(error) : curl_easy_strerror(rc)) +
                             "): is the daemon running? Start it with `ukube --config FILE`");
  if (rc != CURLE_OK)
    throw std::runtime_error("the request to " + url +
                             " failed: " + (error[0] ? std::string(error) : curl_easy_strerror(rc)));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

std::string status_message(const std::string& response) {
  boost::system::error_code ec;
  auto v = boost::json::parse(response, ec);
  if (!ec && v.is_object())
    if (const auto* m = v.get_object().if_contains("message"); m && m->is_string())
      return std::string(m->get_string());
  return response;
}

}  // namespace

std::chrono::seconds parse_ttl(std::string_view text) {
  if (text == "0") return std::chrono::seconds(0);
  if (text.empty()) throw std::invalid_argument("--ttl needs a duration such as 24h, 90m or 1h30m");
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == start || i == text.size() || i - start > 9)
      throw std::invalid_argument(
          "--ttl \"" + std::string(text) +
          "\" is not a duration: use whole numbers with h, m or s, e.g. 24h or 1h30m");
    int64_t n = std::stoll(std::string(text.substr(start, i - start)));
    char unit = text[i++];
    if (unit == 'h')
      total += n * 3600;
    else if (unit == 'm')
      total += n * 60;
    else if (unit == 's')
      total += n;
    else
      throw std::invalid_argument("--ttl \"" + std::string(text) + "\": unknown unit '" +
                                  std::string(1, unit) + "', use h, m or s");
  }
  return std::chrono::seconds(total);
}

std::string create_bootstrap_token(const TokenCreateRequest& request) {
  for (const auto& g : request.groups)
    if (!valid_group(g))
      throw std::runtime_error(
          "--groups \"" + g +
          "\" is not a bootstrap group: it must match system:bootstrappers:[a-z0-9:-]*[a-z0-9]");
  const Endpoint endpoint = read_kubeconfig(request.kubeconfig);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  // An id already taken is drawn again; 36^6 ids make a second clash unlikely.
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::string id = random_lower_alnum(6), secret = random_lower_alnum(16);
    boost::json::object data{{"token-id", id},
                             {"token-secret", secret},
                             {"usage-bootstrap-authentication", "true"},
                             {"usage-bootstrap-signing", "true"}};
    if (request.ttl.count() > 0)
      data["expiration"] = machinery::format_time(std::chrono::system_clock::now() + request.ttl);
    if (!request.description.empty()) data["description"] = request.description;
    std::string groups;
    for (const auto& g : request.groups) groups += (groups.empty() ? "" : ",") + g;
    if (!groups.empty()) data["auth-extra-groups"] = groups;
    boost::json::object secret_object{
        {"apiVersion", "v1"},
        {"kind", "Secret"},
        {"metadata", {{"name", "bootstrap-token-" + id}, {"namespace", "kube-system"}}},
        {"type", "bootstrap.kubernetes.io/token"},
        {"stringData", std::move(data)}};
    std::string response;
    long status = post(endpoint, "/api/v1/namespaces/kube-system/secrets",
                       boost::json::serialize(secret_object), response);
    if (status == 201 || status == 200) return id + "." + secret;
    if (status == 409) continue;
    std::string hint =
        status == 401   ? " (use the admin kubeconfig, <data_dir>/admin.kubeconfig)"
        : status == 403 ? " (the kubeconfig's user may not create Secrets in kube-system: use the admin one)"
                        : "";
    throw std::runtime_error("the API server at " + endpoint.server +
                             " refused to create the Secret kube-system/bootstrap-token-" + id + " (HTTP " +
                             std::to_string(status) + "): " + status_message(response) + hint);
  }
  throw std::runtime_error("three bootstrap token ids in a row were taken; try again");
}

}  // namespace ukube::daemon
