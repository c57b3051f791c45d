#pragma once

#include <memory>
#include <string>
#include <string_view>

// ECDSA P-256 with SHA-256 (JWS "ES256"), the signature JWTs carry: raw r||s, 32 bytes
// each, not the DER that OpenSSL produces. The key id is what upstream puts in `kid`:
// base64url(SHA-256(DER SubjectPublicKeyInfo)), so a verifier can pick the right key and
// the id reveals nothing about the key.
namespace ukube::authn::sa {

class Es256Key {
 public:
  // `source` names where the PEM came from, for error messages. Throws std::runtime_error
  // when the PEM is not a P-256 key.
  static Es256Key from_private_pem(const std::string& pem, const std::string& source);
  static Es256Key from_public_pem(const std::string& pem, const std::string& source);
  ~Es256Key();
  Es256Key(Es256Key&&) noexcept;
  Es256Key& operator=(Es256Key&&) noexcept;

  const std::string& key_id() const { return key_id_; }
  bool can_sign() const { return private_; }
  // 64 bytes r||s. Throws std::logic_error on a public-only key.
  std::string sign(std::string_view data) const;
  bool verify(std::string_view data, std::string_view signature) const;

 private:
  struct Key;
  Es256Key(std::unique_ptr<Key> key, bool has_private, const std::string& source);
  std::unique_ptr<Key> key_;
  bool private_ = false;
  std::string key_id_;
};

}  // namespace ukube::authn::sa
