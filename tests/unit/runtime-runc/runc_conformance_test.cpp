// The runtime conformance suite (ukube/testing/runtime_conformance.h) on the runc runtime:
// its recipes are busybox shell commands in real containers.
#include <gtest/gtest.h>

#include "runc_test_support.h"
#include "ukube/testing/runtime_conformance.h"

namespace ukube::runtime::runc {
namespace {

using conformance::Recipes;
using conformance::RuntimeUnderTest;

ContainerConfig shell_recipe(const std::string& script, std::vector<std::string> args = {}) {
  ContainerConfig config;
  config.image = testing::kBusybox;
  config.command = {"/bin/sh", "-c", script, "sh"};  // "sh" is $0; args are $1...
  config.args = std::move(args);
  return config;
}

Recipes runc_recipes() {
  Recipes recipes;
  // A pid namespace's init gets only the signals it handles: the shell traps SIGTERM, and
  // `wait` returns at once when it comes.
  recipes.runs_until_stopped = [] { return shell_recipe("trap 'exit 0' TERM; sleep 100000 & wait"); };
  recipes.prints_and_exits = [](const std::vector<std::string>& lines, int exit_code) {
    return shell_recipe("for line in \"$@\"; do echo \"$line\"; done; exit " + std::to_string(exit_code),
                        lines);
  };
  // The container's init handles no signal: SIGTERM does nothing to it, SIGKILL ends it.
  recipes.ignores_sigterm = [] { return shell_recipe("while :; do sleep 0.1; done"); };
  recipes.exec_prints_and_exits = [](const std::string& text, int exit_code) {
    return std::vector<std::string>{"/bin/sh", "-c", "printf '%s' \"$1\"; exit $2",
                                    "sh",      text, std::to_string(exit_code)};
  };
  recipes.exec_sleeps = [] { return std::vector<std::string>{"sleep", "600"}; };
  // Served by a registry on 127.0.0.1, started on first use.
  recipes.pullable_image = [] { return testing::registry() + "/team/greeting:1"; };
  recipes.unpullable_image = [] { return testing::registry() + "/team/absent:1"; };
  // busybox's httpd on the loopback of the pod's own network namespace.
  recipes.serves_http = [](uint16_t port) {
    ContainerConfig config;
    config.image = testing::kBusybox;
    config.command = {"httpd", "-f", "-p", "127.0.0.1:" + std::to_string(port), "-h", "/"};
    return config;
  };
  return recipes;
}

RuntimeUnderTest runc_runtime() {
  RuntimeUnderTest runtime;
  runtime.name = "Runc";
  runtime.unavailable = [] { return testing::unavailable(); };
  runtime.make = [](const std::filesystem::path& dir) -> std::shared_ptr<RuntimeDriver> {
    return testing::make_driver(dir);
  };
  runtime.recipes = runc_recipes();
  runtime.runs_processes = true;
  return runtime;
}

}  // namespace
}  // namespace ukube::runtime::runc

namespace ukube::runtime::conformance {
INSTANTIATE_TEST_SUITE_P(Runc, RuntimeConformance, ::testing::Values(runc::runc_runtime()), runtime_name);
}  // namespace ukube::runtime::conformance
