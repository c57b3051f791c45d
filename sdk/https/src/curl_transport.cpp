#include "ukube/https/curl_transport.h"

#include <curl/curl.h>

#include <cctype>
#include <cstring>
#include <memory>

namespace ukube::https {
namespace {

// A webhook answering more than this is broken; stop reading rather than grow without bound.
constexpr size_t kMaxResponseBytes = 16 * 1024 * 1024;

size_t collect(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  size_t n = size * count;
  if (body->size() + n > kMaxResponseBytes) return 0;  // makes curl fail with CURLE_WRITE_ERROR
  body->append(data, n);
  return n;
}

// host:port of an https URL, for Go's "dial tcp HOST:PORT" wording.
std::string host_port(const std::string& url) {
  auto start = url.find("://");
  std::string rest = start == std::string::npos ? url : url.substr(start + 3);
  std::string authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.find('@'); at != std::string::npos) authority = authority.substr(at + 1);
  bool has_port = authority.starts_with('[') ? authority.find("]:") != std::string::npos
                                             : authority.find(':') != std::string::npos;
  return has_port ? authority : authority + ":443";
}

std::string host_of(const std::string& url) {
  std::string hp = host_port(url);
  return hp.substr(0, hp.rfind(':'));
}

// Go spells system errors in lower case: "connection refused".
std::string go_errno_text(long os_errno) {
  std::string text = std::strerror(static_cast<int>(os_errno));
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// curl's failure in the words Go's client uses, which upstream's messages carry.
std::string go_error(CURLcode code, long os_errno, const std::string& detail, const std::string& url) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: return "context deadline exceeded";
    case CURLE_COULDNT_RESOLVE_HOST: return "dial tcp: lookup " + host_of(url) + ": no such host";
    case CURLE_COULDNT_CONNECT:
      return "dial tcp " + host_port(url) + ": connect: " + (os_errno ? go_errno_text(os_errno) : detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      if (detail.find("unable to get local issuer certificate") != std::string::npos ||
          detail.find("self-signed certificate") != std::string::npos ||
          detail.find("self signed certificate") != std::string::npos)
        return "tls: failed to verify certificate: x509: certificate signed by unknown authority";
      return "tls: failed to verify certificate: " + detail;
    case CURLE_WRITE_ERROR:
      return "the webhook's answer exceeds " + std::to_string(kMaxResponseBytes) + " bytes";
    default: return detail.empty() ? curl_easy_strerror(code) : detail;
  }
}

}  // namespace

CurlTransport::CurlTransport() {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

CurlTransport::~CurlTransport() {
  curl_global_cleanup();
}

HttpResult CurlTransport::post(const HttpCall& call) {
  HttpResult result;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    result.error = "could not create a libcurl handle";
    return result;
  }
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Accept: application/json, */*");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, curl_slist_free_all);
  char error_buffer[CURL_ERROR_SIZE] = {};

  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");  // upstream allows nothing else
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);            // called from many threads
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(h, CURLOPT_USERAGENT, "ukube-apiserver/webhook");
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, call.body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(call.timeout.count() * 1000));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_blob ca{const_cast<char*>(call.ca_bundle.data()), call.ca_bundle.size(), CURL_BLOB_COPY};
  if (!call.ca_bundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);

  CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    long os_errno = 0;
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
    result.error = go_error(code, os_errno, error_buffer, call.url);
    return result;
  }
  result.sent = true;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.status);
  return result;
}

}  // namespace ukube::https
