#include "kubelet_fetch.h"

#include <curl/curl.h>

#include <memory>
#include <stdexcept>

namespace ukube::apiserver {
namespace {

size_t append_body(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

curl_blob blob(const std::string& pem) {
  return curl_blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
}

// An IPv6 literal goes into a URL in brackets.
std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

std::string kubelet_get(const std::string& node, const KubeletEndpoint& kubelet, const std::string& target,
                        const KubeletClientCredentials& credentials, std::chrono::seconds timeout) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw std::runtime_error("cannot start an HTTPS client (libcurl)");
  const std::string url = "https://" + url_host(kubelet.host) + ":" + std::to_string(kubelet.port) + target;
  std::string body;
  curl_blob ca = blob(credentials.ca_pem), certificate = blob(credentials.certificate_pem),
            key = blob(credentials.key_pem);
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
  curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &certificate);
  curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
  curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key);
  curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "ukube-apiserver");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  const CURLcode result = curl_easy_perform(c);
  const std::string where = "the kubelet of node " + node + " (" + url + ")";
  if (result != CURLE_OK)
    throw std::runtime_error(where + ": " + (error[0] ? std::string(error) : curl_easy_strerror(result)));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200)
    throw std::runtime_error(where + " answered " + std::to_string(status) + ": " + body.substr(0, 512));
  return body;
}

}  // namespace ukube::apiserver
