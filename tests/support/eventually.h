#pragma once

#include <chrono>
#include <thread>

namespace ukube::testing {

// Polls `predicate` every `interval` until it holds or `timeout` passes: informers,
// controllers and the store's commits apply changes on their own threads.
template <class P>
bool eventually(P predicate, std::chrono::milliseconds timeout = std::chrono::seconds(20),
                std::chrono::milliseconds interval = std::chrono::milliseconds(2)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(interval);
  }
  return predicate();
}

}  // namespace ukube::testing
