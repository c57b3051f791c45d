#include "kubeconfig.h"

#include "ukube/pki.h"

namespace ukube::apiserver {

std::string local_server_url(const std::string& listen_host, uint16_t port, bool tls) {
  std::string host = listen_host;
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

void write_kubeconfig(const std::filesystem::path& file, const std::string& server_url,
                      const pki::KubeconfigCredentials& credentials) {
  pki::write_private_file(file, pki::kubeconfig_yaml(server_url, credentials));
}

}  // namespace ukube::apiserver
