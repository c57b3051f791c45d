#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/runtime/driver.h"

// One container probe (core/v1 Probe) and how to run it once: exec through the runtime,
// httpGet with libcurl, tcpSocket with a connect, grpc's health check. Results and
// messages as upstream's prober writes them.
namespace ukube::kubelet {

enum class ProbeKind { Liveness, Readiness, Startup };
const char* probe_name(ProbeKind kind);  // "Liveness", as events print it

struct ProbeSpec {
  enum class Action { Exec, HttpGet, TcpSocket, Grpc } action = Action::Exec;
  std::vector<std::string> command;  // exec
  std::string scheme = "HTTP";       // httpGet
  std::string host;                  // httpGet, tcpSocket: default the pod IP
  std::string path = "/";
  int port = 0;
  std::string grpc_service;  // grpc: the service to ask about; "" for the server
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::seconds initial_delay{0};
  std::chrono::seconds period{10};
  std::chrono::seconds timeout{1};
  int success_threshold = 1;
  int failure_threshold = 3;
};

// The container's probe of `kind`, or nullopt when it has none. Named ports resolve
// against the container's ports; an unknown one makes every run fail with upstream's text.
std::optional<ProbeSpec> probe_of(const boost::json::object& container, ProbeKind kind);

struct ProbeOutcome {
  bool success = false;
  std::string output;  // for the Unhealthy event when it failed
};

struct ProbeTarget {
  runtime::RuntimeDriver* driver = nullptr;
  std::string container_id;
  std::string pod_ip;
};

ProbeOutcome run_probe(const ProbeSpec& spec, const ProbeTarget& target);

}  // namespace ukube::kubelet
