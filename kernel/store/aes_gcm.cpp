#include "kernel/store/aes_gcm.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <limits>
#include <memory>
#include <stdexcept>

namespace ukube::store {
namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherCtx new_ctx() {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw std::bad_alloc();
  return ctx;
}

const EVP_CIPHER* cipher_for(size_t key_bytes) {
  switch (key_bytes) {
    case 16: return EVP_aes_128_gcm();
    case 24: return EVP_aes_192_gcm();
    case 32: return EVP_aes_256_gcm();
    default: return nullptr;
  }
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

unsigned char* bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

// OpenSSL takes int lengths; values are bounded far below this by the store's record
// limit, so this only guards against misuse.
int length(std::string_view s) {
  if (s.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    throw std::length_error("value too large to encrypt");
  return static_cast<int>(s.size());
}

}  // namespace

AesGcm::AesGcm(std::string key) : key_(std::move(key)) {
  if (!cipher_for(key_.size())) {
    size_t n = key_.size();
    OPENSSL_cleanse(key_.data(), key_.size());
    throw std::invalid_argument("an AES-GCM key must be 16, 24 or 32 bytes, not " + std::to_string(n));
  }
}

AesGcm::~AesGcm() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

std::string AesGcm::seal(std::string_view plaintext, std::string_view aad) const {
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  unsigned char* nonce = bytes(out);
  unsigned char* body = nonce + kNonceBytes;
  if (RAND_bytes(nonce, static_cast<int>(kNonceBytes)) != 1)
    throw std::runtime_error("AES-GCM: the system random generator failed to produce a nonce");
  CipherCtx ctx = new_ctx();
  int n = 0;
  bool ok = EVP_EncryptInit_ex(ctx.get(), cipher_for(key_.size()), nullptr, bytes(key_), nonce) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &n, bytes(aad), length(aad)) == 1 &&
            EVP_EncryptUpdate(ctx.get(), body, &n, bytes(plaintext), length(plaintext)) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), body + n, &n) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                                body + plaintext.size()) == 1;
  if (!ok) throw std::runtime_error("AES-GCM: OpenSSL failed to encrypt a value");
  return out;
}

bool AesGcm::open(std::string_view sealed, std::string_view aad, std::string& plaintext) const {
  if (sealed.size() < kNonceBytes + kTagBytes) return false;
  std::string_view nonce = sealed.substr(0, kNonceBytes);
  std::string_view body = sealed.substr(kNonceBytes, sealed.size() - kNonceBytes - kTagBytes);
  std::string tag(sealed.substr(sealed.size() - kTagBytes));
  plaintext.assign(body.size(), '\0');
  CipherCtx ctx = new_ctx();
  int n = 0;
  bool ok =
      EVP_DecryptInit_ex(ctx.get(), cipher_for(key_.size()), nullptr, bytes(key_), bytes(nonce)) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, bytes(aad), length(aad)) == 1 &&
      EVP_DecryptUpdate(ctx.get(), bytes(plaintext), &n, bytes(body), length(body)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), bytes(plaintext) + n, &n) == 1;
  if (!ok) plaintext.clear();  // never hand out bytes that failed authentication
  return ok;
}

}  // namespace ukube::store
