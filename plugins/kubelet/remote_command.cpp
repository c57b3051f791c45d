#include "remote_command.h"

#include <boost/json.hpp>
#include <stdexcept>

namespace ukube::kubelet::remote {
namespace {

namespace json = boost::json;

bool truthy(const std::string& v) {
  return v == "1" || v == "true" || v == "True" || v == "TRUE";
}

}  // namespace

std::string frame(Channel channel, std::string_view data) {
  std::string out;
  out.reserve(data.size() + 1);
  out.push_back(static_cast<char>(channel));
  out.append(data);
  return out;
}

std::string exit_status(int exit_code) {
  if (exit_code == 0) return R"({"metadata":{},"status":"Success"})";
  json::object status{
      {"metadata", json::object()},
      {"status", "Failure"},
      {"message", "command terminated with non-zero exit code: exit status " + std::to_string(exit_code)},
      {"reason", "NonZeroExitCode"},
      {"details",
       {{"causes",
         json::array{json::object{{"reason", "ExitCode"}, {"message", std::to_string(exit_code)}}}}}}};
  return json::serialize(status);
}

std::string failure_status(const std::string& message) {
  return json::serialize(json::object{{"metadata", json::object()},
                                      {"status", "Failure"},
                                      {"message", message},
                                      {"reason", "InternalError"}});
}

std::optional<std::pair<uint16_t, uint16_t>> parse_resize(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* w = v.get_object().if_contains("Width");
  const auto* h = v.get_object().if_contains("Height");
  if (!w || !h || !w->is_number() || !h->is_number()) return std::nullopt;
  auto clamp = [](const json::value& n) {
    const double d = n.to_number<double>();
    return static_cast<uint16_t>(d < 0 ? 0 : d > 65535 ? 65535 : d);
  };
  return std::make_pair(clamp(*w), clamp(*h));
}

StreamOptions parse_stream_options(const std::vector<std::pair<std::string, std::string>>& query, bool exec) {
  StreamOptions o;
  o.stdout_ = o.stderr_ = false;
  for (const auto& [name, value] : query) {
    if (name == "command")
      o.command.push_back(value);
    else if (name == "stdin" || name == "input")
      o.stdin_ = truthy(value);
    else if (name == "stdout" || name == "output")
      o.stdout_ = truthy(value);
    else if (name == "stderr" || name == "error")
      o.stderr_ = truthy(value);
    else if (name == "tty")
      o.tty = truthy(value);
  }
  if (exec && o.command.empty())
    throw std::invalid_argument("you must specify at least one command for the container");
  if (!o.stdin_ && !o.stdout_ && !o.stderr_)
    throw std::invalid_argument("you must specify at least one of stdin, stdout, stderr");
  // A terminal has one output: stderr arrives merged into stdout.
  if (o.tty) o.stderr_ = false;
  return o;
}

}  // namespace ukube::kubelet::remote
