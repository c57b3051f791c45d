#include "ukube/node/network_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <thread>

#include "ukube/runtime/driver.h"

namespace ukube::runtime::node {

int connect_loopback_in(const std::string& netns_path, uint16_t port) {
  const int ns = ::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns < 0)
    throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                       "cannot open the pod's network namespace " + netns_path + ": " + std::strerror(errno));
  int fd = -1;
  std::exception_ptr failure;
  // setns() moves only the calling thread; this one ends right after connecting.
  std::thread([&] {
    if (::setns(ns, CLONE_NEWNET) != 0) {
      failure = std::make_exception_ptr(RuntimeError(
          RuntimeError::Code::FailedPrecondition,
          "cannot enter the pod's network namespace " + netns_path + ": " + std::strerror(errno)));
      return;
    }
    try {
      fd = connect_loopback(port);
    } catch (...) {
      failure = std::current_exception();
    }
  }).join();
  ::close(ns);
  if (failure) std::rethrow_exception(failure);
  return fd;
}

}  // namespace ukube::runtime::node
