#pragma once

#include <chrono>
#include <string>

// How the API server reaches a webhook (admission, CRD conversion): one HTTPS POST of a
// JSON review. An interface, so callers can be tested without a network and the curl
// details stay in one file (curl_transport.h).
namespace ukube::https {

struct HttpCall {
  std::string url;        // with upstream's ?timeout=Ns query already appended
  std::string ca_bundle;  // PEM; empty: the system's trust roots
  std::chrono::seconds timeout{10};
  std::string body;  // JSON
};

struct HttpResult {
  bool sent = false;  // false: no HTTP answer at all (`error` says why)
  long status = 0;
  std::string body;
  // Why the call failed, worded as Go's net/http does after `Post "URL": ` (e.g. "dial tcp
  // 127.0.0.1:9443: connect: connection refused", "context deadline exceeded").
  std::string error;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpResult post(const HttpCall& call) = 0;
};

}  // namespace ukube::https
