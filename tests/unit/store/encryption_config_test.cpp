// The EncryptionConfiguration file: what it accepts, and that every refusal names the
// file, the line, the field and the fix. Also the daemon config's encryption_config.
#include <gtest/gtest.h>

#include <fstream>

#include "encryption_test_util.h"
#include "kernel/host/config.h"
#include "kernel/host/errors.h"

namespace ukube::store {
namespace {

using test_support::aesgcm;
using test_support::encryption_yaml;
using test_support::kIdentity;
using test_support::test_key;

std::string error_of(const std::string& yaml) {
  try {
    parse_encryption_config(yaml, "enc.yaml");
  } catch (const EncryptionConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted:\n" << yaml;
  return "";
}

TEST(EncryptionConfig, ParsesUpstreamsFormat) {
  std::string yaml =
      encryption_yaml("[secrets, deployments.apps]", aesgcm({{"key2", 'b'}, {"key1", 'a'}}) + kIdentity) +
      "  - resources: ['*.batch']\n"
      "    providers:\n" +
      kIdentity;
  EncryptionConfig config = parse_encryption_config(yaml, "enc.yaml");
  EXPECT_EQ(config.source, "enc.yaml");
  ASSERT_EQ(config.rules.size(), 2u);
  const ResourceRule& rule = config.rules[0];
  EXPECT_EQ(rule.resources, (std::vector<std::string>{"secrets", "deployments.apps"}));
  EXPECT_EQ(rule.key_prefixes, (std::vector<std::string>{"/core/secrets/", "/apps/deployments/"}));
  EXPECT_EQ(rule.line, 4);
  ASSERT_EQ(rule.providers.size(), 2u);
  EXPECT_EQ(rule.providers[0].kind, ProviderSpec::Kind::AesGcm);
  ASSERT_EQ(rule.providers[0].keys.size(), 2u);
  EXPECT_EQ(rule.providers[0].keys[0].name, "key2");
  EXPECT_EQ(base64_encode(rule.providers[0].keys[0].secret), test_key('b'));
  EXPECT_EQ(rule.providers[0].keys[0].secret.size(), 32u);
  EXPECT_EQ(rule.providers[1].kind, ProviderSpec::Kind::Identity);
  EXPECT_EQ(config.rules[1].key_prefixes, (std::vector<std::string>{"/batch/"}));
}

TEST(EncryptionConfig, ResourceNamesMapToStoreKeyPrefixes) {
  EXPECT_EQ(resource_key_prefix("secrets"), "/core/secrets/");
  EXPECT_EQ(resource_key_prefix("deployments.apps"), "/apps/deployments/");
  EXPECT_EQ(resource_key_prefix("certificatesigningrequests.certificates.k8s.io"),
            "/certificates.k8s.io/certificatesigningrequests/");
  EXPECT_EQ(resource_key_prefix("*.apps"), "/apps/");
  EXPECT_EQ(resource_key_prefix("*."), "/core/");
  EXPECT_EQ(resource_key_prefix("*.*"), "/");
  EXPECT_THROW(resource_key_prefix("*"), std::invalid_argument);
  EXPECT_THROW(resource_key_prefix("Secrets"), std::invalid_argument);
  EXPECT_THROW(resource_key_prefix("secrets."), std::invalid_argument);
  EXPECT_THROW(resource_key_prefix(""), std::invalid_argument);
}

TEST(EncryptionConfig, KeysOfEverySizeAesTakes) {
  for (size_t bytes : {16u, 24u, 32u}) {
    std::string yaml = encryption_yaml("[secrets]", "      - aesgcm: {keys: [{name: k, secret: " +
                                                        base64_encode(std::string(bytes, 'k')) + "}]}\n");
    EXPECT_EQ(parse_encryption_config(yaml, "enc.yaml").rules[0].providers[0].keys[0].secret.size(), bytes);
  }
}

TEST(EncryptionConfig, RefusalsNameTheFileTheLineAndTheFix) {
  std::string e = error_of("apiVersion: v1\nkind: EncryptionConfiguration\nresources: []\n");
  EXPECT_EQ(e, "enc.yaml:1: apiVersion must be apiserver.config.k8s.io/v1, not \"v1\"");

  e = error_of("apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources: []\n");
  EXPECT_EQ(e,
            "enc.yaml:3: resources must be a non-empty list of {resources: [...], providers: [...]} entries");

  e = error_of(
      encryption_yaml("[secrets]", "      - aescbc: {keys: [{name: k, secret: " + test_key('a') + "}]}\n"));
  EXPECT_NE(e.find("enc.yaml:6: the aescbc provider is not supported"), std::string::npos) << e;
  EXPECT_NE(e.find("use aesgcm"), std::string::npos) << e;

  e = error_of(encryption_yaml("[secrets]",
                               "      - secretbox: {keys: [{name: k, secret: " + test_key('a') + "}]}\n"));
  EXPECT_NE(e.find("enc.yaml:6: the secretbox provider is not supported: ukube is built without libsodium"),
            std::string::npos)
      << e;

  e = error_of(encryption_yaml("[secrets]", "      - kms: {name: vault, endpoint: unix:///kms.sock}\n"));
  EXPECT_NE(e.find("enc.yaml:6: the kms provider is not supported"), std::string::npos) << e;

  e = error_of(encryption_yaml("[secrets]", "      - aesgcm: {keys: [{name: k, secret: '!!notbase64'}]}\n"));
  EXPECT_NE(e.find("enc.yaml:6: the secret of aesgcm key \"k\" is not valid base64"), std::string::npos) << e;

  e = error_of(encryption_yaml(
      "[secrets]", "      - aesgcm: {keys: [{name: k, secret: " + base64_encode("tooshort10") + "}]}\n"));
  EXPECT_NE(e.find("the secret of aesgcm key \"k\" decodes to 10 bytes; AES needs 16, 24 or 32"),
            std::string::npos)
      << e;

  e = error_of(encryption_yaml("[secrets]", aesgcm({{"k", 'a'}, {"k", 'b'}})));
  EXPECT_NE(e.find("enc.yaml:9: key name \"k\" is used twice"), std::string::npos) << e;

  e = error_of(encryption_yaml("[secrets]", aesgcm({{"a:b", 'a'}})));
  EXPECT_NE(e.find("must not contain ':'"), std::string::npos) << e;

  e = error_of(encryption_yaml("['*.', secrets]", kIdentity));
  EXPECT_NE(e.find("enc.yaml:4: resource \"secrets\" is already covered by \"*.\""), std::string::npos) << e;

  e = error_of(encryption_yaml("[Secrets]", kIdentity));
  EXPECT_NE(e.find("enc.yaml:4: resource \"Secrets\" is not a lowercase plural resource name"),
            std::string::npos)
      << e;

  e = error_of(
      encryption_yaml("[secrets]", "      - aesgcm: {keys: [{name: k, secret: " + test_key('a') + "}]}\n") +
      "    provider: []\n");
  EXPECT_NE(
      e.find(
          "enc.yaml:7: unknown field of a resources entry \"provider\"; known fields: resources, providers"),
      std::string::npos)
      << e;

  e = error_of(encryption_yaml("[secrets]", "      - aesgmc: {}\n"));
  EXPECT_NE(e.find("unknown provider \"aesgmc\"; use aesgcm or identity"), std::string::npos) << e;

  e = error_of(encryption_yaml("[secrets]", "      - identity: {}\n      - identity: {}\n"));
  EXPECT_NE(e.find("identity is listed twice"), std::string::npos) << e;

  e = error_of(
      "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
      "  - resources: [secrets]\n");
  EXPECT_NE(e.find("enc.yaml:4: providers must be a non-empty list"), std::string::npos) << e;
}

TEST(EncryptionConfig, AMissingFileNamesThePathAndTheSetting) {
  test_support::TempDir dir;
  try {
    load_encryption_config(dir.path() / "missing.yaml");
    FAIL() << "loaded a missing file";
  } catch (const EncryptionConfigError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find((dir.path() / "missing.yaml").string() + ": cannot read the encryption config"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("encryption_config"), std::string::npos) << what;
  }
  std::ofstream(dir.path() / "enc.yaml") << encryption_yaml("[secrets]", kIdentity);
  EXPECT_EQ(load_encryption_config(dir.path() / "enc.yaml").source, (dir.path() / "enc.yaml").string());
}

TEST(EncryptionConfig, TheDaemonConfigNamesTheFile) {
  EXPECT_TRUE(host::parse_config("data_dir: /d\n", "ukube.yaml").encryption_config.empty());
  EXPECT_EQ(host::parse_config("encryption_config: /etc/ukube/enc.yaml\n", "ukube.yaml").encryption_config,
            "/etc/ukube/enc.yaml");
  try {
    host::parse_config("encryption_config: [a, b]\n", "ukube.yaml");
    FAIL() << "a list was accepted as a path";
  } catch (const host::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("ukube.yaml:1: encryption_config must be the path of an "
                                         "EncryptionConfiguration file"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace ukube::store
