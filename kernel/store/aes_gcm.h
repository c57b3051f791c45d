#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// AES-GCM sealing of one value (OpenSSL libcrypto), the cipher behind the `aesgcm`
// encryption provider. Sealed layout, as upstream's aesgcm transformer writes it:
// 12-byte nonce, ciphertext, 16-byte tag.
namespace ukube::store {

class AesGcm {
 public:
  static constexpr size_t kNonceBytes = 12;
  static constexpr size_t kTagBytes = 16;

  // `key` is the raw key: 16, 24 or 32 bytes (AES-128/192/256). Throws
  // std::invalid_argument for any other length.
  explicit AesGcm(std::string key);
  ~AesGcm();  // wipes the key from memory
  AesGcm(const AesGcm&) = delete;
  AesGcm& operator=(const AesGcm&) = delete;

  // A fresh random nonce per call. `aad` is authenticated but not encrypted: binding the
  // store key to the value stops a sealed value from being replayed under another key.
  std::string seal(std::string_view plaintext, std::string_view aad) const;

  // The plaintext, or false when `sealed` is truncated or fails authentication (wrong key,
  // wrong aad, altered bytes). Never throws for bad input.
  bool open(std::string_view sealed, std::string_view aad, std::string& plaintext) const;

  size_t key_bits() const { return key_.size() * 8; }

 private:
  std::string key_;
};

}  // namespace ukube::store
