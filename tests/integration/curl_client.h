#pragma once

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/kubectl_harness.h"

// curl against a Node's HTTPS port, for requests kubectl would never send: raw paths,
// odd headers, malformed bodies. By default it presents the admin client certificate.
namespace ukube::testing {

struct HttpResult {
  int status = 0;
  std::string body;
};

class Curl {
 public:
  explicit Curl(const Node& node) : dir_(node.dir()), base_(kubeconfig_server(node.kubeconfig())) {}

  const std::string& base() const { return base_; }
  std::filesystem::path pki() const { return dir_ / "data" / "pki"; }

  // `path` is sent as is (no ../ squashing). `body` goes through a file, so it may be large.
  HttpResult request(const std::string& method, const std::string& path, const std::string& body = {},
                     const std::string& content_type = "application/json",
                     const std::vector<std::string>& header_files = {}, bool admin = true) const {
    std::string cmd = "curl -sS --path-as-is --max-time 60 -X " + method + " --cacert " +
                      shell_quote((pki() / "ca.crt").string());
    if (admin)
      cmd += " --cert " + shell_quote((pki() / "admin.crt").string()) + " --key " +
             shell_quote((pki() / "admin.key").string());
    if (!body.empty() || method == "POST" || method == "PUT") {
      auto file = dir_ / ("body-" + std::to_string(counter()++));
      std::ofstream(file, std::ios::binary) << body;
      cmd += " -H " + shell_quote("Content-Type: " + content_type) + " --data-binary @" +
             shell_quote(file.string());
    }
    for (const auto& f : header_files) cmd += " -H @" + shell_quote(f);
    CommandResult r = run_command(cmd + " -w '\\n%{http_code}' " + shell_quote(base_ + path));
    HttpResult out;
    auto nl = r.out.rfind('\n');
    if (nl == std::string::npos) return {0, r.out};
    out.status = std::atoi(r.out.c_str() + nl + 1);
    out.body = r.out.substr(0, nl);
    return out;
  }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path dir_;
  std::string base_;
};

}  // namespace ukube::testing
