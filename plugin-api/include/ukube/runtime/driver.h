#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ukube/export.h"
#include "ukube/runtime/types.h"

// The runtime driver interface (DESIGN.md §6): what the kubelet asks of a container
// runtime, in the CRI's shape (RuntimeService + ImageService), as plain C++ calls. A
// runtime plugin (ukube.runtime.v1.<id>) derives from RuntimeProvider; every driver passes
// the conformance suite unchanged (sdk/testing: ukube/testing/runtime_conformance.h).
//
// Calls are thread-safe and may block (a stop waits for the container to exit). Stop and
// remove calls are idempotent, as the CRI requires: an unknown id is not an error for them.
namespace ukube::runtime {

// A failed call, with the gRPC-style code a CRI runtime would answer.
class UKUBE_API RuntimeError : public std::runtime_error {
 public:
  enum class Code {
    NotFound,
    InvalidArgument,
    AlreadyExists,
    FailedPrecondition,
    DeadlineExceeded,
    Unavailable,
    Internal
  };
  RuntimeError(Code code, const std::string& message);
  ~RuntimeError() override;
  Code code() const { return code_; }

 private:
  Code code_;
};

// The parts of an interactive exec or attach (kubectl exec -it, kubectl attach).
struct StreamRequest {
  std::string container_id;
  std::vector<std::string> cmd;  // exec only
  bool stdin_ = false;
  bool stdout_ = true;
  bool stderr_ = true;
  bool tty = false;  // stderr then arrives merged into stdout, as from a terminal
};

// Called on the driver's threads, one at a time per session.
struct StreamCallbacks {
  std::function<void(std::string_view data)> on_stdout;
  std::function<void(std::string_view data)> on_stderr;
  // Exactly once, last: the exec'd process's exit code, or the attached container's.
  std::function<void(int exit_code)> on_exit;
};

// A running exec or attach. Destroying it ends the exec (the process is killed) or
// detaches; no callback runs after the destructor returns, so it must not be destroyed
// from within one of its own callbacks.
class UKUBE_API StreamSession {
 public:
  virtual ~StreamSession();
  virtual void write_stdin(std::string_view data) = 0;
  virtual void close_stdin() = 0;
  virtual void resize(uint16_t columns, uint16_t rows) = 0;  // tty only
};

using ContainerEventHandler = std::function<void(const ContainerEvent& event)>;

class UKUBE_API RuntimeDriver {
 public:
  virtual ~RuntimeDriver();

  virtual VersionInfo version() = 0;
  virtual RuntimeStatus status() = 0;
  // True when nothing really runs (the fake runtime): sandbox IPs lead nowhere, so the
  // kubelet sends them no traffic and takes network probes (httpGet, tcpSocket, grpc) as
  // passing, as kwok does. Exec probes still go through exec_sync.
  virtual bool simulated() const { return false; }

  // Pod sandboxes: the pod-level environment its containers share.
  virtual std::string run_pod_sandbox(const PodSandboxConfig& config) = 0;
  // Stops every container of the sandbox (killing what is left) and the sandbox itself.
  virtual void stop_pod_sandbox(const std::string& sandbox_id) = 0;
  // Removes the sandbox and its containers, stopping them first if needed.
  virtual void remove_pod_sandbox(const std::string& sandbox_id) = 0;
  virtual PodSandboxStatus pod_sandbox_status(const std::string& sandbox_id) = 0;  // throws NotFound
  virtual std::vector<PodSandboxStatus> list_pod_sandboxes(const PodSandboxFilter& filter = {}) = 0;

  // Containers, each in a sandbox.
  virtual std::string create_container(const std::string& sandbox_id, const ContainerConfig& config,
                                       const PodSandboxConfig& sandbox_config) = 0;
  virtual void start_container(const std::string& container_id) = 0;
  // SIGTERM (or the image's stop signal), then SIGKILL once `timeout` passed; returns when
  // the container has exited. A zero timeout kills at once.
  virtual void stop_container(const std::string& container_id, std::chrono::seconds timeout) = 0;
  virtual void remove_container(const std::string& container_id) = 0;
  virtual ContainerStatus container_status(const std::string& container_id) = 0;  // throws NotFound
  virtual std::vector<ContainerStatus> list_containers(const ContainerFilter& filter = {}) = 0;
  virtual std::vector<ContainerStats> list_container_stats(const ContainerFilter& filter = {}) = 0;

  // Runs `cmd` in a running container and waits for it, at most `timeout` (then
  // DeadlineExceeded; 0 waits without limit, as the CRI); probes use it.
  virtual ExecSyncResult exec_sync(const std::string& container_id, const std::vector<std::string>& cmd,
                                   std::chrono::seconds timeout) = 0;
  virtual std::unique_ptr<StreamSession> exec(const StreamRequest& request, StreamCallbacks callbacks) = 0;
  virtual std::unique_ptr<StreamSession> attach(const StreamRequest& request, StreamCallbacks callbacks) = 0;
  // Port forwarding (the CRI's PortForward; kubectl port-forward): a TCP connection to
  // `port` on the loopback of the sandbox's network (127.0.0.1, else ::1), made where that
  // network is (inside the sandbox's network namespace when it has one: a socket stays in
  // the namespace it was made in). Returns the connected socket, which the caller owns.
  // Throws RuntimeError: NotFound (no such sandbox), FailedPrecondition (it is not ready),
  // Unavailable when nothing accepts the connection, ending with the connect error as
  // connect_loopback() words it. The default is for pods on the host's network: it checks
  // the sandbox's status and connects on the host's loopback.
  virtual int port_forward(const std::string& sandbox_id, uint16_t port);

  // Images. `image` is a reference as pods name it (busybox, busybox:1.36, registry/x@sha256:...).
  virtual std::string pull_image(const std::string& image, const AuthConfig& auth = {}) = 0;  // its id
  virtual std::vector<Image> list_images() = 0;
  virtual std::optional<Image> image_status(const std::string& image) = 0;  // nullopt: not present
  virtual void remove_image(const std::string& image) = 0;

  // Container events, pushed as they happen. The handler runs on a driver thread and must
  // be quick; it must not call unsubscribe(), which waits for a call in progress to finish.
  virtual uint64_t subscribe(ContainerEventHandler handler) = 0;
  virtual void unsubscribe(uint64_t subscription) = 0;
};

// Connects to `port` on 127.0.0.1, else on ::1, from the calling thread's network
// namespace, waiting at most 5 s; returns the connected socket (close-on-exec). Throws
// RuntimeError(Unavailable) with both attempts' errors in the words upstream's runtimes
// (containerd) report them: "failed to connect to localhost:8080, IPv4: dial tcp4
// 127.0.0.1:8080: connect: connection refused IPv6: dial tcp6 [::1]:8080: connect: connection
// refused".
UKUBE_API int connect_loopback(uint16_t port);

// What a runtime plugin offers: a driver per node it runs containers for. A real runtime
// serves the one machine it runs on; the fake one simulates any number of nodes in one
// process (kwok-style), each with its own containers. The plugin keeps its drivers for
// as long as it lives; the kubelet's shared_ptr must not outlive the plugin either.
class UKUBE_API RuntimeProvider {
 public:
  virtual ~RuntimeProvider();
  // Throws std::invalid_argument, saying why, when the plugin cannot serve `node_name`.
  virtual std::shared_ptr<RuntimeDriver> driver_for_node(const std::string& node_name) = 0;
};

}  // namespace ukube::runtime
