#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ukube::apiserver {

class ApiServerConfig;

// The config with every default applied and the listen address split, so the rest of
// the plugin never looks at the Protobuf message.
struct Settings {
  std::string host = "127.0.0.1";
  uint16_t port = 6443;
  unsigned threads = 2;
  size_t max_in_flight = 400;
  size_t max_body_bytes = 3 * 1024 * 1024;
  std::chrono::seconds idle_timeout{90};
  std::chrono::seconds request_timeout{60};
  bool write_kubeconfig = true;
  bool plain_http = false;
  std::vector<std::string> tls_names;  // extra serving-certificate names
  std::string audit_log_path;          // empty: no audit log
  std::string audit_level = "Metadata";
  uint64_t audit_log_max_bytes = 100ull * 1024 * 1024;
};

// The one place defaults live. `node_listen` is the daemon's (`--listen` or the top-level
// key), served unless the config names its own. Throws std::invalid_argument naming the
// bad field.
Settings resolve_settings(const ApiServerConfig& config, const std::string& node_listen);

// "127.0.0.1:6443", "[::1]:0", ":8080" (every interface). Throws std::invalid_argument.
void parse_listen(const std::string& listen, std::string& host, uint16_t& port);

}  // namespace ukube::apiserver
