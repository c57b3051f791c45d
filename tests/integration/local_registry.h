#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include "tests/integration/daemon_process.h"
#include "tests/integration/kubectl_harness.h"

// Debian's docker-registry on a free 127.0.0.1 port with a config of its own in a test's
// folder (basic authentication when given an htpasswd line), and skopeo to push images to it
// from an OCI image layout (a node's image store). Stopped with the object.
namespace ukube::testing {

class LocalRegistry {
 public:
  // Why a registry cannot run here ("" when it can).
  static std::string unavailable() {
    if (!std::filesystem::exists("/usr/bin/docker-registry") ||
        run_command("command -v skopeo").exit_code != 0)
      return "needs docker-registry and skopeo (packaging/install-deps.sh installs both)";
    return {};
  }

  // `htpasswd`: "user:bcrypt-hash", or empty for no authentication.
  LocalRegistry(const std::filesystem::path& dir, const std::string& htpasswd = "") : dir_(dir) {
    std::filesystem::create_directories(dir_);
    std::string config = "version: 0.1\nlog: {level: info}\nstorage: {filesystem: {rootdirectory: " +
                         (dir_ / "storage").string() + "}}\nhttp: {addr: \"127.0.0.1:0\"}\n";
    if (!htpasswd.empty()) {
      std::ofstream(dir_ / "htpasswd") << htpasswd << "\n";
      config += "auth: {htpasswd: {realm: ukube-test, path: " + (dir_ / "htpasswd").string() + "}}\n";
    }
    std::ofstream(dir_ / "registry.yml") << config;
    process_ = std::make_unique<DaemonProcess>(
        "/usr/bin/docker-registry", std::vector<std::string>{"serve", (dir_ / "registry.yml").string()},
        dir_ / "registry.log");
    // The registry names the port it got once it listens.
    const std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
         std::chrono::steady_clock::now() < deadline && address_.empty();) {
      std::smatch m;
      const std::string text = log();
      if (std::regex_search(text, m, listening))
        address_ = "127.0.0.1:" + m[1].str();
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // "127.0.0.1:<port>"; empty when the registry did not start (log() says why).
  const std::string& address() const { return address_; }
  std::string log() const { return process_ ? process_->log() : std::string(); }

  // Copies `image` (as the layout names it, "docker.io/library/busybox:1.35") from the OCI
  // layout at `layout` to <address>/<target> ("team/busybox:1").
  CommandResult push(const std::filesystem::path& layout, const std::string& image, const std::string& target,
                     const std::string& credentials = "") const {
    return run_command("skopeo copy --dest-tls-verify=false " +
                       (credentials.empty() ? "" : "--dest-creds " + credentials + " ") + "oci:" +
                       layout.string() + ":" + image + " docker://" + address_ + "/" + target + " 2>&1");
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<DaemonProcess> process_;
  std::string address_;
};

}  // namespace ukube::testing
