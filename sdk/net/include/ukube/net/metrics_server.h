#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

// A small plain-HTTP server for a node component's own /metrics and /healthz, as
// kube-proxy's metrics address (127.0.0.1:10249): Prometheus text from `metrics`, and "ok"
// from `health` (an empty answer) or 503 with the reason it gives. Requests are short and
// few; one thread of its own serves them one at a time.
namespace ukube::net {

class MetricsServer {
 public:
  using Metrics = std::function<std::string()>;
  using Health = std::function<std::string()>;  // empty: healthy; else why not

  // `address` is host:port (port 0 picks one). Throws std::runtime_error naming the
  // address when it cannot be bound.
  MetricsServer(const std::string& address, Metrics metrics, Health health);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  uint16_t port() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ukube::net
