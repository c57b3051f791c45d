#include "settings.h"

#include <charconv>
#include <stdexcept>

#include "apiserver/config.pb.h"

namespace ukube::apiserver {

void parse_listen(const std::string& listen, std::string& host, uint16_t& port) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument("listen \"" + listen + "\": " + why +
                                "; expected host:port such as 127.0.0.1:6443, [::1]:6443 or :6443");
  };
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) fail("no port");
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  if (host.find(':') != std::string::npos && listen.front() != '[') fail("an IPv6 address needs brackets");
  std::string_view digits(listen.data() + colon + 1, listen.size() - colon - 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value > 65535)
    fail("the port must be a number from 0 to 65535");
  port = static_cast<uint16_t>(value);
}

Settings resolve_settings(const ApiServerConfig& config, const std::string& node_listen) {
  Settings s;
  parse_listen(config.listen().empty() ? node_listen : config.listen(), s.host, s.port);
  if (config.threads() > 64) throw std::invalid_argument("threads must be at most 64");
  if (config.threads() > 0) s.threads = config.threads();
  if (config.max_in_flight() > 0) s.max_in_flight = config.max_in_flight();
  if (config.max_body_bytes() > 0) s.max_body_bytes = config.max_body_bytes();
  if (config.idle_timeout_seconds() > 0) s.idle_timeout = std::chrono::seconds(config.idle_timeout_seconds());
  if (config.request_timeout_seconds() > 0)
    s.request_timeout = std::chrono::seconds(config.request_timeout_seconds());
  if (config.has_write_kubeconfig()) s.write_kubeconfig = config.write_kubeconfig();
  s.plain_http = config.insecure_plain_http();
  s.tls_names.assign(config.tls_san().begin(), config.tls_san().end());
  s.audit_log_path = config.audit_log_path();
  if (!config.audit_level().empty()) s.audit_level = config.audit_level();
  if (config.audit_log_max_bytes() > 0) s.audit_log_max_bytes = config.audit_log_max_bytes();
  return s;
}

}  // namespace ukube::apiserver
