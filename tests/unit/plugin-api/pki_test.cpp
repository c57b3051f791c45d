#include "ukube/pki.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>

namespace ukube::pki {
namespace {

namespace fs = std::filesystem;

class PkiTest : public ::testing::Test {
 protected:
  PkiTest() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("ukube-pki-" + std::to_string(rd()) + std::to_string(rd()));
  }
  ~PkiTest() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 0777;
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  static bool has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }
  // Asks the openssl command, an independent implementation, to verify the chain.
  static std::string openssl_verify(const fs::path& ca, const fs::path& cert, const char* purpose) {
    std::string cmd = "openssl verify -purpose " + std::string(purpose) + " -CAfile " + ca.string() + " " +
                      cert.string() + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[512];
    while (p && fgets(buf, sizeof buf, p)) out += buf;
    if (p) pclose(p);
    return out;
  }

  fs::path dir_;
};

TEST_F(PkiTest, CreatesTheCaOnceAndLoadsItAfterwards) {
  auto ca = CertificateAuthority::load_or_create(dir_);
  EXPECT_EQ(mode_of(dir_), 0700u);
  EXPECT_EQ(mode_of(dir_ / "ca.key"), 0600u);
  CertificateInfo info = inspect_certificate(ca.certificate_pem());
  EXPECT_TRUE(info.is_ca);
  EXPECT_EQ(info.subject.common_name, "ukube-ca");
  EXPECT_GT(info.not_after - Clock::now(), std::chrono::hours(24 * 365 * 9));

  auto again = CertificateAuthority::load_or_create(dir_);
  EXPECT_EQ(again.certificate_pem(), ca.certificate_pem());
}

TEST_F(PkiTest, RefusesAHalfDeletedCa) {
  CertificateAuthority::load_or_create(dir_);
  fs::remove(dir_ / "ca.crt");
  try {
    CertificateAuthority::load_or_create(dir_);
    FAIL() << "a CA without its certificate was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((dir_ / "ca.crt").string() + " is missing"), std::string::npos)
        << e.what();
  }
  std::ofstream(dir_ / "ca.crt") << "not a certificate";
  EXPECT_THROW(CertificateAuthority::load_or_create(dir_), std::runtime_error);
}

TEST_F(PkiTest, IssuesClientAndServerCertificatesThatOpensslVerifies) {
  auto ca = CertificateAuthority::load_or_create(dir_);
  KeyAndCertificate alice = ca.issue_client(Subject{"alice", {"dev", "qa"}}, std::chrono::hours(24));
  CertificateInfo info = inspect_certificate(alice.certificate_pem);
  EXPECT_EQ(info.subject.common_name, "alice");
  EXPECT_EQ(info.subject.organizations, (std::vector<std::string>{"dev", "qa"}));
  EXPECT_FALSE(info.is_ca);
  EXPECT_TRUE(ca.signed_by_us(alice.certificate_pem));
  std::ofstream(dir_ / "alice.crt") << alice.certificate_pem;
  EXPECT_NE(openssl_verify(dir_ / "ca.crt", dir_ / "alice.crt", "sslclient").find(": OK"), std::string::npos);
  EXPECT_EQ(openssl_verify(dir_ / "ca.crt", dir_ / "alice.crt", "sslserver").find(": OK"), std::string::npos)
      << "a client certificate must not serve";

  KeyAndCertificate server =
      ca.issue_server(Subject{"srv", {}}, {"example.test"}, {"10.1.2.3", "fd00::1"}, std::chrono::hours(24));
  info = inspect_certificate(server.certificate_pem);
  EXPECT_EQ(info.dns_names, (std::vector<std::string>{"example.test"}));
  EXPECT_EQ(info.ip_addresses, (std::vector<std::string>{"10.1.2.3", "fd00::1"}));
  std::ofstream(dir_ / "srv.crt") << server.certificate_pem;
  EXPECT_NE(openssl_verify(dir_ / "ca.crt", dir_ / "srv.crt", "sslserver").find(": OK"), std::string::npos);

  auto other = CertificateAuthority::load_or_create(dir_ / "other");
  EXPECT_FALSE(other.signed_by_us(alice.certificate_pem));
  EXPECT_FALSE(ca.signed_by_us("garbage"));
}

TEST_F(PkiTest, EnsureCreatesEverythingOnceWithPrivateKeys) {
  ClusterPki pki = ensure_cluster_pki(dir_, {.extra_names = {"api.example.test", "192.0.2.7"}});
  EXPECT_EQ(pki.reissued, (std::vector<std::string>{"apiserver.crt", "admin.crt"}));
  for (const auto& key : {pki.serving_key, pki.admin_key, pki.service_account_key, dir_ / "ca.key"})
    EXPECT_EQ(mode_of(key), 0600u) << key;
  CertificateInfo serving = inspect_certificate(read(pki.serving_certificate));
  for (const char* name : {"localhost", "api.example.test"})
    EXPECT_TRUE(has(serving.dns_names, name)) << name;
  for (const char* ip : {"127.0.0.1", "::1", "192.0.2.7"}) EXPECT_TRUE(has(serving.ip_addresses, ip)) << ip;
  CertificateInfo admin = inspect_certificate(read(pki.admin_certificate));
  EXPECT_EQ(admin.subject.organizations, (std::vector<std::string>{"system:masters"}));
  EXPECT_NE(read(pki.service_account_public_key).find("BEGIN PUBLIC KEY"), std::string::npos);

  std::string serving_before = read(pki.serving_certificate), sa_before = read(pki.service_account_key);
  ClusterPki again = ensure_cluster_pki(dir_, {.extra_names = {"api.example.test", "192.0.2.7"}});
  EXPECT_TRUE(again.reissued.empty());
  EXPECT_EQ(read(pki.serving_certificate), serving_before);
  EXPECT_EQ(read(pki.service_account_key), sa_before);
}

TEST_F(PkiTest, EnsureReissuesForNewNamesNearExpiryAndDamage) {
  ClusterPki pki = ensure_cluster_pki(dir_);
  std::string admin_before = read(pki.admin_certificate);

  ClusterPki renamed = ensure_cluster_pki(dir_, {.extra_names = {"new.example.test"}});
  EXPECT_EQ(renamed.reissued, (std::vector<std::string>{"apiserver.crt"}));
  EXPECT_TRUE(has(inspect_certificate(read(pki.serving_certificate)).dns_names, "new.example.test"));
  EXPECT_EQ(read(pki.admin_certificate), admin_before);

  // 300 days on, both leaves are inside the renewal window; the CA and SA key stay.
  std::string ca_before = read(pki.ca_certificate), sa_before = read(pki.service_account_key);
  ClusterPki later = ensure_cluster_pki(
      dir_, {.extra_names = {"new.example.test"}, .now = Clock::now() + std::chrono::hours(24 * 300)});
  EXPECT_EQ(later.reissued, (std::vector<std::string>{"apiserver.crt", "admin.crt"}));
  EXPECT_EQ(read(pki.ca_certificate), ca_before);
  EXPECT_EQ(read(pki.service_account_key), sa_before);

  std::ofstream(pki.admin_certificate) << "damaged";
  ClusterPki repaired = ensure_cluster_pki(dir_, {.extra_names = {"new.example.test"}});
  EXPECT_EQ(repaired.reissued, (std::vector<std::string>{"admin.crt"}));
  EXPECT_NO_THROW(inspect_certificate(read(pki.admin_certificate)));
}

}  // namespace
}  // namespace ukube::pki
