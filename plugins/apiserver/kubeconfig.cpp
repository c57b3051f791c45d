#include "apiserver/kubeconfig.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ukube::apiserver {

std::string local_server_url(const std::string& listen_host, uint16_t port, bool tls) {
  std::string host = listen_host;
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

std::string kubeconfig_yaml(const std::string& server_url) {
  return "apiVersion: v1\n"
         "kind: Config\n"
         "clusters:\n"
         "- name: ukube\n"
         "  cluster:\n"
         "    server: " +
         server_url +
         "\n"
         "users:\n"
         "- name: ukube\n"
         "  user: {}\n"
         "contexts:\n"
         "- name: ukube\n"
         "  context:\n"
         "    cluster: ukube\n"
         "    user: ukube\n"
         "current-context: ukube\n";
}

void write_kubeconfig(const std::filesystem::path& file, const std::string& server_url) {
  const std::string text = kubeconfig_yaml(server_url);
  const std::filesystem::path tmp = file.string() + ".tmp";
  auto fail = [&](const char* what) {
    throw std::runtime_error("cannot " + std::string(what) + " " + tmp.string() + ": " +
                             std::strerror(errno));
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail("create");
  // An older file created with a looser mode keeps it across O_TRUNC.
  if (::fchmod(fd, 0600) != 0) {
    ::close(fd);
    fail("chmod");
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      fail("write");
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) fail("close");
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) throw std::runtime_error("cannot replace " + file.string() + ": " + ec.message());
}

}  // namespace ukube::apiserver
