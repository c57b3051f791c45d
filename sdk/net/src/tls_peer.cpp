#include "ukube/net/tls_peer.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstring>

#include "ukube/pki.h"

namespace ukube::net {
namespace {

int accept_any(int, X509_STORE_CTX*) {
  return 1;
}

}  // namespace

void ask_for_client_certificates(SSL_CTX* context, const char* session_context) {
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, accept_any);
  SSL_CTX_set_session_id_context(context, reinterpret_cast<const unsigned char*>(session_context),
                                 static_cast<unsigned>(std::strlen(session_context)));
}

PeerCertificate peer_certificate(SSL* ssl) {
  PeerCertificate out;
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return out;
  if (SSL_get_verify_result(ssl) == X509_V_OK) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    try {
      pki::CertificateInfo info = pki::inspect_certificate(std::string(data, static_cast<size_t>(n)));
      out.common_name = info.subject.common_name;
      out.organizations = info.subject.organizations;
    } catch (const std::exception&) {
    }
    BIO_free(bio);
  } else {
    out.unverified = true;
  }
  X509_free(cert);
  return out;
}

}  // namespace ukube::net
