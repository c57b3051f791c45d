#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/store/aes_gcm.h"
#include "kernel/store/encryption_config.h"
#include "ukube/store.h"

// Turns plaintext store values into what is kept at rest and back, per key, following an
// EncryptionConfig. Stored layout as upstream: "k8s:enc:aesgcm:v1:<key name>:" followed by
// AesGcm's sealed bytes, with the store key as additional authenticated data. A value
// without the "k8s:enc:" prefix is plaintext (stored before encryption was enabled, or by
// the identity provider) and is always readable.
namespace ukube::store {

// A stored value cannot be turned back into plaintext; the message names the store key,
// the provider and key name, the config file, and what to do.
class DecryptError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ValueEncryption {
 public:
  // Random 96-bit nonces stay safe for 2^32 encryptions under one key (NIST SP 800-38D);
  // counted per key since the daemon started, so rotate well before.
  static constexpr uint64_t kDefaultSealLimit = uint64_t{1} << 32;

  // Throws std::invalid_argument for what parse_encryption_config would have refused (an
  // entry without providers, an aesgcm provider without keys, a key of the wrong size).
  explicit ValueEncryption(const EncryptionConfig& config, uint64_t seal_limit = kDefaultSealLimit);
  ~ValueEncryption();
  ValueEncryption(const ValueEncryption&) = delete;
  ValueEncryption& operator=(const ValueEncryption&) = delete;

  // Whether `key` belongs to a configured resource (its values go through seal/open).
  bool covers(std::string_view key) const { return rule_for(key) != nullptr; }

  // What to store for `plaintext` under `key`: sealed by the first provider of the key's
  // rule; `plaintext` itself (the same pointer) when that provider is identity or the key
  // is not covered. Throws std::runtime_error when the writing key reached its limit.
  Bytes seal(std::string_view key, const Bytes& plaintext) const;

  // The plaintext of a stored value; `stored` itself (the same pointer) when it is not
  // encrypted, and null for null. Throws DecryptError.
  Bytes open(std::string_view key, const Bytes& stored) const;

  // Whether a stored value is in the encrypted layout (cheap: a prefix compare).
  static bool is_encrypted(const Bytes& stored);

  // One line per rule for the startup log: which resources, who writes, who else reads.
  std::vector<std::string> describe() const;

 private:
  struct Key;
  struct Provider;
  struct Rule;
  const Rule* rule_for(std::string_view key) const;
  [[noreturn]] void cannot_open(std::string_view key, std::string_view stored, const Rule* rule,
                                const Key* rejected) const;

  std::string source_;
  uint64_t seal_limit_;
  std::vector<std::unique_ptr<Rule>> rules_;
};

}  // namespace ukube::store
