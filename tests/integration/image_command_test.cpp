// `ukube image import|ls|rm` as a user runs them: the binary on a fresh data dir.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/daemon_process.h"
#include "tests/integration/kubectl_harness.h"
#include "ukube/testing/temp_dir.h"

namespace ukube::testing {
namespace {

namespace fs = std::filesystem;

class ImageCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.path() / "rootfs" / "bin");
    std::ofstream(dir_.path() / "rootfs" / "bin" / "hello") << "#!/bin/sh\necho hello\n";
    ASSERT_EQ(run_command("tar -C " + shell_quote((dir_.path() / "rootfs").string()) + " -czf " +
                          shell_quote(tar().string()) + " .")
                  .exit_code,
              0);
  }
  fs::path tar() const { return dir_.path() / "rootfs.tar.gz"; }
  CommandResult ukube(const std::string& args) {
    return run_command(shell_quote(ukube_binary().string()) + " image " + args + " --data-dir " +
                       shell_quote((dir_.path() / "data").string()) + " 2>&1");
  }

  TempDir dir_{"image-command"};
};

TEST_F(ImageCommand, ImportListRemove) {
  CommandResult nameless = ukube("import " + shell_quote(tar().string()));
  EXPECT_EQ(nameless.exit_code, 1);
  EXPECT_NE(nameless.out.find("name the image with --name NAME:TAG"), std::string::npos) << nameless.out;

  CommandResult imported = ukube("import --name hello:1 " + shell_quote(tar().string()));
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  EXPECT_EQ(imported.out.rfind("imported docker.io/library/hello:1 (sha256:", 0), 0u) << imported.out;

  CommandResult listed = ukube("ls");
  EXPECT_EQ(listed.exit_code, 0);
  EXPECT_EQ(listed.out.rfind("IMAGE ", 0), 0u) << listed.out;
  EXPECT_NE(listed.out.find("\ndocker.io/library/hello:1 "), std::string::npos) << listed.out;
  EXPECT_TRUE(fs::exists(dir_.path() / "data" / "image-store" / "index.json"));

  CommandResult removed = ukube("rm hello:1 missing:1");
  EXPECT_EQ(removed.exit_code, 1);
  EXPECT_NE(removed.out.find("untagged docker.io/library/hello:1"), std::string::npos) << removed.out;
  EXPECT_NE(removed.out.find("no image \"missing:1\""), std::string::npos) << removed.out;
  EXPECT_EQ(ukube("ls").out.find("hello"), std::string::npos);

  CommandResult unknown = ukube("frobnicate");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.out.find("use import, pull, ls or rm"), std::string::npos) << unknown.out;
}

}  // namespace
}  // namespace ukube::testing
