#include <gtest/gtest.h>

#include <iostream>

#include "tests/integration/client_process.h"
#include "tests/integration/kubectl_harness.h"

// @kubernetes/client-node from npm against the real daemon: clients/node_informer.mjs
// drives an informer through list, watch, server-ended watches and reconnects;
// clients/node_custom_objects.mjs does CRUD and a watch on a custom resource.
namespace ukube::testing {
namespace {

constexpr const char* kInstallHint = "run `bash packaging/install-deps.sh` (as root on a fresh machine)";

// The checks each script needs first: node on PATH and the pinned library in the cache.
std::filesystem::path client_node_modules() {
  const std::filesystem::path cache = npm_cache_dir();
  // A cache installed for another pin would test another library version.
  EXPECT_EQ(read_file(cache / "package.json"), read_file(client_script("package.json")))
      << "the npm test cache " << cache << " does not hold the version pinned in "
      << client_script("package.json") << "; " << kInstallHint;
  EXPECT_TRUE(std::filesystem::exists(cache / "node_modules/@kubernetes/client-node/package.json"))
      << "@kubernetes/client-node is missing from " << cache << "; " << kInstallHint;
  return cache / "node_modules";
}

void run_node_script(const std::string& script, const std::string& extra_plugins = "") {
  const std::filesystem::path node_bin = find_on_path("node");
  ASSERT_FALSE(node_bin.empty()) << "`node` is not on PATH; " << kInstallHint;
  const std::filesystem::path modules = client_node_modules();
  if (::testing::Test::HasFailure()) return;
  Node node(extra_plugins);
  ASSERT_TRUE(node.ready()) << "the daemon wrote no kubeconfig:\n" << node.log();
  ScriptResult r = run_script({node_bin.string(), client_script(script).string()},
                              {"KUBECONFIG=" + node.kubeconfig().string(), "NODE_PATH=" + modules.string()},
                              node.dir() / "client.log", std::chrono::seconds(180));
  std::cout << r.output << "[" << script << " took " << r.took.count() << " ms]\n";
  EXPECT_EQ(r.exit_code, 0) << script << " failed (output above); daemon log tail:\n" << tail(node.log(), 40);
}

TEST(ClientNode, InformerFollowsChangesAcrossServerEndedWatches) {
  run_node_script("node_informer.mjs");
}

TEST(ClientNode, CustomObjects) {
  run_node_script("node_custom_objects.mjs", "  - uri: ukube.types.v1.apiextensions\n");
}

}  // namespace
}  // namespace ukube::testing
