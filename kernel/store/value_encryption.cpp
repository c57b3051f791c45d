#include "kernel/store/value_encryption.h"

#include <algorithm>

namespace ukube::store {
namespace {

// Every encrypted value starts with this; plaintext values are JSON objects ('{').
constexpr std::string_view kEncrypted = "k8s:enc:";

std::string aesgcm_prefix(const std::string& key_name) {
  return std::string(kEncrypted) + "aesgcm:v1:" + key_name + ":";
}

// The next ':'-terminated field of an encrypted value's prefix, made safe to print
// (the bytes may be anything if the value is damaged).
std::string next_field(std::string_view& rest) {
  auto colon = rest.find(':');
  std::string_view field = rest.substr(0, std::min(colon, size_t{64}));
  rest.remove_prefix(colon == std::string_view::npos ? rest.size() : colon + 1);
  std::string out;
  for (char c : field) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

}  // namespace

struct ValueEncryption::Key {
  Key(std::string n, std::string secret)
      : name(std::move(n)), prefix(aesgcm_prefix(name)), cipher(std::move(secret)) {}
  std::string name;
  std::string prefix;
  AesGcm cipher;
  mutable std::atomic<uint64_t> seals{0};  // since the daemon started
};

struct ValueEncryption::Provider {
  ProviderSpec::Kind kind = ProviderSpec::Kind::Identity;
  std::vector<std::unique_ptr<Key>> keys;
};

struct ValueEncryption::Rule {
  std::vector<std::string> prefixes;
  std::string resources;  // "secrets, configmaps", for messages
  std::vector<Provider> providers;
  const Key* writer = nullptr;  // null: the identity provider writes plaintext
};

ValueEncryption::ValueEncryption(const EncryptionConfig& config, uint64_t seal_limit)
    : source_(config.source), seal_limit_(seal_limit) {
  for (const auto& spec : config.rules) {
    auto rule = std::make_unique<Rule>();
    rule->prefixes = spec.key_prefixes;
    for (const auto& r : spec.resources) rule->resources += (rule->resources.empty() ? "" : ", ") + r;
    for (const auto& p : spec.providers) {
      Provider provider;
      provider.kind = p.kind;
      for (const auto& k : p.keys) provider.keys.push_back(std::make_unique<Key>(k.name, k.secret));
      rule->providers.push_back(std::move(provider));
    }
    // parse_encryption_config guarantees both; a hand-built config might not.
    if (rule->providers.empty() || rule->prefixes.empty())
      throw std::invalid_argument(source_ + ": the entry for " + rule->resources +
                                  " needs resources and providers");
    const Provider& first = rule->providers.front();
    if (first.kind == ProviderSpec::Kind::AesGcm) {
      if (first.keys.empty())
        throw std::invalid_argument(source_ + ": an aesgcm provider for " + rule->resources +
                                    " needs at least one key");
      rule->writer = first.keys.front().get();
    }
    rules_.push_back(std::move(rule));
  }
}

ValueEncryption::~ValueEncryption() = default;

const ValueEncryption::Rule* ValueEncryption::rule_for(std::string_view key) const {
  for (const auto& rule : rules_)
    for (const auto& prefix : rule->prefixes)
      if (key.starts_with(prefix)) return rule.get();
  return nullptr;
}

Bytes ValueEncryption::seal(std::string_view key, const Bytes& plaintext) const {
  const Rule* rule = rule_for(key);
  if (!rule || !rule->writer || !plaintext) return plaintext;
  const Key& writer = *rule->writer;
  if (writer.seals.fetch_add(1, std::memory_order_relaxed) >= seal_limit_)
    throw std::runtime_error(
        "cannot encrypt " + std::string(key) + ": aesgcm key \"" + writer.name + "\" of " + source_ +
        " has encrypted " + std::to_string(seal_limit_) +
        " values since the daemon started, the most random nonces allow under one key; put "
        "a new key first in that provider's keys, restart the daemon and rewrite the objects");
  std::string sealed = writer.cipher.seal(*plaintext, key);
  std::string out;
  out.reserve(writer.prefix.size() + sealed.size());
  out.append(writer.prefix).append(sealed);
  return make_bytes(std::move(out));
}

bool ValueEncryption::is_encrypted(const Bytes& stored) {
  return stored && std::string_view(*stored).starts_with(kEncrypted);
}

Bytes ValueEncryption::open(std::string_view key, const Bytes& stored) const {
  if (!is_encrypted(stored)) return stored;
  const std::string_view value = *stored;
  const Rule* rule = rule_for(key);
  if (rule) {
    for (const auto& provider : rule->providers) {
      for (const auto& k : provider.keys) {
        if (!value.starts_with(k->prefix)) continue;
        std::string plaintext;
        if (!k->cipher.open(value.substr(k->prefix.size()), key, plaintext))
          cannot_open(key, value, rule, k.get());
        return make_bytes(std::move(plaintext));
      }
    }
  }
  cannot_open(key, value, rule, nullptr);
}

void ValueEncryption::cannot_open(std::string_view key, std::string_view stored, const Rule* rule,
                                  const Key* rejected) const {
  const std::string what = "cannot decrypt " + std::string(key) + ": ";
  if (rejected)
    throw DecryptError(
        what + "aesgcm key \"" + rejected->name + "\" of " + source_ +
        " rejects the value (authentication failed): it was encrypted under a different secret with "
        "the same key name, or its stored bytes were altered; put the secret that wrote it back "
        "under that name");
  std::string_view rest = stored.substr(kEncrypted.size());
  const std::string provider = next_field(rest);
  const std::string version = next_field(rest);
  const std::string name = next_field(rest);
  const std::string by =
      "it was encrypted by the " + provider + " provider (" + version + ") with key \"" + name + "\"";
  if (provider != "aesgcm")
    throw DecryptError(what + by +
                       ", which ukube cannot read (it supports aesgcm and identity); re-encrypt the "
                       "objects with aesgcm where they were written");
  if (!rule)
    throw DecryptError(
        what + by + ", but " + source_ +
        " does not list this resource any more; add it back to a resources entry with that key among "
        "the aesgcm provider's keys, and rewrite the objects before removing it");
  throw DecryptError(
      what + by + ", which " + source_ + " does not list for " + rule->resources +
      "; add that key back to the aesgcm provider's keys (after the key that writes), restart the "
      "daemon, and rewrite the objects before removing it");
}

std::vector<std::string> ValueEncryption::describe() const {
  std::vector<std::string> lines;
  for (const auto& rule : rules_) {
    std::string writes = rule->writer ? "aesgcm key \"" + rule->writer->name + "\" (AES-" +
                                            std::to_string(rule->writer->cipher.key_bits()) + "-GCM)"
                                      : std::string("identity (no encryption)");
    std::string reads;
    for (const auto& provider : rule->providers) {
      if (provider.kind == ProviderSpec::Kind::Identity) continue;
      for (const auto& k : provider.keys)
        if (k.get() != rule->writer)
          reads += (reads.empty() ? "" : ", ") + ("aesgcm key \"" + k->name + "\"");
    }
    lines.push_back(rule->resources + ": written with " + writes + "; also reads " +
                    (reads.empty() ? std::string() : reads + " and ") + "unencrypted values");
  }
  return lines;
}

}  // namespace ukube::store
