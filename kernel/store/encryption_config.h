#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// The encryption-at-rest config file, in upstream's EncryptionConfiguration format
// (apiserver.config.k8s.io/v1), as named by the daemon config's `encryption_config`:
//
//   apiVersion: apiserver.config.k8s.io/v1
//   kind: EncryptionConfiguration
//   resources:
//     - resources: [secrets]
//       providers:
//         - aesgcm: {keys: [{name: key1, secret: <base64 of 16, 24 or 32 bytes>}]}
//         - identity: {}
//
// This header only parses and validates; value_encryption.h turns the result into ciphers.
namespace ukube::store {

struct ProviderSpec {
  enum class Kind { AesGcm, Identity };
  struct Key {
    std::string name;
    std::string secret;  // raw key bytes, base64-decoded
  };
  Kind kind = Kind::Identity;
  std::vector<Key> keys;  // AesGcm: in file order; the first one encrypts new writes
};

struct ResourceRule {
  std::vector<std::string> resources;     // as written: "secrets", "deployments.apps", "*.apps"
  std::vector<std::string> key_prefixes;  // the store key prefixes they cover, same order
  std::vector<ProviderSpec> providers;    // the first writes; all are tried for reads
  int line = 0;                           // where the entry starts in the file
};

struct EncryptionConfig {
  std::string source;               // the file name, for messages
  std::vector<ResourceRule> rules;  // a key belongs to the first rule with a prefix of it
};

// The file is unusable as written; the message names the file, the line when known, the
// field and what to change.
class EncryptionConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

EncryptionConfig load_encryption_config(const std::filesystem::path& file);
EncryptionConfig parse_encryption_config(std::string_view yaml, std::string source);

// The store key prefix (TypeInfo::key_prefix's layout, /<group|core>/<plural>/) of an
// upstream resource name: "secrets" -> /core/secrets/, "deployments.apps" -> /apps/deployments/;
// wildcards cover a whole group: "*.apps" -> /apps/, "*." (the core group) -> /core/,
// "*.*" -> /. Throws std::invalid_argument, saying what is wrong, for anything else.
std::string resource_key_prefix(std::string_view resource);

}  // namespace ukube::store
