#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "probe.h"

// A container's lifecycle hooks (core/v1 Lifecycle): postStart runs once the container has
// started, preStop before it is sent its stop signal. Each is an exec, an httpGet or a
// sleep; running one reuses the probes' machinery and words failures as upstream's
// handler runner does, for the FailedPostStartHook / FailedPreStopHook events.
namespace ukube::kubelet {

enum class HookKind { PostStart, PreStop };

struct HookSpec {
  enum class Action { Exec, HttpGet, Sleep } action = Action::Exec;
  ProbeSpec handler;  // exec's command, httpGet's target (a probe's fields mean the same)
  std::chrono::seconds sleep{0};
};

// The container's hook of `kind`, or nullopt when it has none.
std::optional<HookSpec> hook_of(const boost::json::object& container, HookKind kind);

struct HookContext {
  std::string container_name;
  std::string pod_text;  // "name_namespace(uid)", as messages name a pod
};

// Runs the hook, giving it at most `timeout` (a preStop hook has what is left of the
// grace period). Returns the failure message, or nullopt when the hook succeeded.
std::optional<std::string> run_hook(const HookSpec& hook, const ProbeTarget& target,
                                    const HookContext& context, std::chrono::seconds timeout);

}  // namespace ukube::kubelet
