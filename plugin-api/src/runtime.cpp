// Key functions of the runtime driver interfaces: their vtables and RTTI live once, in
// libukube-core, so a RuntimeError thrown in a driver's library is caught in the kubelet's.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "ukube/runtime/driver.h"
#include "ukube/runtime/filters.h"

namespace ukube::runtime {

RuntimeError::RuntimeError(Code code, const std::string& message)
    : std::runtime_error(message), code_(code) {}
RuntimeError::~RuntimeError() = default;
StreamSession::~StreamSession() = default;
RuntimeDriver::~RuntimeDriver() = default;
RuntimeProvider::~RuntimeProvider() = default;

int RuntimeDriver::port_forward(const std::string& sandbox_id, uint16_t port) {
  const PodSandboxStatus status = pod_sandbox_status(sandbox_id);
  if (status.state != SandboxState::Ready)
    throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                       "pod sandbox " + sandbox_id + " is not ready, so nothing in it can be connected to");
  return connect_loopback(port);
}

namespace {

// One attempt; the socket, or -1 with Go's wording of the failure in `error`.
int dial(int family, uint16_t port, std::string& error) {
  const bool v4 = family == AF_INET;
  const std::string address = v4 ? "127.0.0.1:" + std::to_string(port) : "[::1]:" + std::to_string(port);
  const std::string prefix = std::string(v4 ? "dial tcp4 " : "dial tcp6 ") + address + ": ";
  const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = prefix + "socket: " + std::strerror(errno);
    return -1;
  }
  // Connecting waits at most this long (SO_SNDTIMEO bounds connect too).
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (v4) {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    length = sizeof *in;
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    in6->sin6_addr = in6addr_loopback;
    length = sizeof *in6;
  }
  int rc;
  do rc = ::connect(fd, reinterpret_cast<sockaddr*>(&storage), length);
  while (rc != 0 && errno == EINTR);
  if (rc == 0) {
    timeval none{0, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
    return fd;
  }
  const int failure = errno;
  ::close(fd);
  if (failure == EAGAIN || failure == EINPROGRESS) {
    error = prefix + "i/o timeout";
  } else {
    // Go's error texts are strerror's, lower case.
    std::string text = std::strerror(failure);
    if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    error = prefix + "connect: " + text;
  }
  return -1;
}

}  // namespace

int connect_loopback(uint16_t port) {
  std::string v4_error, v6_error;
  if (int fd = dial(AF_INET, port, v4_error); fd >= 0) return fd;
  if (int fd = dial(AF_INET6, port, v6_error); fd >= 0) return fd;
  throw RuntimeError(RuntimeError::Code::Unavailable,
                     "failed to connect to localhost:" + std::to_string(port) + ", IPv4: " + v4_error +
                         " IPv6: " + v6_error);
}

}  // namespace ukube::runtime

namespace ukube::runtime {

bool labels_match(const Labels& labels, const Labels& selector) {
  for (const auto& [key, value] : selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

bool matches(const PodSandboxStatus& s, const PodSandboxFilter& f) {
  return (f.id.empty() || s.id == f.id) && (!f.state || s.state == *f.state) &&
         labels_match(s.labels, f.label_selector);
}

bool matches(const ContainerStatus& c, const ContainerFilter& f) {
  return (f.id.empty() || c.id == f.id) &&
         (f.pod_sandbox_id.empty() || c.pod_sandbox_id == f.pod_sandbox_id) &&
         (!f.state || c.state == *f.state) && labels_match(c.labels, f.label_selector);
}

std::string_view to_string(ContainerState state) {
  switch (state) {
    case ContainerState::Created: return "Created";
    case ContainerState::Running: return "Running";
    case ContainerState::Exited: return "Exited";
    case ContainerState::Unknown: break;
  }
  return "Unknown";
}

}  // namespace ukube::runtime
