#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ukube/auth.h"

namespace spdlog {
class logger;
}
namespace ukube::runtime {
class RuntimeDriver;
}

// The kubelet's HTTPS server (upstream's port 10250): container logs, exec and attach
// over WebSocket, port forwarding over SPDY/3.1 (plain, or tunnelled through WebSocket), for
// the API server to proxy `kubectl logs|exec|attach|cp|port-forward` to, and the
// usage figures `kubectl top` reads (/stats/summary, /metrics/resource). A server shared
// by simulated nodes answers those for the node named by `?node=`, else its first one. Clients
// authenticate with a certificate of the cluster CA or a bearer token, and are authorized
// as upstream's webhook mode does it: nodes/proxy, nodes/log, nodes/stats or
// nodes/metrics on the node. This header stays free of Asio and Beast.
namespace ukube::kubelet {

struct KubeletServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 10250;
  std::string certificate_pem, key_pem;  // the serving certificate, signed by the cluster CA
  std::string client_ca_pem;             // client certificates must chain to it
};

// A container's log, as the server reads it.
struct LogTarget {
  std::string path;
  std::function<bool()> running;  // whether more may still be written
};

// A running container to exec in or attach to.
struct StreamTarget {
  std::shared_ptr<runtime::RuntimeDriver> driver;
  std::string container_id;
};

// A pod's network, to forward ports into: the runtime running the pod and its sandbox.
struct PortForwardTarget {
  std::shared_ptr<runtime::RuntimeDriver> driver;
  std::string sandbox_id;
};

// What the server needs from the kubelets behind it. Calls throw ApiError, which the
// client receives as a metav1.Status.
class KubeletServerBackend {
 public:
  virtual ~KubeletServerBackend() = default;
  virtual UserInfo authenticate(const Credentials& credentials) = 0;
  virtual void authorize(const RequestAttributes& attributes) = 0;
  // The node answering for pod ns/name, or for the server itself when `pod` is empty.
  virtual std::string node_for(const std::string& ns, const std::string& pod) = 0;
  virtual LogTarget log_target(const std::string& ns, const std::string& pod, const std::string& container,
                               bool previous) = 0;
  virtual StreamTarget stream_target(const std::string& ns, const std::string& pod,
                                     const std::string& container) = 0;
  // `uid`, when not empty, must be the pod's. Throws ApiError NotFound for a pod this server
  // does not run, InternalError when it has no ready sandbox.
  virtual PortForwardTarget port_forward_target(const std::string& ns, const std::string& pod,
                                                const std::string& uid) = 0;
  // GET /stats/summary and GET /metrics/resource of one node this server answers for.
  virtual std::string stats_summary(const std::string& node, bool only_cpu_and_memory) = 0;
  virtual std::string resource_metrics(const std::string& node) = 0;
  // GET /metrics: the kubelet's own metrics (kubelet_metrics.h), Prometheus text format.
  virtual std::string kubelet_metrics(const std::string& node) = 0;
  // Called on the server's thread every few seconds (usage sampling); must not throw.
  virtual void housekeeping() {}
};

class KubeletServer {
 public:
  KubeletServer(KubeletServerOptions options, KubeletServerBackend& backend,
                std::shared_ptr<spdlog::logger> logger);
  ~KubeletServer();
  KubeletServer(const KubeletServer&) = delete;
  KubeletServer& operator=(const KubeletServer&) = delete;

  // Binds and listens; returns the port (the configured one, or the one chosen for 0).
  // Throws std::runtime_error naming the address.
  uint16_t listen();
  void start();
  // Closes the listener and every connection, ends every stream and joins the thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ukube::kubelet
