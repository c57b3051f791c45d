#include <gtest/gtest.h>

#include <iostream>

#include "tests/integration/client_process.h"
#include "tests/integration/kubectl_harness.h"

// Debian's python3-kubernetes against the real daemon: clients/python_crud_watch.py does
// CRUD on namespaces, configmaps and deployments, and watches them;
// clients/python_custom_objects.py does the same on a custom resource.
namespace ukube::testing {
namespace {

// The package installs for the system interpreter only; a `python3` earlier on PATH
// (pyenv, venv) would not see it.
constexpr const char* kPython = "/usr/bin/python3";

// Runs clients/<script> against a fresh node with `extra_plugins`.
void run_python_script(const std::string& script, const std::string& extra_plugins = "") {
  CommandResult probe = run_command(std::string(kPython) + " -c 'import kubernetes'");
  ASSERT_EQ(probe.exit_code, 0) << kPython << " cannot import kubernetes (" << probe.out
                                << "); run `bash packaging/install-deps.sh` as root (installs "
                                   "python3-kubernetes)";
  Node node(extra_plugins);
  ASSERT_TRUE(node.ready()) << "the daemon wrote no kubeconfig:\n" << node.log();
  ScriptResult r = run_script({kPython, client_script(script).string()},
                              {"KUBECONFIG=" + node.kubeconfig().string(), "PYTHONDONTWRITEBYTECODE=1"},
                              node.dir() / "client.log", std::chrono::seconds(180));
  std::cout << r.output << "[" << script << " took " << r.took.count() << " ms]\n";
  EXPECT_EQ(r.exit_code, 0) << script << " failed (output above); daemon log tail:\n" << tail(node.log(), 40);
}

TEST(ClientPython, CrudAndWatch) {
  run_python_script("python_crud_watch.py");
}

TEST(ClientPython, CustomObjects) {
  run_python_script("python_custom_objects.py", "  - uri: ukube.types.v1.apiextensions\n");
}

}  // namespace
}  // namespace ukube::testing
