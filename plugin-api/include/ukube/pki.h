#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ukube/export.h"

// The cluster's certificates: one CA that signs the API server's serving certificate and
// every client certificate (admin, users, nodes), plus the key pair that signs
// ServiceAccount tokens. Everything is PEM on disk under one folder, keys mode 0600.
// Keys are ECDSA P-256: small, fast to sign and verify, and accepted by every client
// library Kubernetes users run.
namespace ukube::pki {

using Clock = std::chrono::system_clock;

struct Subject {
  std::string common_name;                 // the user name for client certificates
  std::vector<std::string> organizations;  // the groups for client certificates
};

struct KeyAndCertificate {
  std::string key_pem;
  std::string certificate_pem;
};

// What a certificate says about itself.
struct CertificateInfo {
  Subject subject;
  Clock::time_point not_before;
  Clock::time_point not_after;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  bool is_ca = false;
};

// Throws std::runtime_error naming the PEM that is not a certificate.
CertificateInfo UKUBE_API inspect_certificate(const std::string& certificate_pem);

class UKUBE_API CertificateAuthority {
 public:
  // Loads <dir>/ca.crt and <dir>/ca.key, creating both (and `dir`, mode 0700) when
  // neither exists. Throws std::runtime_error naming the file when only one exists or
  // either is unreadable, so a half-deleted PKI is never silently replaced.
  static CertificateAuthority load_or_create(const std::filesystem::path& dir,
                                             const std::string& common_name = "ukube-ca");
  // Loads an existing CA only; throws std::runtime_error saying what is missing.
  static CertificateAuthority load(const std::filesystem::path& dir);
  CertificateAuthority(std::string key_pem, std::string certificate_pem);
  ~CertificateAuthority();
  CertificateAuthority(CertificateAuthority&&) noexcept;
  CertificateAuthority& operator=(CertificateAuthority&&) noexcept;

  const std::string& certificate_pem() const;

  KeyAndCertificate issue_client(const Subject& subject, std::chrono::seconds validity) const;
  KeyAndCertificate issue_server(const Subject& subject, const std::vector<std::string>& dns_names,
                                 const std::vector<std::string>& ip_addresses,
                                 std::chrono::seconds validity) const;

  // Whether this CA signed `certificate_pem` (the signature checks out against our key).
  bool signed_by_us(const std::string& certificate_pem) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Upstream's leaf lifetime; certificates are re-issued once they are this close to expiry.
inline constexpr std::chrono::seconds kLeafValidity = std::chrono::hours(24 * 365);
inline constexpr std::chrono::seconds kRenewBefore = std::chrono::hours(24 * 90);

struct ClusterPkiOptions {
  std::vector<std::string> extra_names;  // extra SANs: DNS names or IP addresses
  Clock::time_point now = Clock::now();
};

// The files of a node's PKI, all under one folder.
struct ClusterPki {
  std::filesystem::path dir;
  std::filesystem::path ca_certificate;                    // ca.crt
  std::filesystem::path serving_certificate, serving_key;  // apiserver.crt / .key
  std::filesystem::path admin_certificate, admin_key;      // admin.crt / .key (O=system:masters)
  std::filesystem::path service_account_key, service_account_public_key;  // sa.key / sa.pub
  std::vector<std::string> reissued;  // which leaf certificates this call (re)wrote, for the log
};

// Creates what is missing and re-issues a leaf certificate that is unreadable, not signed
// by the CA, within kRenewBefore of expiry, or (serving) missing one of the names it must
// carry: localhost, 127.0.0.1, ::1, the host name, the host's addresses and `extra_names`.
// Idempotent; keys of valid certificates are kept.
ClusterPki UKUBE_API ensure_cluster_pki(const std::filesystem::path& dir,
                                        const ClusterPkiOptions& options = {});

// The names ensure_cluster_pki puts in the serving certificate.
std::vector<std::string> UKUBE_API serving_names(const std::vector<std::string>& extra_names);

// What a kubeconfig embeds (PEM; empty fields are left out).
struct KubeconfigCredentials {
  std::string ca_pem;           // verifies the server
  std::string client_cert_pem;  // identifies the user
  std::string client_key_pem;
};

// A kubeconfig with one cluster, user and context, all named "ukube".
std::string UKUBE_API kubeconfig_yaml(const std::string& server_url,
                                      const KubeconfigCredentials& credentials = {});
// The `server:` URL of a kubeconfig kubeconfig_yaml wrote; empty when there is none.
std::string UKUBE_API kubeconfig_server(const std::string& kubeconfig_text);

// Writes `content` to `file` atomically (temp file, fsync, rename) with `mode` from the
// start. Throws std::runtime_error naming the file.
void UKUBE_API write_private_file(const std::filesystem::path& file, const std::string& content,
                                  std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                                std::filesystem::perms::owner_write);

}  // namespace ukube::pki
