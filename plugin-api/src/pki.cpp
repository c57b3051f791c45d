#include "ukube/pki.h"

#include "ukube/base64.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace ukube::pki {
namespace {

namespace fs = std::filesystem;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* x) const { X509_free(x); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;
// (extension NID, value in OpenSSL's config syntax)
using Extensions = std::vector<std::pair<int, std::string>>;

// Certificates and public keys are not secret; keys are.
constexpr fs::perms kPublicFile =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + openssl_error());
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

KeyPtr generate_key() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("generating an ECDSA P-256 key");
  return key;
}

std::string private_key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr))
    fail("encoding a key");
  return bio_text(bio.get());
}

std::string public_key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PUBKEY(bio.get(), key)) fail("encoding a public key");
  return bio_text(bio.get());
}

std::string certificate_pem_of(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(bio.get(), cert)) fail("encoding a certificate");
  return bio_text(bio.get());
}

KeyPtr parse_key(const std::string& pem, const std::string& where) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) fail(where + " does not hold a PEM private key");
  return key;
}

CertPtr parse_certificate(const std::string& pem, const std::string& where) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) fail(where + " does not hold a PEM certificate");
  return cert;
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string() + ": " + std::strerror(errno));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void add_extension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  if (!ext || !X509_add_ext(cert, ext.get(), -1)) fail("adding certificate extension " + value);
}

void set_subject(X509_NAME* name, const Subject& subject) {
  for (const auto& o : subject.organizations)
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(o.c_str()),
                               -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(subject.common_name.c_str()), -1, -1, 0);
}

void set_serial(X509* cert) {
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), BN_free);
  if (!serial || !BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)))
    fail("choosing a certificate serial number");
}

// Signs a new certificate for `key` with `issuer_key`; a null issuer makes it self-signed.
CertPtr make_certificate(EVP_PKEY* key, const Subject& subject, X509* issuer, EVP_PKEY* issuer_key,
                         std::chrono::seconds validity, const Extensions& extensions) {
  CertPtr cert(X509_new());
  if (!cert) fail("allocating a certificate");
  X509_set_version(cert.get(), 2);
  set_serial(cert.get());
  // A little slack before now, so a peer whose clock lags accepts a fresh certificate.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(validity.count()));
  X509_set_pubkey(cert.get(), key);
  set_subject(X509_get_subject_name(cert.get()), subject);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer ? issuer : cert.get()));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : extensions) add_extension(cert.get(), &ctx, nid, value);
  if (!X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256())) fail("signing a certificate");
  return cert;
}

Extensions leaf_extensions(const char* usage) {
  return {{NID_basic_constraints, "critical,CA:FALSE"},
          {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
          {NID_ext_key_usage, usage},
          {NID_authority_key_identifier, "keyid:always"}};
}

Clock::time_point time_of(const ASN1_TIME* t) {
  std::tm tm{};
  if (!ASN1_TIME_to_tm(t, &tm)) return Clock::time_point{};
  return Clock::from_time_t(timegm(&tm));
}

// The canonical text of an IP address, or "" when `text` is not one.
std::string canonical_ip(const std::string& text) {
  unsigned char buf[sizeof(in6_addr)];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, text.c_str(), buf) == 1) return inet_ntop(AF_INET, buf, out, sizeof out);
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) return inet_ntop(AF_INET6, buf, out, sizeof out);
  return "";
}

bool file_exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

}  // namespace

void write_private_file(const fs::path& file, const std::string& content, fs::perms mode) {
  fs::path temp = file;
  temp += ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) throw std::runtime_error("cannot write " + temp.string() + ": " + std::strerror(errno));
  // The mode given to open() is masked by the umask; set it exactly.
  bool ok = ::fchmod(fd, static_cast<mode_t>(mode)) == 0;
  size_t done = 0;
  while (ok && done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), file.c_str()) != 0) {
    if (ok) saved = errno;
    ::unlink(temp.c_str());
    throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(saved));
  }
}

CertificateInfo inspect_certificate(const std::string& certificate_pem) {
  CertPtr cert = parse_certificate(certificate_pem, "the given text");
  CertificateInfo info;
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    if (n < 0) continue;
    std::string value(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
    OPENSSL_free(utf8);
    if (nid == NID_commonName) info.subject.common_name = value;
    if (nid == NID_organizationName) info.subject.organizations.push_back(value);
  }
  info.not_before = time_of(X509_get0_notBefore(cert.get()));
  info.not_after = time_of(X509_get0_notAfter(cert.get()));
  info.is_ca = X509_check_ca(cert.get()) > 0;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
    if (g->type == GEN_DNS) {
      info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(g->d.dNSName)),
                                  static_cast<size_t>(ASN1_STRING_length(g->d.dNSName)));
    } else if (g->type == GEN_IPADD) {
      char out[INET6_ADDRSTRLEN];
      int len = ASN1_STRING_length(g->d.iPAddress);
      const unsigned char* bytes = ASN1_STRING_get0_data(g->d.iPAddress);
      if ((len == 4 && inet_ntop(AF_INET, bytes, out, sizeof out)) ||
          (len == 16 && inet_ntop(AF_INET6, bytes, out, sizeof out)))
        info.ip_addresses.emplace_back(out);
    }
  }
  GENERAL_NAMES_free(names);
  return info;
}

struct CertificateAuthority::Impl {
  KeyPtr key;
  CertPtr cert;
  std::string certificate_pem;
};

CertificateAuthority::CertificateAuthority(std::string key_pem, std::string certificate_pem)
    : impl_(std::make_unique<Impl>()) {
  impl_->key = parse_key(key_pem, "the CA key");
  impl_->cert = parse_certificate(certificate_pem, "the CA certificate");
  if (X509_check_private_key(impl_->cert.get(), impl_->key.get()) != 1)
    throw std::runtime_error("the CA key does not belong to the CA certificate");
  impl_->certificate_pem = std::move(certificate_pem);
}
CertificateAuthority::~CertificateAuthority() = default;
CertificateAuthority::CertificateAuthority(CertificateAuthority&&) noexcept = default;
CertificateAuthority& CertificateAuthority::operator=(CertificateAuthority&&) noexcept = default;

CertificateAuthority CertificateAuthority::load(const fs::path& dir) {
  if (!file_exists(dir / "ca.key") && !file_exists(dir / "ca.crt"))
    throw std::runtime_error(
        "there is no cluster CA in " + dir.string() +
        ": start the node once (it creates its PKI there) or point at the node's data dir");
  return load_or_create(dir);
}

CertificateAuthority CertificateAuthority::load_or_create(const fs::path& dir,
                                                          const std::string& common_name) {
  const fs::path key_file = dir / "ca.key", cert_file = dir / "ca.crt";
  const bool has_key = file_exists(key_file), has_cert = file_exists(cert_file);
  if (has_key && has_cert) {
    try {
      return CertificateAuthority(read_text(key_file), read_text(cert_file));
    } catch (const std::exception& e) {
      throw std::runtime_error("the cluster CA in " + dir.string() + " cannot be used (" + e.what() +
                               "); restore ca.crt and ca.key from a backup (every certificate and kubeconfig "
                               "the cluster issued depends on them)");
    }
  }
  if (has_key != has_cert)
    throw std::runtime_error("the cluster CA in " + dir.string() +
                             " is incomplete: " + (has_key ? cert_file : key_file).string() +
                             " is missing; restore it from a backup, or delete the whole folder to start a "
                             "new cluster CA (every issued certificate and kubeconfig stops working)");
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::permissions(dir, fs::perms::owner_all, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  KeyPtr key = generate_key();
  CertPtr cert = make_certificate(key.get(), Subject{common_name, {}}, nullptr, nullptr,
                                  std::chrono::hours(24 * 365 * 10),
                                  {{NID_basic_constraints, "critical,CA:TRUE"},
                                   {NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"},
                                   {NID_subject_key_identifier, "hash"}});
  std::string key_pem = private_key_pem(key.get()), cert_pem = certificate_pem_of(cert.get());
  write_private_file(key_file, key_pem);
  write_private_file(cert_file, cert_pem, kPublicFile);
  return CertificateAuthority(std::move(key_pem), std::move(cert_pem));
}

const std::string& CertificateAuthority::certificate_pem() const {
  return impl_->certificate_pem;
}

KeyAndCertificate CertificateAuthority::issue_client(const Subject& subject,
                                                     std::chrono::seconds validity) const {
  KeyPtr key = generate_key();
  CertPtr cert = make_certificate(key.get(), subject, impl_->cert.get(), impl_->key.get(), validity,
                                  leaf_extensions("clientAuth"));
  return {private_key_pem(key.get()), certificate_pem_of(cert.get())};
}

KeyAndCertificate CertificateAuthority::issue_server(const Subject& subject,
                                                     const std::vector<std::string>& dns_names,
                                                     const std::vector<std::string>& ip_addresses,
                                                     std::chrono::seconds validity) const {
  std::string san;
  for (const auto& d : dns_names) san += (san.empty() ? "DNS:" : ",DNS:") + d;
  for (const auto& ip : ip_addresses) san += (san.empty() ? "IP:" : ",IP:") + ip;
  Extensions extensions = leaf_extensions("serverAuth");
  if (!san.empty()) extensions.emplace_back(NID_subject_alt_name, san);
  KeyPtr key = generate_key();
  CertPtr cert =
      make_certificate(key.get(), subject, impl_->cert.get(), impl_->key.get(), validity, extensions);
  return {private_key_pem(key.get()), certificate_pem_of(cert.get())};
}

bool CertificateAuthority::signed_by_us(const std::string& certificate_pem) const {
  try {
    CertPtr cert = parse_certificate(certificate_pem, "the certificate");
    bool ok = X509_verify(cert.get(), impl_->key.get()) == 1 &&
              X509_NAME_cmp(X509_get_issuer_name(cert.get()), X509_get_subject_name(impl_->cert.get())) == 0;
    ERR_clear_error();
    return ok;
  } catch (const std::exception&) {
    return false;
  }
}

std::string kubeconfig_yaml(const std::string& server_url, const KubeconfigCredentials& credentials) {
  std::string cluster = "    server: " + server_url + "\n";
  if (!credentials.ca_pem.empty())
    cluster += "    certificate-authority-data: " + base64_encode(credentials.ca_pem) + "\n";
  std::string user;
  if (!credentials.client_cert_pem.empty())
    user += "    client-certificate-data: " + base64_encode(credentials.client_cert_pem) + "\n";
  if (!credentials.client_key_pem.empty())
    user += "    client-key-data: " + base64_encode(credentials.client_key_pem) + "\n";
  return "apiVersion: v1\n"
         "kind: Config\n"
         "clusters:\n"
         "- name: ukube\n"
         "  cluster:\n" +
         cluster +
         "users:\n"
         "- name: ukube\n"
         "  user:" +
         (user.empty() ? " {}\n" : "\n" + user) +
         "contexts:\n"
         "- name: ukube\n"
         "  context:\n"
         "    cluster: ukube\n"
         "    user: ukube\n"
         "current-context: ukube\n";
}

std::string kubeconfig_server(const std::string& text) {
  constexpr std::string_view kKey = "    server: ";
  auto at = text.find(kKey);
  if (at == std::string::npos) return "";
  at += kKey.size();
  return text.substr(at, text.find('\n', at) - at);
}

std::vector<std::string> serving_names(const std::vector<std::string>& extra_names) {
  std::vector<std::string> names{"localhost", "127.0.0.1", "::1"};
  auto add = [&](const std::string& n) {
    if (!n.empty() && std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  };
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) add(host);
  ifaddrs* addresses = nullptr;
  if (getifaddrs(&addresses) == 0) {
    for (ifaddrs* a = addresses; a; a = a->ifa_next) {
      if (!a->ifa_addr || (a->ifa_flags & IFF_LOOPBACK)) continue;
      char out[INET6_ADDRSTRLEN];
      if (a->ifa_addr->sa_family == AF_INET) {
        add(inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, out, sizeof out));
      } else if (a->ifa_addr->sa_family == AF_INET6) {
        const auto* in6 = &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr;
        if (!IN6_IS_ADDR_LINKLOCAL(in6)) add(inet_ntop(AF_INET6, in6, out, sizeof out));
      }
    }
    freeifaddrs(addresses);
  }
  for (const auto& n : extra_names) add(canonical_ip(n).empty() ? n : canonical_ip(n));
  return names;
}

namespace {

// Whether the leaf in `cert_file`/`key_file` can stay: readable, ours, far from expiry and
// (when `names` is given) naming every one of them.
bool leaf_is_good(const CertificateAuthority& ca, const fs::path& cert_file, const fs::path& key_file,
                  const std::vector<std::string>* names, Clock::time_point now) {
  try {
    std::string pem = read_text(cert_file);
    KeyPtr key = parse_key(read_text(key_file), key_file.string());
    CertPtr cert = parse_certificate(pem, cert_file.string());
    if (X509_check_private_key(cert.get(), key.get()) != 1 || !ca.signed_by_us(pem)) return false;
    CertificateInfo info = inspect_certificate(pem);
    if (info.not_after - now < kRenewBefore) return false;
    if (!names) return true;
    std::set<std::string> have(info.dns_names.begin(), info.dns_names.end());
    have.insert(info.ip_addresses.begin(), info.ip_addresses.end());
    for (const auto& n : *names)
      if (!have.count(n)) return false;
    return true;
  } catch (const std::exception&) {
    ERR_clear_error();
    return false;
  }
}

void write_pair(const fs::path& cert_file, const fs::path& key_file, const KeyAndCertificate& pair) {
  write_private_file(key_file, pair.key_pem);
  write_private_file(cert_file, pair.certificate_pem, kPublicFile);
}

}  // namespace

ClusterPki ensure_cluster_pki(const fs::path& dir, const ClusterPkiOptions& options) {
  CertificateAuthority ca = CertificateAuthority::load_or_create(dir);
  ClusterPki pki;
  pki.dir = dir;
  pki.ca_certificate = dir / "ca.crt";
  pki.serving_certificate = dir / "apiserver.crt";
  pki.serving_key = dir / "apiserver.key";
  pki.admin_certificate = dir / "admin.crt";
  pki.admin_key = dir / "admin.key";
  pki.service_account_key = dir / "sa.key";
  pki.service_account_public_key = dir / "sa.pub";

  std::vector<std::string> names = serving_names(options.extra_names);
  if (!leaf_is_good(ca, pki.serving_certificate, pki.serving_key, &names, options.now)) {
    std::vector<std::string> dns, ips;
    for (const auto& n : names) (canonical_ip(n).empty() ? dns : ips).push_back(n);
    write_pair(pki.serving_certificate, pki.serving_key,
               ca.issue_server(Subject{"ukube-apiserver", {}}, dns, ips, kLeafValidity));
    pki.reissued.push_back(pki.serving_certificate.filename().string());
  }
  if (!leaf_is_good(ca, pki.admin_certificate, pki.admin_key, nullptr, options.now)) {
    write_pair(pki.admin_certificate, pki.admin_key,
               ca.issue_client(Subject{"ukube-admin", {"system:masters"}}, kLeafValidity));
    pki.reissued.push_back(pki.admin_certificate.filename().string());
  }
  if (!file_exists(pki.service_account_key)) {
    KeyPtr key = generate_key();
    write_private_file(pki.service_account_key, private_key_pem(key.get()));
    write_private_file(pki.service_account_public_key, public_key_pem(key.get()), kPublicFile);
  } else if (!file_exists(pki.service_account_public_key)) {
    KeyPtr key = parse_key(read_text(pki.service_account_key), pki.service_account_key.string());
    write_private_file(pki.service_account_public_key, public_key_pem(key.get()), kPublicFile);
  }
  return pki;
}

}  // namespace ukube::pki
