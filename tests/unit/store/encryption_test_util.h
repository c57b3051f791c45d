#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "kernel/store/decrypting_sink.h"
#include "kernel/store/embedded_store.h"
#include "kernel/store/encrypting_store.h"
#include "kernel/store/encryption_config.h"
#include "store_test_util.h"
#include "ukube/base64.h"
#include "ukube/testing/recording_sink.h"

// A real EmbeddedStore with the encryption decorators around it, as the daemon wires them.
namespace ukube::store::test_support {

// A distinct, valid 32-byte AES key per seed, base64 as the config file wants it.
inline std::string test_key(char seed) {
  std::string raw(32, seed);
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<char>(raw[i] + static_cast<char>(i));
  return base64_encode(raw);
}

// An EncryptionConfiguration: `resources` (YAML flow list) encrypted by `providers`
// (YAML block list items, indented by 8).
inline std::string encryption_yaml(const std::string& resources, const std::string& providers) {
  return "apiVersion: apiserver.config.k8s.io/v1\n"
         "kind: EncryptionConfiguration\n"
         "resources:\n"
         "  - resources: " +
         resources +
         "\n"
         "    providers:\n" +
         providers;
}

inline std::string aesgcm(const std::vector<std::pair<std::string, char>>& keys) {
  std::string out = "      - aesgcm:\n          keys:\n";
  for (const auto& [name, seed] : keys)
    out += "            - {name: " + name + ", secret: " + test_key(seed) + "}\n";
  return out;
}

inline const std::string kIdentity = "      - identity: {}\n";

class EncryptedStack {
 public:
  // `yaml` empty: no encryption (the store as it was before encryption was enabled).
  EncryptedStack(const std::filesystem::path& dir, const std::string& yaml, uint64_t seal_limit = 0) {
    if (!yaml.empty()) {
      auto config = parse_encryption_config(yaml, "enc.yaml");
      encryption = seal_limit ? std::make_shared<ValueEncryption>(config, seal_limit)
                              : std::make_shared<ValueEncryption>(config);
      decrypting = std::make_unique<DecryptingSink>(events, encryption, log.logger);
    }
    auto options = options_for(dir, log.logger);
    options.sink = decrypting ? static_cast<EventSink*>(decrypting.get()) : &events;
    inner = EmbeddedStore::open(options);
    if (encryption) encrypted = std::make_unique<EncryptingStore>(*inner, encryption, log.logger);
  }
  ~EncryptedStack() {
    encrypted.reset();
    if (inner) inner->close();
  }

  Store& store() { return encrypted ? static_cast<Store&>(*encrypted) : *inner; }
  // What the backend holds for `key`, as it is kept at rest.
  std::string raw(const std::string& key) {
    auto kv = inner->get(key);
    return kv ? *kv->value : "<absent>";
  }

  CapturedLog log;
  ukube::testing::RecordingSink events;
  std::shared_ptr<ValueEncryption> encryption;
  std::unique_ptr<DecryptingSink> decrypting;
  std::unique_ptr<EmbeddedStore> inner;
  std::unique_ptr<EncryptingStore> encrypted;
};

}  // namespace ukube::store::test_support
