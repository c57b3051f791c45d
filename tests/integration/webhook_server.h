#pragma once

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "tests/integration/kubectl_harness.h"
#include "ukube/pki.h"

// An HTTPS webhook server for the tests of admission and conversion webhooks: python3's
// http.server over TLS, with a certificate for 127.0.0.1 from a CA the test makes (the
// caBundle the webhook configuration carries), answering with the Handler class a test
// writes in python; send_json(handler, answer) writes a JSON answer.
namespace ukube::testing {

inline const char* const kServerPrologue = R"PY(
import json, sys
state_dir, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]

def send_json(handler, answer):
    body = json.dumps(answer).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
)PY";

inline const char* const kServerEpilogue = R"PY(
import http.server, os, ssl
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
with open(os.path.join(state_dir, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(state_dir, "port.tmp"), os.path.join(state_dir, "port"))
server.serve_forever()
)PY";

// The webhook server as a child process, killed with its process group on destruction.
class WebhookServer {
 public:
  // `handler`: python defining class Handler(http.server.BaseHTTPRequestHandler), which may
  // write to `state_dir`.
  WebhookServer(const std::filesystem::path& dir, const pki::CertificateAuthority& ca,
                const std::string& handler)
      : dir_(dir) {
    std::filesystem::create_directories(dir_);
    std::filesystem::remove(dir_ / "port");
    auto pair =
        ca.issue_server(pki::Subject{"webhook", {}}, {"localhost"}, {"127.0.0.1"}, std::chrono::hours(1));
    std::ofstream(dir_ / "server.crt") << pair.certificate_pem;
    std::ofstream(dir_ / "server.key") << pair.key_pem;
    std::ofstream(dir_ / "server.py") << kServerPrologue << handler << kServerEpilogue;
    process_ = std::make_unique<BackgroundCommand>(
        "python3 " + shell_quote((dir_ / "server.py").string()) + " " + shell_quote(dir_.string()) + " " +
            shell_quote((dir_ / "server.crt").string()) + " " + shell_quote((dir_ / "server.key").string()),
        dir_ / "server.log");
    ready_ = eventually([&] { return std::filesystem::exists(dir_ / "port"); }, std::chrono::seconds(20));
    if (ready_) port_ = std::stoi(read_file(dir_ / "port"));
  }
  bool ready() const { return ready_; }
  std::string url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string log() const { return process_ ? process_->output() : ""; }
  boost::json::object last_review() const {
    return boost::json::parse(read_file(dir_ / "last-review.json")).as_object();
  }
  void stop() { process_.reset(); }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<BackgroundCommand> process_;
  bool ready_ = false;
  int port_ = 0;
};

}  // namespace ukube::testing
