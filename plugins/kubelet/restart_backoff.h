#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

// Upstream's container restart back-off (CrashLoopBackOff) and image pull back-off
// (ImagePullBackOff), counted from each failure: the first retry is immediate, the next
// waits 10 s after its failure, then 20 s, doubling up to 5 minutes; a key whose failures
// are further apart than twice that starts over.
namespace ukube::kubelet {

class RestartBackoff {
 public:
  using Clock = std::chrono::system_clock;
  RestartBackoff(std::chrono::seconds initial = std::chrono::seconds(10),
                 std::chrono::seconds max = std::chrono::seconds(300))
      : initial_(initial), max_(max) {}

  // How long `key`, which failed at `failed`, must still wait; nullopt: retry now.
  std::optional<std::chrono::milliseconds> remaining(const std::string& key, Clock::time_point failed,
                                                     Clock::time_point now) const;
  // The same, counted from the last failure next() recorded (image pulls).
  std::optional<std::chrono::milliseconds> remaining_since_last(const std::string& key,
                                                                Clock::time_point now) const;
  // Records a retry after the failure at `failed`: the next failure waits longer.
  void next(const std::string& key, Clock::time_point failed);
  // The current delay of `key`, for messages: "back-off 20s restarting failed container".
  std::chrono::seconds delay(const std::string& key) const;
  void forget_prefix(const std::string& prefix);  // a pod's keys, when it goes

 private:
  struct Entry {
    std::chrono::seconds delay{0};
    Clock::time_point last_failure;
  };
  std::chrono::seconds initial_;
  std::chrono::seconds max_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace ukube::kubelet
