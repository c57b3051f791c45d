// The API server's HTTPS side against independent clients (curl, openssl s_client):
// protocol versions, plain HTTP on the TLS port, and which client certificates count.
#include <gtest/gtest.h>

#include <regex>

#include "tests/integration/kubectl_harness.h"
#include "ukube/pki.h"

namespace ukube::testing {
namespace {

namespace fs = std::filesystem;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(node_.ready()) << node_.log();
    const std::string server = kubeconfig_server(node_.kubeconfig());
    ASSERT_TRUE(server.starts_with("https://127.0.0.1:")) << read_file(node_.kubeconfig());
    port_ = server.substr(server.rfind(':') + 1);
  }

  fs::path pki() const { return node_.dir() / "data" / "pki"; }
  fs::path write(const std::string& name, const std::string& text) const {
    fs::path p = node_.dir() / name;
    std::ofstream(p) << text;
    return p;
  }
  // curl's HTTP status and body for GET `path` with the given client certificate.
  CommandResult curl(const std::string& path, const fs::path& cert = {}, const fs::path& key = {}) const {
    std::string cmd = "curl -sS --max-time 10 --cacert " + shell_quote((pki() / "ca.crt").string());
    if (!cert.empty()) cmd += " --cert " + shell_quote(cert.string()) + " --key " + shell_quote(key.string());
    return run_command(cmd + " -w '\\n%{http_code}' https://127.0.0.1:" + port_ + path);
  }
  CommandResult s_client(const std::string& version_flag) const {
    return run_command("echo | timeout 10 openssl s_client -connect 127.0.0.1:" + port_ + " " + version_flag +
                       " -CAfile " + shell_quote((pki() / "ca.crt").string()));
  }

  Node node_;
  std::string port_;
};

TEST_F(TlsTest, AdminCertificateIsAcceptedAndNoCertificateIsUnauthorized) {
  CommandResult admin = curl("/api/v1/namespaces/default", pki() / "admin.crt", pki() / "admin.key");
  EXPECT_TRUE(admin.out.ends_with("\n200")) << admin.out;
  // curl gets indented JSON, as from upstream.
  EXPECT_NE(admin.out.find("\"name\": \"default\""), std::string::npos) << admin.out;

  CommandResult anonymous = curl("/api/v1/namespaces/default");
  EXPECT_TRUE(anonymous.out.ends_with("\n401")) << anonymous.out;
  EXPECT_NE(anonymous.out.find("\"reason\": \"Unauthorized\""), std::string::npos) << anonymous.out;
  EXPECT_EQ(anonymous.out.find("\"name\": \"default\""), std::string::npos) << "data without credentials";
}

TEST_F(TlsTest, CertificatesFromAnotherCaOrExpiredAreUnauthorized) {
  auto stranger = pki::CertificateAuthority::load_or_create(node_.dir() / "stranger-ca");
  auto forged = stranger.issue_client({"ukube-admin", {"system:masters"}}, std::chrono::hours(24));
  CommandResult r = curl("/api/v1/namespaces", write("forged.crt", forged.certificate_pem),
                         write("forged.key", forged.key_pem));
  EXPECT_TRUE(r.out.ends_with("\n401")) << r.out;

  auto cluster_ca = pki::CertificateAuthority::load_or_create(pki());
  auto expired = cluster_ca.issue_client({"ukube-admin", {"system:masters"}}, -std::chrono::hours(2));
  r = curl("/api/v1/namespaces", write("expired.crt", expired.certificate_pem),
           write("expired.key", expired.key_pem));
  EXPECT_TRUE(r.out.ends_with("\n401")) << r.out;

  auto alice = cluster_ca.issue_client({"alice", {"dev"}}, std::chrono::hours(1));
  r = curl("/api/v1/namespaces", write("alice.crt", alice.certificate_pem),
           write("alice.key", alice.key_pem));
  EXPECT_TRUE(r.out.ends_with("\n403")) << "alice is authenticated, and RBAC grants her nothing\n" << r.out;
}

TEST_F(TlsTest, PlainHttpOnTheTlsPortGetsAnErrorAndNoData) {
  CommandResult r = run_command("curl -sS --max-time 10 -w '\\n%{http_code}' http://127.0.0.1:" + port_ +
                                "/api/v1/namespaces");
  EXPECT_NE(r.out.find("Client sent an HTTP request to an HTTPS server."), std::string::npos) << r.out;
  EXPECT_TRUE(r.out.ends_with("\n400")) << r.out;
  EXPECT_EQ(r.out.find("default"), std::string::npos) << r.out;
  // The server is unaffected.
  EXPECT_TRUE(curl("/version").out.ends_with("\n401"));
}

TEST_F(TlsTest, RefusesTls10And11AndSpeaks12And13) {
  // SECLEVEL=0 lets this client offer the old versions, so the refusal is the server's.
  CommandResult tls10 = s_client("-tls1 -cipher DEFAULT@SECLEVEL=0");
  CommandResult tls11 = s_client("-tls1_1 -cipher DEFAULT@SECLEVEL=0");
  CommandResult tls12 = s_client("-tls1_2");
  CommandResult tls13 = s_client("-tls1_3");
  for (const auto* old : {&tls10, &tls11}) {
    EXPECT_NE(old->out.find("alert protocol version"), std::string::npos) << old->out;
    EXPECT_EQ(old->out.find("BEGIN CERTIFICATE"), std::string::npos) << "a handshake completed:\n"
                                                                     << old->out;
  }
  EXPECT_NE(tls12.out.find("Protocol  : TLSv1.2"), std::string::npos) << tls12.out;
  EXPECT_NE(tls12.out.find("Verify return code: 0 (ok)"), std::string::npos) << tls12.out;
  EXPECT_NE(tls13.out.find("TLSv1.3"), std::string::npos) << tls13.out;
}

TEST_F(TlsTest, TheServingCertificateNamesTheLocalAddresses) {
  auto info = pki::inspect_certificate(read_file(pki() / "apiserver.crt"));
  for (const char* ip : {"127.0.0.1", "::1"})
    EXPECT_NE(std::find(info.ip_addresses.begin(), info.ip_addresses.end(), ip), info.ip_addresses.end())
        << ip;
  EXPECT_NE(std::find(info.dns_names.begin(), info.dns_names.end(), "localhost"), info.dns_names.end());
  CommandResult by_name = run_command(
      "curl -sS --max-time 10 -o /dev/null -w '%{http_code}' --cacert " +
      shell_quote((pki() / "ca.crt").string()) + " --cert " + shell_quote((pki() / "admin.crt").string()) +
      " --key " + shell_quote((pki() / "admin.key").string()) + " https://localhost:" + port_ + "/livez");
  EXPECT_EQ(by_name.out, "200") << "the certificate must verify for https://localhost";
}

// Issue 4's walk-through: a new user is forbidden until a RoleBinding grants `edit` in
// one namespace, then may write there and still nowhere else.
TEST_F(TlsTest, UkubeKubeconfigUsersAreForbiddenUntilARoleBindingGrantsEdit) {
  const std::string ukube =
      ukube_binary().string() + " kubeconfig --data-dir " + shell_quote((node_.dir() / "data").string());
  CommandResult issued = run_command(ukube + " --user alice --group dev --group qa");
  ASSERT_EQ(issued.exit_code, 0) << issued.out;
  std::string kubectl = kubectl_binary("1.33");
  ASSERT_FALSE(kubectl.empty()) << "kubectl.1.33 not found beside the kubectl on PATH";
  auto as = [&](const fs::path& config, const std::string& args) {
    return run_command(kubectl + " --kubeconfig " + shell_quote(config.string()) + " --cache-dir " +
                       shell_quote((node_.dir() / ("cache-" + config.stem().string())).string()) + " " +
                       args);
  };
  const fs::path admin = node_.kubeconfig();
  const fs::path alice = write("alice.kubeconfig", issued.out);
  for (const char* ns : {"team-a", "team-b"})
    ASSERT_EQ(as(admin, std::string("create namespace ") + ns).exit_code, 0);

  CommandResult r = as(alice, "create configmap notes -n team-a --from-literal=k=v");
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(
      r.out.find(
          R"(configmaps is forbidden: User "alice" cannot create resource "configmaps" in API group "" in the namespace "team-a")"),
      std::string::npos)
      << r.out;

  r = as(admin, "create rolebinding alice-edit -n team-a --clusterrole=edit --user=alice");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(eventually([&] { return as(alice, "get configmaps -n team-a").exit_code == 0; }))
      << "the binding never took effect";
  r = as(alice, "create configmap notes -n team-a --from-literal=k=v");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "configmap/notes created\n");
  r = as(alice, "create configmap notes -n team-b --from-literal=k=v");
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(
      r.out.find(
          R"(User "alice" cannot create resource "configmaps" in API group "" in the namespace "team-b")"),
      std::string::npos)
      << r.out;
  r = as(alice, "get namespaces");
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(
      r.out.find(R"(User "alice" cannot list resource "namespaces" in API group "" at the cluster scope)"),
      std::string::npos)
      << r.out;

  CommandResult expired = run_command(ukube + " --user alice --days 0");
  ASSERT_EQ(expired.exit_code, 0) << expired.out;
  r = as(write("expired.kubeconfig", expired.out), "get configmaps -n team-a");
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("You must be logged in to the server"), std::string::npos) << r.out;

  CommandResult no_user = run_command(ukube);
  EXPECT_NE(no_user.exit_code, 0);
  EXPECT_NE(no_user.out.find("--user NAME is required"), std::string::npos) << no_user.out;
  CommandResult no_node =
      run_command(ukube_binary().string() + " kubeconfig --data-dir /nonexistent --user bob");
  EXPECT_NE(no_node.exit_code, 0);
  EXPECT_NE(no_node.out.find("start the node once"), std::string::npos) << no_node.out;
}

}  // namespace
}  // namespace ukube::testing
