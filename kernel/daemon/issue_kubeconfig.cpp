#include "kernel/daemon/issue_kubeconfig.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "ukube/pki.h"

namespace ukube::daemon {

std::string issue_kubeconfig(const KubeconfigRequest& request) {
  if (request.user.empty())
    throw std::runtime_error("--user NAME is required: the name the certificate vouches for");
  const auto admin = request.data_dir / "admin.kubeconfig";
  std::ifstream in(admin);
  std::stringstream text;
  text << in.rdbuf();
  std::string server = pki::kubeconfig_server(text.str());
  if (server.empty())
    throw std::runtime_error("cannot tell the server's address: " + admin.string() +
                             " is missing or names no server; start the node once with this data dir");
  if (!server.starts_with("https://"))
    throw std::runtime_error(
        "the server at " + server +
        " serves plain HTTP (insecure_plain_http), so client certificates mean nothing there");
  auto ca = pki::CertificateAuthority::load(request.data_dir / "pki");
  auto issued = ca.issue_client({request.user, request.groups}, request.validity);
  return pki::kubeconfig_yaml(server, {ca.certificate_pem(), issued.certificate_pem, issued.key_pem});
}

}  // namespace ukube::daemon
