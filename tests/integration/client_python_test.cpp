#include <gtest/gtest.h>

#include <iostream>

#include "tests/integration/client_process.h"
#include "tests/integration/kubectl_harness.h"

// Debian's python3-kubernetes against the real daemon: clients/python_crud_watch.py does
// CRUD on namespaces, configmaps and deployments, and watches them.
namespace ukube::testing {
namespace {

// The package installs for the system interpreter only; a `python3` earlier on PATH
// (pyenv, venv) would not see it.
constexpr const char* kPython = "/usr/bin/python3";

TEST(ClientPython, CrudAndWatch) {
  CommandResult probe = run_command(std::string(kPython) + " -c 'import kubernetes'");
  ASSERT_EQ(probe.exit_code, 0) << kPython << " cannot import kubernetes (" << probe.out
                                << "); run `bash packaging/install-deps.sh` as root (installs "
                                   "python3-kubernetes)";

  Node node;
  ASSERT_TRUE(node.ready()) << "the daemon wrote no kubeconfig:\n" << node.log();
  ScriptResult r = run_script({kPython, client_script("python_crud_watch.py").string()},
                              {"KUBECONFIG=" + node.kubeconfig().string(), "PYTHONDONTWRITEBYTECODE=1"},
                              node.dir() / "client.log", std::chrono::seconds(180));
  std::cout << r.output << "[python_crud_watch.py took " << r.took.count() << " ms]\n";
  EXPECT_EQ(r.exit_code, 0) << "python_crud_watch.py failed (output above); daemon log tail:\n"
                            << tail(node.log(), 40);
}

}  // namespace
}  // namespace ukube::testing
