#include "cni_exec.h"

#include <boost/json.hpp>
#include <cctype>

#include "cni_network.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/names.h"
#include "ukube/network/driver.h"
#include "ukube/node/spawn.h"

namespace ukube::network::cni {
namespace json = boost::json;

namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

}  // namespace

json::value run_cni_plugin(const std::filesystem::path& bin_dir, const json::object& config,
                           const CniInvocation& call) {
  const std::string type = machinery::string_at(config, {"type"});
  const std::string failed =
      "plugin type=\"" + type + "\" failed (" + machinery::ascii_lower(call.command) + "): ";
  runtime::node::SpawnOptions options;
  options.argv = {(bin_dir / type).string()};
  options.env = {"CNI_COMMAND=" + call.command, "CNI_CONTAINERID=" + call.container_id,
                 "CNI_NETNS=" + call.netns, "CNI_IFNAME=" + call.ifname, "CNI_ARGS=" + call.args,
                 "CNI_PATH=" + bin_dir.string(),
                 // The plugins run iptables and sysctl by name.
                 "PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  runtime::node::CapturedRun run;
  try {
    run = runtime::node::run_captured(options, json::serialize(config));
  } catch (const std::exception& e) {
    throw NetworkError(failed + e.what());
  }
  json::value answer;
  if (!run.out.empty()) {
    boost::system::error_code ec;
    answer = json::parse(run.out, ec);
    if (ec) answer = nullptr;
  }
  if (run.exit_code != 0) {
    std::string message;
    if (const auto* error = answer.if_object()) {
      message = machinery::string_at(*error, {"msg"});
      if (auto details = machinery::string_at(*error, {"details"}); !details.empty())
        message += ": " + details;
    }
    if (message.empty()) message = trimmed(run.err.empty() ? run.out : run.err);
    if (message.empty()) message = "exit status " + std::to_string(run.exit_code);
    throw NetworkError(failed + message);
  }
  if (call.command == "ADD" && !answer.is_object())
    throw NetworkError(failed + "its result is not a JSON object: " + trimmed(run.out.substr(0, 200)));
  return call.command == "ADD" ? answer : json::value(nullptr);
}

}  // namespace ukube::network::cni
