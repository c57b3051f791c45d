#pragma once

#include <cstdint>
#include <string>

// Port forwarding into a pod with a network namespace of its own (runtime-runc): the
// connection is made by a short-lived thread that joins the namespace, so the daemon's
// other threads stay where they are, and the socket it makes stays bound to the pod's
// network after the thread is gone.
namespace ukube::runtime::node {

// connect_loopback(port) (ukube/runtime/driver.h) from inside the network namespace at
// `netns_path` (/proc/<pid>/ns/net). Throws RuntimeError: FailedPrecondition when the
// namespace cannot be entered (it is gone, or this process is not root), else what
// connect_loopback throws.
int connect_loopback_in(const std::string& netns_path, uint16_t port);

}  // namespace ukube::runtime::node
