#pragma once

#include <optional>
#include <string>
#include <vector>

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;

// Client certificates on a TLS server, as upstream's servers take them: asked for, never
// required (a bearer token may authenticate instead), and judged after the handshake, so
// a bad certificate earns a 401 rather than a broken connection.
namespace ukube::net {

// Asks clients for a certificate and lets the handshake succeed whatever they send;
// `session_context` names the server for TLS session resumption.
void ask_for_client_certificates(SSL_CTX* context, const char* session_context);

struct PeerCertificate {
  std::optional<std::string> common_name;  // set only when the certificate verified
  std::vector<std::string> organizations;
  bool unverified = false;  // one was presented that does not chain to the CA, or expired
};

// What the finished handshake says about the client's certificate.
PeerCertificate peer_certificate(SSL* ssl);

}  // namespace ukube::net
