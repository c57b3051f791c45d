#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ukube/pipeline.h"
#include "ukube/store.h"

// The HTTP exchange as the request handler sees it: plain data, so everything except the
// one network translation unit builds and tests without Beast or Asio.
namespace ukube::apiserver {

struct HttpRequest {
  std::string method;  // GET, POST, ...
  std::string target;  // origin form: path plus optional ?query
  std::string accept;
  std::string content_type;
  std::string authorization;
  std::string user_agent;
  std::string body;
  std::string remote_address;
  // Set only when the client presented a certificate that chains to the client CA.
  std::optional<std::string> client_cert_common_name;
  std::vector<std::string> client_cert_organizations;
  // The client presented a certificate that does not chain to the client CA, or has
  // expired: refused as upstream refuses it, whatever other authenticators would say.
  bool client_cert_unverified = false;
  // Impersonate-* headers, names lower-cased, in arrival order.
  std::vector<std::pair<std::string, std::string>> impersonation;
  // An Upgrade request's handshake headers (Connection, Upgrade, Sec-WebSocket-*,
  // X-Stream-Protocol-Version), passed on when the request is proxied to a kubelet.
  std::vector<std::pair<std::string, std::string>> upgrade_headers;
};

// A response body as a sequence of shared, immutable pieces: stored objects go out as
// the very bytes the store holds, framed by small strings, and are written with one
// gather write instead of being copied into a buffer.
class Body {
 public:
  void append(store::Bytes piece) {
    size_ += piece->size();
    pieces_.push_back(std::move(piece));
  }
  void append(std::string text) { append(store::make_bytes(std::move(text))); }
  const std::vector<store::Bytes>& pieces() const { return pieces_; }
  size_t size() const { return size_; }
  std::string flatten() const;  // for tests and logs

 private:
  std::vector<store::Bytes> pieces_;
  size_t size_ = 0;
};

// Turns one watch event into one line of the response (a JSON WatchEvent and "\n").
using WatchLineEncoder = std::function<void(const RawWatchEvent& event, Body& out)>;

// A response that streams watch events (chunked) until the watch ends, `timeout` passes
// or the client leaves.
struct WatchPlan {
  std::unique_ptr<RawWatch> watch;
  WatchLineEncoder encode;
  std::chrono::seconds timeout{0};   // 0: no limit
  bool bookmarks = false;            // bookmarks only surface when the watch is polled
  std::shared_ptr<void> open_gauge;  // released (and the gauge lowered) when the stream is gone
};

// A response that is another server's: the request goes on to it, and from then on the
// bytes flow both ways untouched, as upstream's proxy for logs, exec, attach, port-forward
// and the proxy subresources does.
struct ProxyPlan {
  // Kubelets: TLS, their certificate verified against ca_pem and ours presented. A pod's or
  // Service's https port: TLS taking any certificate, as upstream's proxy does. Else plain.
  enum class Transport { VerifiedTls, AnyTls, Plain };
  Transport transport = Transport::VerifiedTls;
  std::string host;
  uint16_t port = 0;
  std::string method = "GET";
  std::string target;  // origin form
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;      // sent with its Content-Length when there is one
  bool upgrade = false;  // the client asked to switch protocols
  std::string ca_pem, certificate_pem, key_pem;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  Body body;
  std::unique_ptr<WatchPlan> watch;  // set: stream instead of `body`
  std::unique_ptr<ProxyPlan> proxy;  // set: relay to another server instead
};

}  // namespace ukube::apiserver
