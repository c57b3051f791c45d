#pragma once

// Helpers shared by the runtime conformance suite's files (not part of the SDK's surface).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "ukube/runtime/driver.h"
#include "ukube/runtime/filters.h"
#include "ukube/testing/runtime_conformance.h"

namespace ukube::runtime::conformance::support {

// How long the suite waits for something a driver does asynchronously. Generous: the
// suite asserts what happens, never how fast.
inline constexpr std::chrono::seconds kPatience{10};

// Polls `done` until it holds or `patience` passes; true when it held.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds patience = kPatience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// The code of the RuntimeError `fn` throws; a test failure (and nullopt) when it throws none.
template <class Fn>
std::optional<RuntimeError::Code> error_code(Fn&& fn) {
  try {
    fn();
  } catch (const RuntimeError& e) {
    return e.code();
  }
  ADD_FAILURE() << "expected a RuntimeError";
  return std::nullopt;
}

// A port nothing on this machine's loopback listens on now.
inline uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// Waits until the container is in `state`; the status it was last seen in.
inline ContainerStatus wait_for_state(RuntimeDriver& driver, const std::string& container_id,
                                      ContainerState state) {
  ContainerStatus last;
  const bool reached = eventually([&] {
    last = driver.container_status(container_id);
    return last.state == state;
  });
  EXPECT_TRUE(reached) << "container " << container_id << " is still " << to_string(last.state)
                       << ", expected " << to_string(state);
  return last;
}

// A sandbox run from the fixture's config, with the config kept for its containers.
struct RunningSandbox {
  PodSandboxConfig config;
  std::string id;
};

// Creates a container as the kubelet does: pulls its image first when absent (its
// IfNotPresent policy), then creates it.
inline std::string create_container(RuntimeDriver& driver, const RunningSandbox& sandbox,
                                    const ContainerConfig& config) {
  if (!driver.image_status(config.image)) driver.pull_image(config.image);
  return driver.create_container(sandbox.id, config, sandbox.config);
}

inline std::string create_and_start(RuntimeDriver& driver, const RunningSandbox& sandbox,
                                    const ContainerConfig& config) {
  const std::string id = create_container(driver, sandbox, config);
  driver.start_container(id);
  wait_for_state(driver, id, ContainerState::Running);
  return id;
}

}  // namespace ukube::runtime::conformance::support
