// `ukube image pull` from a real registry: Debian's docker-registry on 127.0.0.1 with its
// own config (a free port, a temp folder), the image pushed there with skopeo from a
// store `ukube image import` made (an OCI layout skopeo reads as is). Without the two
// programs the test skips, saying so.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "tests/integration/daemon_process.h"
#include "tests/integration/kubectl_harness.h"
#include "tests/integration/local_registry.h"
#include "ukube/testing/temp_dir.h"

namespace ukube::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class RegistryPull : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = LocalRegistry::unavailable(); !why.empty()) GTEST_SKIP() << "SKIPPED: " << why;
    fs::create_directories(dir_.path() / "rootfs" / "etc");
    std::ofstream(dir_.path() / "rootfs" / "etc" / "greeting") << "hello from the registry\n";
    ASSERT_EQ(
        run_command("tar -C " + q(dir_.path() / "rootfs") + " -cf " + q(dir_.path() / "rootfs.tar") + " .")
            .exit_code,
        0);
    CommandResult imported =
        ukube("import --name greeting:1 " + q(dir_.path() / "rootfs.tar"), dir_.path() / "source");
    ASSERT_EQ(imported.exit_code, 0) << imported.out;
  }

  static std::string q(const fs::path& p) { return shell_quote(p.string()); }

  CommandResult ukube(const std::string& args, const fs::path& data_dir) {
    return run_command(q(ukube_binary()) + " image " + args + " --data-dir " + q(data_dir) + " 2>&1");
  }

  // Starts a registry on a free loopback port, with basic authentication when `htpasswd`
  // names a user and bcrypt hash line; returns "127.0.0.1:<port>".
  std::string start_registry(const std::string& htpasswd = "") {
    local_ = std::make_unique<LocalRegistry>(dir_.path() / "registry", htpasswd);
    if (local_->address().empty()) ADD_FAILURE() << "the registry did not start:\n" << local_->log();
    return local_->address();
  }

  void push(const std::string& credentials = "") {
    CommandResult pushed = local_->push(dir_.path() / "source" / "image-store",
                                        "docker.io/library/greeting:1", "team/greeting:1", credentials);
    ASSERT_EQ(pushed.exit_code, 0) << pushed.out;
  }

  TempDir dir_{"registry-pull"};
  std::unique_ptr<LocalRegistry> local_;
  std::unique_ptr<DaemonProcess> registry_;  // the fake token registry
};

TEST_F(RegistryPull, APushedImageIsPulledWithItsLayersVerified) {
  const std::string registry = start_registry();
  ASSERT_FALSE(registry.empty());
  push();
  const fs::path node = dir_.path() / "node";
  CommandResult pulled = ukube("pull " + registry + "/team/greeting:1", node);
  ASSERT_EQ(pulled.exit_code, 0) << pulled.out;
  EXPECT_NE(pulled.out.find("pulled " + registry + "/team/greeting:1 (sha256:"), std::string::npos)
      << pulled.out;
  // The same image id as the one pushed: the config blob came across unchanged.
  const std::string source_ls = ukube("ls", dir_.path() / "source").out;
  const std::string node_ls = ukube("ls", node).out;
  std::smatch id;
  ASSERT_TRUE(std::regex_search(source_ls, id, std::regex("greeting:1 +([0-9a-f]{12})"))) << source_ls;
  EXPECT_NE(node_ls.find(registry + "/team/greeting:1   " + id[1].str()), std::string::npos) << node_ls;

  // Pulled again, nothing is fetched but the manifest.
  CommandResult again = ukube("pull " + registry + "/team/greeting:1", node);
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_EQ(again.out.find("fetching"), std::string::npos) << again.out;

  CommandResult missing = ukube("pull " + registry + "/team/absent:1", node);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("is not in the registry " + registry + " (HTTP 404"), std::string::npos)
      << missing.out;
}

TEST_F(RegistryPull, BasicAuthenticationNeedsTheRightCredentials) {
  CommandResult hash = run_command(
      "/usr/bin/python3 -W ignore -c \"import crypt; print('alice:' + crypt.crypt('secret', "
      "crypt.mksalt(crypt.METHOD_BLOWFISH)))\"");
  ASSERT_EQ(hash.exit_code, 0) << hash.out;
  const std::string registry = start_registry(hash.out.substr(0, hash.out.find('\n')));
  ASSERT_FALSE(registry.empty());
  push("alice:secret");
  const fs::path node = dir_.path() / "node";
  for (const std::string creds : {"", "--creds alice:wrong "}) {
    CommandResult refused = ukube("pull " + creds + registry + "/team/greeting:1", node);
    EXPECT_EQ(refused.exit_code, 1) << refused.out;
    EXPECT_NE(refused.out.find("check the credentials (imagePullSecrets)"), std::string::npos) << refused.out;
  }
  CommandResult pulled = ukube("pull --creds alice:secret " + registry + "/team/greeting:1", node);
  EXPECT_EQ(pulled.exit_code, 0) << pulled.out;
}

// Docker Hub's way: a 401 names a token service, which hands out a bearer token for the
// basic credentials; every blob is checked against its digest on the way in.
TEST_F(RegistryPull, BearerTokensFromTheRealmTheRegistryNames) {
  auto serve = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args{UKUBE_FIXTURES_DIR "/token_registry.py",
                                  (dir_.path() / "source" / "image-store").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    registry_ = std::make_unique<DaemonProcess>("/usr/bin/python3", args, dir_.path() / "fake.log");
    const std::regex listening("listening on (127\\.0\\.0\\.1:[0-9]+)");
    for (auto deadline = std::chrono::steady_clock::now() + 20s;
         std::chrono::steady_clock::now() < deadline;) {
      std::smatch m;
      const std::string log = registry_->log();
      if (std::regex_search(log, m, listening)) return m[1].str();
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "the fake registry did not start:\n" << registry_->log();
    return std::string();
  };
  std::string registry = serve({});
  ASSERT_FALSE(registry.empty());
  const fs::path node = dir_.path() / "node";
  CommandResult anonymous = ukube("pull " + registry + "/team/greeting:1", node);
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_NE(anonymous.out.find("refused a token for " + registry + "/team/greeting (HTTP 401"),
            std::string::npos)
      << anonymous.out;
  CommandResult pulled = ukube("pull --creds alice:secret " + registry + "/team/greeting:1", node);
  EXPECT_EQ(pulled.exit_code, 0) << pulled.out;

  registry_.reset();
  registry = serve({"--tamper"});
  ASSERT_FALSE(registry.empty());
  CommandResult tampered =
      ukube("pull --creds alice:secret " + registry + "/team/greeting:1", dir_.path() / "other");
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_NE(tampered.out.find("does not match its digest"), std::string::npos) << tampered.out;
}

}  // namespace
}  // namespace ukube::testing
