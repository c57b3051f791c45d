#include "kernel/store/encryption_config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "ukube/base64.h"

namespace ukube::store {
namespace {

constexpr std::string_view kApiVersion = "apiserver.config.k8s.io/v1";
constexpr std::string_view kKind = "EncryptionConfiguration";

bool lower_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool valid_name_part(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (char c : s)
    if (!lower_name_char(c)) return false;
  return true;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

class Parser {
 public:
  explicit Parser(std::string source) : source_(std::move(source)) {}

  EncryptionConfig parse(std::string_view text) {
    YAML::Node loaded;
    try {
      loaded = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
      throw EncryptionConfigError(source_ + ":" + std::to_string(e.mark.line + 1) +
                                  ": invalid YAML: " + e.msg);
    }
    const YAML::Node& root = loaded;  // const access never inserts the keys it looks up
    if (!root.IsMap())
      fail(root, "an encryption config must be a mapping with apiVersion: " + std::string(kApiVersion) +
                     ", kind: " + std::string(kKind) + " and resources");
    check_keys(root, {"apiVersion", "kind", "resources"}, "top-level field");
    expect_scalar(root, "apiVersion", kApiVersion);
    expect_scalar(root, "kind", kKind);
    EncryptionConfig config;
    config.source = source_;
    const YAML::Node& resources = root["resources"];
    if (!resources || !resources.IsSequence() || resources.size() == 0)
      fail(resources ? resources : root,
           "resources must be a non-empty list of {resources: [...], providers: [...]} entries");
    for (const auto& entry : resources) config.rules.push_back(rule_of(entry, config));
    return config;
  }

 private:
  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const {
    int line = at.Mark().line >= 0 ? at.Mark().line + 1 : 0;
    throw EncryptionConfigError((line ? source_ + ":" + std::to_string(line) : source_) + ": " + message);
  }

  void check_keys(const YAML::Node& map, const std::vector<std::string>& known,
                  const std::string& what) const {
    std::set<std::string> seen;
    for (const auto& entry : map) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
      if (!seen.insert(key).second) fail(entry.first, "duplicate field \"" + key + "\"; keep only one");
      bool ok = false;
      for (const auto& k : known) ok = ok || k == key;
      if (!ok) fail(entry.first, "unknown " + what + " \"" + key + "\"; known fields: " + join(known));
    }
  }

  void expect_scalar(const YAML::Node& map, const std::string& field, std::string_view expected) const {
    const YAML::Node& n = map[field];
    if (!n) fail(map, "missing " + field + "; add " + field + ": " + std::string(expected));
    if (!n.IsScalar() || n.Scalar() != expected)
      fail(n, field + " must be " + std::string(expected) +
                  (n.IsScalar() ? ", not \"" + n.Scalar() + "\"" : ""));
  }

  YAML::Node list_field(const YAML::Node& map, const std::string& field, const std::string& what) const {
    YAML::Node n = map[field];
    if (!n || !n.IsSequence() || n.size() == 0)
      fail(n ? n : map, field + " must be a non-empty list of " + what);
    return n;
  }

  ResourceRule rule_of(const YAML::Node& node, const EncryptionConfig& config) const {
    if (!node.IsMap())
      fail(node, "each resources entry must be a mapping {resources: [secrets, ...], providers: [...]}");
    check_keys(node, {"resources", "providers"}, "field of a resources entry");
    ResourceRule rule;
    rule.line = node.Mark().line + 1;
    for (const auto& r : list_field(node, "resources", "resource names, e.g. [secrets, configmaps]")) {
      if (!r.IsScalar()) fail(r, "each resource must be a name such as secrets or deployments.apps");
      std::string prefix;
      try {
        prefix = resource_key_prefix(r.Scalar());
      } catch (const std::invalid_argument& e) {
        fail(r, e.what());
      }
      check_not_masked(r, prefix, config, rule);
      rule.resources.push_back(r.Scalar());
      rule.key_prefixes.push_back(std::move(prefix));
    }
    std::set<std::string> key_names;
    bool identity = false;
    for (const auto& p :
         list_field(node, "providers", "providers, e.g. [{aesgcm: {keys: [...]}}, {identity: {}}]")) {
      ProviderSpec spec = provider_of(p, key_names);
      if (spec.kind == ProviderSpec::Kind::Identity) {
        if (identity) fail(p, "identity is listed twice in this entry's providers; keep one");
        identity = true;
      }
      rule.providers.push_back(std::move(spec));
    }
    return rule;
  }

  // A key belongs to the first rule covering it, so a resource that an earlier resource
  // (or wildcard) already covers would silently get the earlier providers: refused, as
  // upstream does.
  void check_not_masked(const YAML::Node& at, const std::string& prefix, const EncryptionConfig& config,
                        const ResourceRule& current) const {
    auto check = [&](const ResourceRule& rule) {
      for (size_t i = 0; i < rule.key_prefixes.size(); ++i)
        if (prefix.starts_with(rule.key_prefixes[i]))
          fail(at, "resource \"" + at.Scalar() + "\" is already covered by \"" + rule.resources[i] +
                       "\" (line " + std::to_string(rule.line) +
                       "), which comes first and would decide its providers; list it once, or move the "
                       "specific entry above the wildcard");
    };
    for (const auto& rule : config.rules) check(rule);
    check(current);
  }

  ProviderSpec provider_of(const YAML::Node& node, std::set<std::string>& key_names) const {
    const std::string example = "e.g. {aesgcm: {keys: [{name: key1, secret: <base64>}]}} or {identity: {}}";
    if (!node.IsMap() || node.size() != 1)
      fail(node, "each provider must be a mapping with exactly one provider name, " + example);
    const auto entry = *node.begin();
    const std::string name = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
    const YAML::Node& body = entry.second;
    ProviderSpec spec;
    if (name == "identity") {
      if (!body.IsNull() && !(body.IsMap() && body.size() == 0))
        fail(body, "identity takes no settings; write identity: {}");
      spec.kind = ProviderSpec::Kind::Identity;
      return spec;
    }
    if (name == "aesgcm") {
      spec.kind = ProviderSpec::Kind::AesGcm;
      if (!body.IsMap()) fail(entry.first, "aesgcm must be a mapping with keys, " + example);
      check_keys(body, {"keys"}, "aesgcm field");
      for (const auto& k : list_field(body, "keys", "{name, secret} keys"))
        spec.keys.push_back(key_of(k, key_names));
      return spec;
    }
    if (name == "aescbc")
      fail(entry.first,
           "the aescbc provider is not supported (upstream recommends against it: CBC is open to "
           "padding-oracle "
           "attacks); use aesgcm with the same kind of key");
    if (name == "secretbox")
      fail(entry.first,
           "the secretbox provider is not supported: ukube is built without libsodium (XSalsa20-Poly1305); "
           "use "
           "aesgcm with a 32-byte key");
    if (name == "kms")
      fail(entry.first,
           "the kms provider is not supported: ukube has no KMS plugin client; use aesgcm with a key kept in "
           "this "
           "file (readable only by the daemon's user)");
    fail(entry.first, "unknown provider \"" + name + "\"; use aesgcm or identity, " + example);
  }

  ProviderSpec::Key key_of(const YAML::Node& node, std::set<std::string>& key_names) const {
    if (!node.IsMap()) fail(node, "each aesgcm key must be a mapping {name: key1, secret: <base64>}");
    check_keys(node, {"name", "secret"}, "aesgcm key field");
    const YAML::Node& name = node["name"];
    if (!name || !name.IsScalar() || name.Scalar().empty())
      fail(name ? name : node, "each aesgcm key needs a name, e.g. name: key1");
    // The name is part of the stored prefix k8s:enc:aesgcm:v1:<name>: and ends at a colon.
    if (name.Scalar().find(':') != std::string::npos)
      fail(name,
           "key name \"" + name.Scalar() + "\" must not contain ':' (it ends the stored value's prefix)");
    if (!key_names.insert(name.Scalar()).second)
      fail(name,
           "key name \"" + name.Scalar() +
               "\" is used twice in this entry; every key of an entry needs its own name, since the name "
               "stored with a value picks the key that opens it");
    const YAML::Node& secret = node["secret"];
    if (!secret || !secret.IsScalar() || secret.Scalar().empty())
      fail(secret ? secret : node,
           "aesgcm key \"" + name.Scalar() +
               "\" needs a secret: the base64 of 16, 24 or 32 random bytes, e.g. from "
               "`head -c 32 /dev/urandom | base64`");
    auto raw = base64_decode(secret.Scalar());
    if (!raw)
      fail(secret, "the secret of aesgcm key \"" + name.Scalar() +
                       "\" is not valid base64; generate one with `head -c 32 /dev/urandom | base64`");
    if (raw->size() != 16 && raw->size() != 24 && raw->size() != 32)
      fail(secret,
           "the secret of aesgcm key \"" + name.Scalar() + "\" decodes to " + std::to_string(raw->size()) +
               " bytes; AES needs 16, 24 or 32 (generate one with `head -c 32 /dev/urandom | base64`)");
    return {name.Scalar(), std::move(*raw)};
  }

  std::string source_;
};

}  // namespace

std::string resource_key_prefix(std::string_view resource) {
  const std::string quoted = "\"" + std::string(resource) + "\"";
  if (resource == "*")
    throw std::invalid_argument("resource \"*\" is not a pattern; write *.* for every resource");
  if (resource == "*.*") return "/";
  auto dot = resource.find('.');
  std::string_view plural = resource.substr(0, dot);
  std::string_view group = dot == std::string_view::npos ? std::string_view() : resource.substr(dot + 1);
  if (plural == "*") {
    if (group.empty()) return "/core/";  // "*." is upstream's spelling of the core group
    if (!valid_name_part(group))
      throw std::invalid_argument("resource " + quoted +
                                  ": the group after *. must be a lowercase API group");
    return "/" + std::string(group) + "/";
  }
  if (!valid_name_part(plural) || plural.find('.') != std::string_view::npos ||
      (dot != std::string_view::npos && !valid_name_part(group)))
    throw std::invalid_argument(
        "resource " + quoted +
        " is not a lowercase plural resource name with an optional group, e.g. secrets, "
        "deployments.apps, *.apps or *.*");
  return "/" + (group.empty() ? std::string("core") : std::string(group)) + "/" + std::string(plural) + "/";
}

EncryptionConfig load_encryption_config(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw EncryptionConfigError(file.string() +
                                ": cannot read the encryption config: " + std::strerror(errno) +
                                "; fix the path in the daemon config's encryption_config");
  std::stringstream text;
  text << in.rdbuf();
  return parse_encryption_config(text.str(), file.string());
}

EncryptionConfig parse_encryption_config(std::string_view yaml, std::string source) {
  return Parser(std::move(source)).parse(yaml);
}

}  // namespace ukube::store
