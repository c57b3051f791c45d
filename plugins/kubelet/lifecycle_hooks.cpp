#include "lifecycle_hooks.h"

#include <boost/json.hpp>
#include <thread>

#include "ukube/machinery/json.h"

namespace ukube::kubelet {
namespace json = boost::json;

namespace {

std::string joined(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : separator) + part;
  return out;
}

}  // namespace

std::optional<HookSpec> hook_of(const json::object& container, HookKind kind) {
  const auto* handler =
      machinery::object_at(container, {"lifecycle", kind == HookKind::PostStart ? "postStart" : "preStop"});
  if (!handler) return std::nullopt;
  HookSpec hook;
  if (const auto* sleep = machinery::object_at(*handler, {"sleep"})) {
    hook.action = HookSpec::Action::Sleep;
    hook.sleep = std::chrono::seconds(std::max<int64_t>(0, machinery::int_or(*sleep, {"seconds"}, 0)));
    return hook;
  }
  // A handler's exec and httpGet read as a probe's do (named ports included): parse it as one.
  json::object as_probe = container;
  as_probe["livenessProbe"] = *handler;
  auto spec = probe_of(as_probe, ProbeKind::Liveness);
  if (!spec || spec->action == ProbeSpec::Action::TcpSocket || spec->action == ProbeSpec::Action::Grpc)
    return std::nullopt;
  hook.action = spec->action == ProbeSpec::Action::Exec ? HookSpec::Action::Exec : HookSpec::Action::HttpGet;
  hook.handler = *spec;
  return hook;
}

std::optional<std::string> run_hook(const HookSpec& hook, const ProbeTarget& target,
                                    const HookContext& context, std::chrono::seconds timeout) {
  const std::string where =
      " for Container \"" + context.container_name + "\" in Pod \"" + context.pod_text + "\"";
  switch (hook.action) {
    case HookSpec::Action::Sleep:
      std::this_thread::sleep_for(std::min(hook.sleep, timeout));
      return std::nullopt;
    case HookSpec::Action::Exec: {
      const auto& command = hook.handler.command;
      std::string error, output;
      try {
        runtime::ExecSyncResult r = target.driver->exec_sync(target.container_id, command, timeout);
        if (r.exit_code == 0) return std::nullopt;
        output = r.stdout_ + r.stderr_;
        error = "command '" + joined(command, " ") + "' exited with " + std::to_string(r.exit_code) + ": " +
                r.stderr_;
      } catch (const std::exception& e) {
        error = e.what();
      }
      return "Exec lifecycle hook ([" + joined(command, " ") + "])" + where + " failed - error: " + error +
             ", message: " + json::serialize(json::string(output));
    }
    case HookSpec::Action::HttpGet: {
      ProbeSpec spec = hook.handler;
      spec.timeout = std::max(timeout, std::chrono::seconds(1));
      ProbeOutcome outcome = run_probe(spec, target);
      if (outcome.success) return std::nullopt;
      return "HTTP lifecycle hook (" + spec.path + ")" + where + " failed - error: " + outcome.output;
    }
  }
  return std::nullopt;
}

}  // namespace ukube::kubelet
