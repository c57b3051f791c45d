// Encryption at rest in the real daemon with real kubectl: Secrets round-trip while their
// plaintext never reaches the data directory, across restarts; ConfigMaps stay plaintext;
// turning encryption on keeps old Secrets readable; key rotation as upstream documents it;
// a Secret under a key no longer configured fails with an error naming the key.
#include <gtest/gtest.h>

#include <optional>
#include <random>

#include "tests/integration/kubectl_harness.h"
#include "ukube/base64.h"

namespace ukube::testing {
namespace {

namespace fs = std::filesystem;

std::string random_token() {
  std::random_device rd;
  return std::to_string(rd()) + std::to_string(rd());
}

// A base64 AES-256 key, distinct per seed.
std::string key_of(char seed) {
  return base64_encode(std::string(32, seed));
}

std::string encryption_config(const std::vector<std::pair<std::string, char>>& keys) {
  std::string yaml =
      "apiVersion: apiserver.config.k8s.io/v1\n"
      "kind: EncryptionConfiguration\n"
      "resources:\n"
      "  - resources: [secrets]\n"
      "    providers:\n"
      "      - aesgcm:\n"
      "          keys:\n";
  for (const auto& [name, seed] : keys)
    yaml += "            - {name: " + name + ", secret: " + key_of(seed) + "}\n";
  return yaml + "      - identity: {}\n";
}

// A node like kubectl_harness.h's Node, whose config this test controls and which can be
// restarted on the same data directory.
class EncryptedNode {
 public:
  EncryptedNode() : dir_(fs::temp_directory_path() / ("ukube-enc-" + random_token())) {
    fs::create_directories(dir_);
  }
  ~EncryptedNode() {
    daemon_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // (Re)starts the daemon with `encryption` as its EncryptionConfiguration (empty: none).
  bool start(const std::string& encryption) {
    stop();
    std::ofstream cfg(dir_ / "ukube.yaml");
    cfg << "data_dir: " << data_dir().string() << "\n";
    if (!encryption.empty()) {
      std::ofstream(dir_ / "encryption.yaml") << encryption;
      cfg << "encryption_config: " << (dir_ / "encryption.yaml").string() << "\n";
    }
    cfg << "plugins:\n"
        << "  - uri: ukube.types.v1.builtin\n"
        << "  - uri: ukube.authenticator.v1.x509\n"
        << "  - uri: ukube.authorizer.v1.rbac\n"
        << "  - uri: ukube.apiserver.v1.apiserver\n"
        << "    config: {listen: \"127.0.0.1:0\"}\n";
    cfg.close();
    std::error_code ec;
    fs::remove(kubeconfig(), ec);  // it reappears once the API server listens
    exit_status_.reset();
    daemon_ =
        std::make_unique<DaemonProcess>(std::vector<std::string>{"--config", (dir_ / "ukube.yaml").string()},
                                        dir_ / ("daemon-" + std::to_string(++starts_) + ".log"));
    eventually(
        [&] {
          if (int status = daemon_->wait_exit(std::chrono::milliseconds(1)); status != -1)
            exit_status_ = status;
          return exit_status_ || fs::exists(kubeconfig());
        },
        std::chrono::seconds(30));
    return !exit_status_ && fs::exists(kubeconfig());
  }

  // SIGTERM and a clean exit, so the restart recovers from what was flushed. The exit
  // status; -1 if the daemon did not exit in time.
  int stop() {
    if (!daemon_) return 0;
    if (!exit_status_) {
      daemon_->signal(SIGTERM);
      exit_status_ = daemon_->wait_exit(std::chrono::seconds(20));
    }
    log_ = daemon_->log();
    daemon_.reset();
    return *exit_status_;
  }

  CommandResult kubectl(const std::string& args) const {
    return run_command(kubectl_binary("1.33") + " --kubeconfig " + shell_quote(kubeconfig().string()) +
                       " --cache-dir " + shell_quote((dir_ / "cache").string()) + " " + args);
  }
  std::string kubectl_command(const std::string& args) const {
    return kubectl_binary("1.33") + " --kubeconfig " + shell_quote(kubeconfig().string()) + " --cache-dir " +
           shell_quote((dir_ / "cache").string()) + " " + args;
  }

  // Whether any file under the data directory contains `needle` (grep -r, binary files too).
  bool on_disk(const std::string& needle) const {
    CommandResult r =
        run_command("grep -rlaF -e " + shell_quote(needle) + " " + shell_quote(data_dir().string()));
    return r.exit_code == 0;
  }

  std::string log() const { return daemon_ ? daemon_->log() : log_; }
  fs::path data_dir() const { return dir_ / "data"; }
  fs::path kubeconfig() const { return data_dir() / "admin.kubeconfig"; }
  fs::path dir() const { return dir_; }

 private:
  fs::path dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::optional<int> exit_status_;  // once the daemon has exited (and was reaped)
  std::string log_;                 // the last daemon's log, kept after stop()
  int starts_ = 0;
};

// The decoded value of a Secret's data.password, as kubectl reads it.
std::string password_of(const EncryptedNode& node, const std::string& secret) {
  CommandResult r = node.kubectl("get secret " + secret + " -o jsonpath='{.data.password}'");
  if (r.exit_code != 0) return "<kubectl failed: " + r.out + ">";
  auto decoded = base64_decode(r.out);
  return decoded ? *decoded : "<not base64: " + r.out + ">";
}

class EncryptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (kubectl_binary("1.33").empty()) GTEST_SKIP() << "kubectl 1.33 is not installed beside kubectl";
  }
  EncryptedNode node_;
};

TEST_F(EncryptionTest, SecretsReadBackButTheirPlaintextNeverReachesTheDataDirectory) {
  ASSERT_TRUE(node_.start(encryption_config({{"key1", 'a'}}))) << node_.log();
  EXPECT_NE(node_.log().find("encryption at rest (" + (node_.dir() / "encryption.yaml").string() +
                             "): secrets: written with aesgcm key \"key1\" (AES-256-GCM)"),
            std::string::npos)
      << node_.log();

  const std::string secret = "UNIQUEPLAINTEXT" + random_token();
  const std::string watched = "WATCHEDPLAINTEXT" + random_token();
  const std::string visible = "CONFIGMAPMARKER" + random_token();
  BackgroundCommand watch(
      node_.kubectl_command("get secrets --watch -o jsonpath='{.data.password}{\"\\n\"}'"),
      node_.dir() / "watch.out");
  CommandResult r = node_.kubectl("create secret generic s --from-literal=password=" + secret);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = node_.kubectl("create configmap c --from-literal=visible=" + visible);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(password_of(node_, "s"), secret);

  // Watch events reach kubectl decrypted.
  r = node_.kubectl("create secret generic w --from-literal=password=" + watched);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(eventually([&] { return watch.output().find(base64_encode(watched)) != std::string::npos; }))
      << watch.output();
  watch.stop();

  // The same search finds the ConfigMap, so it would find a leaked Secret.
  EXPECT_TRUE(node_.on_disk(visible)) << "configmaps are not encrypted and the search must see stored values";
  for (const auto& plaintext : {secret, watched}) {
    EXPECT_FALSE(node_.on_disk(plaintext)) << plaintext;
    EXPECT_FALSE(node_.on_disk(base64_encode(plaintext))) << base64_encode(plaintext);
  }
  EXPECT_TRUE(node_.on_disk("k8s:enc:aesgcm:v1:key1:"));

  // A restart recovers the store from disk and still reads both.
  ASSERT_EQ(node_.stop(), 0) << node_.log();
  ASSERT_TRUE(node_.start(encryption_config({{"key1", 'a'}}))) << node_.log();
  EXPECT_EQ(password_of(node_, "s"), secret);
  EXPECT_EQ(password_of(node_, "w"), watched);
  r = node_.kubectl("get configmap c -o jsonpath='{.data.visible}'");
  EXPECT_EQ(r.out, visible);
  EXPECT_FALSE(node_.on_disk(secret));
}

TEST_F(EncryptionTest, TurningEncryptionOnThenRotatingTheKeyAsUpstreamDocuments) {
  const std::string before = "BEFOREENCRYPTION" + random_token();
  ASSERT_TRUE(node_.start("")) << node_.log();
  CommandResult r = node_.kubectl("create secret generic old --from-literal=password=" + before);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(node_.on_disk(base64_encode(before))) << "without encryption_config values are plaintext";

  // Encryption on: the Secret written before stays readable.
  ASSERT_EQ(node_.stop(), 0);
  ASSERT_TRUE(node_.start(encryption_config({{"key1", 'a'}}))) << node_.log();
  EXPECT_EQ(password_of(node_, "old"), before);
  const std::string under_key1 = "UNDERKEY1" + random_token();
  r = node_.kubectl("create secret generic one --from-literal=password=" + under_key1);
  ASSERT_EQ(r.exit_code, 0) << r.out;

  // Rotation, step 1: the new key first, the old one second; everything still reads.
  ASSERT_EQ(node_.stop(), 0);
  ASSERT_TRUE(node_.start(encryption_config({{"key2", 'b'}, {"key1", 'a'}}))) << node_.log();
  EXPECT_EQ(password_of(node_, "old"), before);
  EXPECT_EQ(password_of(node_, "one"), under_key1);
  EXPECT_FALSE(node_.on_disk("k8s:enc:aesgcm:v1:key2:"));
  // Step 2: rewrite every Secret. An unchanged update keeps its revision (as upstream), so
  // the rewrite changes something: an annotation.
  r = node_.kubectl("annotate secrets --all encryption-rotated=key2 --overwrite");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(node_.on_disk("k8s:enc:aesgcm:v1:key2:"));

  // Step 3: the old key goes; the rewritten Secrets read with the new key alone.
  ASSERT_EQ(node_.stop(), 0);
  ASSERT_TRUE(node_.start(encryption_config({{"key2", 'b'}}))) << node_.log();
  EXPECT_EQ(password_of(node_, "old"), before);
  EXPECT_EQ(password_of(node_, "one"), under_key1);

  // A key that was never rotated in: the Secrets cannot be read, and the error says why.
  ASSERT_EQ(node_.stop(), 0);
  ASSERT_TRUE(node_.start(encryption_config({{"key3", 'c'}}))) << node_.log();
  r = node_.kubectl("get secret one -o name");
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("cannot decrypt /core/secrets/default/one"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("key \"key2\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(under_key1), std::string::npos) << r.out;
  r = node_.kubectl("create configmap still-works --from-literal=a=b");
  EXPECT_EQ(r.exit_code, 0) << "other resources are unaffected\n" << r.out;
}

TEST_F(EncryptionTest, ABadEncryptionConfigStopsTheDaemonNamingTheFileAndTheFix) {
  std::string bad = encryption_config({{"key1", 'a'}});
  bad.replace(bad.find("aesgcm"), 6, "secretbox");
  EXPECT_FALSE(node_.start(bad));
  EXPECT_EQ(node_.stop(), 1) << "the daemon refuses to start";
  std::string log = node_.log();
  EXPECT_NE(
      log.find((node_.dir() / "encryption.yaml").string() + ":6: the secretbox provider is not supported"),
      std::string::npos)
      << log;
}

}  // namespace
}  // namespace ukube::testing
