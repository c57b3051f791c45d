#include "es256.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <stdexcept>

#include "ukube/base64.h"

namespace ukube::authn::sa {
namespace {

constexpr size_t kHalf = 32;  // bytes of r and of s on P-256

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

BioPtr memory_bio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

bool is_p256(EVP_PKEY* key) {
  if (EVP_PKEY_base_id(key) != EVP_PKEY_EC) return false;
  char curve[64] = {};
  size_t len = 0;
  if (!EVP_PKEY_get_utf8_string_param(key, "group", curve, sizeof curve, &len)) return false;
  return std::string_view(curve, len) == "prime256v1" || std::string_view(curve, len) == "P-256";
}

std::string key_id_of(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0) throw std::runtime_error("cannot encode the ServiceAccount public key");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(len), digest);
  OPENSSL_free(der);
  return base64_encode(std::string_view(reinterpret_cast<char*>(digest), sizeof digest), Base64::Url);
}

}  // namespace

struct Es256Key::Key {
  explicit Key(EVP_PKEY* k) : pkey(k) {}
  ~Key() { EVP_PKEY_free(pkey); }
  EVP_PKEY* pkey;
};

Es256Key::Es256Key(std::unique_ptr<Key> key, bool has_private, const std::string& source)
    : key_(std::move(key)), private_(has_private) {
  if (!is_p256(key_->pkey))
    throw std::runtime_error(source + " is not an ECDSA P-256 key, which ES256 tokens need");
  key_id_ = key_id_of(key_->pkey);
}

Es256Key::~Es256Key() = default;
Es256Key::Es256Key(Es256Key&&) noexcept = default;
Es256Key& Es256Key::operator=(Es256Key&&) noexcept = default;

Es256Key Es256Key::from_private_pem(const std::string& pem, const std::string& source) {
  auto bio = memory_bio(pem);
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!key) throw std::runtime_error(source + " holds no PEM private key");
  return Es256Key(std::make_unique<Key>(key), true, source);
}

Es256Key Es256Key::from_public_pem(const std::string& pem, const std::string& source) {
  auto bio = memory_bio(pem);
  EVP_PKEY* key = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!key) throw std::runtime_error(source + " holds no PEM public key");
  return Es256Key(std::make_unique<Key>(key), false, source);
}

std::string Es256Key::sign(std::string_view data) const {
  if (!private_) throw std::logic_error("signing needs the private key");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->pkey) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1)
    throw std::runtime_error("ES256 signing failed");
  std::string der(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    throw std::runtime_error("ES256 signing failed");
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
  if (!sig) throw std::runtime_error("ES256 signing produced no signature");
  std::string raw(2 * kHalf, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, kHalf) != kHalf ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + kHalf, kHalf) != kHalf)
    throw std::runtime_error("ES256 signature does not fit 64 bytes");
  return raw;
}

bool Es256Key::verify(std::string_view data, std::string_view signature) const {
  if (signature.size() != 2 * kHalf) return false;
  const auto* raw = reinterpret_cast<const unsigned char*>(signature.data());
  SigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw, kHalf, nullptr);
  BIGNUM* s = BN_bin2bn(raw + kHalf, kHalf, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->pkey) == 1 &&
            EVP_DigestVerify(ctx.get(), der, static_cast<size_t>(der_len),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  OPENSSL_free(der);
  return ok;
}

}  // namespace ukube::authn::sa
