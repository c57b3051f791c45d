#include <gtest/gtest.h>

#include <iostream>

#include "tests/integration/client_process.h"
#include "tests/integration/kubectl_harness.h"

// @kubernetes/client-node from npm against the real daemon: clients/node_informer.mjs
// drives an informer through list, watch, server-ended watches and reconnects.
namespace ukube::testing {
namespace {

constexpr const char* kInstallHint = "run `bash packaging/install-deps.sh` (as root on a fresh machine)";

TEST(ClientNode, InformerFollowsChangesAcrossServerEndedWatches) {
  const std::filesystem::path node_bin = find_on_path("node");
  ASSERT_FALSE(node_bin.empty()) << "`node` is not on PATH; " << kInstallHint;
  const std::filesystem::path cache = npm_cache_dir();
  // A cache installed for another pin would test another library version.
  ASSERT_EQ(read_file(cache / "package.json"), read_file(client_script("package.json")))
      << "the npm test cache " << cache << " does not hold the version pinned in "
      << client_script("package.json") << "; " << kInstallHint;
  ASSERT_TRUE(std::filesystem::exists(cache / "node_modules/@kubernetes/client-node/package.json"))
      << "@kubernetes/client-node is missing from " << cache << "; " << kInstallHint;

  Node node;
  ASSERT_TRUE(node.ready()) << "the daemon wrote no kubeconfig:\n" << node.log();
  ScriptResult r = run_script(
      {node_bin.string(), client_script("node_informer.mjs").string()},
      {"KUBECONFIG=" + node.kubeconfig().string(), "NODE_PATH=" + (cache / "node_modules").string()},
      node.dir() / "client.log", std::chrono::seconds(180));
  std::cout << r.output << "[node_informer.mjs took " << r.took.count() << " ms]\n";
  EXPECT_EQ(r.exit_code, 0) << "node_informer.mjs failed (output above); daemon log tail:\n"
                            << tail(node.log(), 40);
}

}  // namespace
}  // namespace ukube::testing
