// The runtime conformance suite (ukube/testing/runtime_conformance.h) on the process
// runtime: its recipes are /bin/sh scripts and host executables.
#include <gtest/gtest.h>

#include <filesystem>

#include "process_test_support.h"
#include "ukube/testing/runtime_conformance.h"

namespace ukube::runtime::process {
namespace {

using conformance::Recipes;
using conformance::RuntimeUnderTest;

ContainerConfig shell_recipe(const std::string& script, std::vector<std::string> args = {}) {
  ContainerConfig config;
  config.image = "sh";
  config.command = {"/bin/sh", "-c", script, "sh"};  // "sh" is $0; args are $1...
  config.args = std::move(args);
  return config;
}

Recipes process_recipes() {
  Recipes recipes;
  recipes.runs_until_stopped = [] {
    // The image's entrypoint (sleep, from PATH) with args: no shell, and SIGTERM ends it.
    ContainerConfig config;
    config.image = "sleep";
    config.args = {"100000"};
    return config;
  };
  recipes.prints_and_exits = [](const std::vector<std::string>& lines, int exit_code) {
    return shell_recipe("for line in \"$@\"; do echo \"$line\"; done; exit " + std::to_string(exit_code),
                        lines);
  };
  recipes.ignores_sigterm = [] {
    // env sets SIGTERM to ignored before it runs the shell, which keeps it so (an ignored
    // signal stays ignored across exec, and sh cannot trap it): no window after start in
    // which a stop's SIGTERM would still end it, as `trap '' TERM` in the script would leave.
    ContainerConfig config;
    config.image = "env";
    config.command = {"env", "--ignore-signal=TERM", "/bin/sh", "-c", "while :; do sleep 0.1; done"};
    return config;
  };
  recipes.exec_prints_and_exits = [](const std::string& text, int exit_code) {
    return std::vector<std::string>{"/bin/sh", "-c", "printf '%s' \"$1\"; exit $2",
                                    "sh",      text, std::to_string(exit_code)};
  };
  recipes.exec_sleeps = [] { return std::vector<std::string>{"sleep", "600"}; };
  recipes.pullable_image = [] { return std::string("sleep"); };
  recipes.unpullable_image = [] { return std::string("ukube.invalid/no-such-executable-on-path:1.0"); };
  // busybox's httpd on the host's loopback (the process runtime's pods share it), serving an
  // empty folder.
  recipes.serves_http = [](uint16_t port) {
    const auto empty = std::filesystem::temp_directory_path() / "ukube-conformance-httpd";
    std::filesystem::create_directories(empty);
    ContainerConfig config;
    config.image = "busybox";
    config.command = {"busybox", "httpd",       "-f", "-p", "127.0.0.1:" + std::to_string(port),
                      "-h",      empty.string()};
    return config;
  };
  return recipes;
}

RuntimeUnderTest process_runtime() {
  RuntimeUnderTest runtime;
  runtime.name = "Process";
  runtime.make = [](const std::filesystem::path& dir) -> std::shared_ptr<RuntimeDriver> {
    auto state = dir / "state";
    // The suite removes what it created; the deleter also kills whatever a failed test
    // left running, before the folder with the records of it goes.
    return std::shared_ptr<RuntimeDriver>(new ProcessDriver(testing::test_settings(), state),
                                          [state](RuntimeDriver* driver) {
                                            delete driver;
                                            testing::ContainerReaper(state).kill_all();
                                          });
  };
  runtime.recipes = process_recipes();
  runtime.runs_processes = true;
  return runtime;
}

}  // namespace
}  // namespace ukube::runtime::process

namespace ukube::runtime::conformance {
INSTANTIATE_TEST_SUITE_P(Process, RuntimeConformance, ::testing::Values(process::process_runtime()),
                         runtime_name);
}  // namespace ukube::runtime::conformance
