#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "ukube/runtime/driver.h"
#include "ukube/testing/temp_dir.h"

// The runtime conformance suite (DESIGN.md §5, §6): every runtime driver, in-tree or
// third-party, runs these tests unchanged. A driver's test links the object library
// ukube-runtime-conformance (an object library, so the linker keeps every TEST_P
// registration) and instantiates the suite with a description of the driver:
//
//   INSTANTIATE_TEST_SUITE_P(Fake, RuntimeConformance, ::testing::Values(fake_runtime()), runtime_name);
//
// Drivers differ in what makes a container do something: a real runtime runs a command,
// the fake one reads its behaviour from the image name. So the suite never writes a
// command itself: it asks the driver's Recipes for a container that behaves as it needs,
// then checks what the driver reports.
namespace ukube::runtime::conformance {

// Containers that behave in a known way, as this driver expresses them. Each returns a
// ContainerConfig with image, command and args filled in (and nothing else: the suite adds
// metadata, labels and the log path).
struct Recipes {
  // Runs until stopped; exits on SIGTERM at once.
  std::function<ContainerConfig()> runs_until_stopped;
  // Writes each of `lines` to stdout, one per line, then exits with `exit_code`.
  std::function<ContainerConfig(const std::vector<std::string>& lines, int exit_code)> prints_and_exits;
  // Runs until killed: SIGTERM is ignored, so a stop needs its timeout and SIGKILL.
  std::function<ContainerConfig()> ignores_sigterm;
  // exec_sync in a running container: a command that writes `text` to stdout and exits
  // with `exit_code`, and one that sleeps longer than any timeout the suite uses.
  std::function<std::vector<std::string>(const std::string& text, int exit_code)> exec_prints_and_exits;
  std::function<std::vector<std::string>()> exec_sleeps;
  // An image the driver can pull (and then lists), and one whose pull fails. Asked for when
  // a test needs them: a registry serving them may start only then.
  std::function<std::string()> pullable_image;
  std::function<std::string()> unpullable_image;
  // Serves HTTP on 127.0.0.1:`port` of the sandbox's network (any answer will do), for port
  // forwarding. Unset for a driver in whose pods nothing listens (the fake one): its
  // port_forward must then refuse with a RuntimeError.
  std::function<ContainerConfig(uint16_t port)> serves_http;
};

struct RuntimeUnderTest {
  std::string name;
  // A fresh driver keeping its state under `dir` (which outlives it). The suite stops and
  // removes everything it created before the driver is destroyed.
  std::function<std::shared_ptr<RuntimeDriver>(const std::filesystem::path& dir)> make;
  Recipes recipes;
  // Whether containers really run (processes): the suite then also checks that a log
  // written by a container is in the CRI format on disk and that exec output is real.
  bool runs_processes = false;
  // Why this machine cannot run the driver ("" or unset: it can); every test then skips
  // with that reason (a runtime that needs root or a program this machine lacks).
  std::function<std::string()> unavailable;
};

inline void PrintTo(const RuntimeUnderTest& runtime, std::ostream* os) {
  *os << runtime.name;
}
inline std::string runtime_name(const ::testing::TestParamInfo<RuntimeUnderTest>& info) {
  return info.param.name;
}

class RuntimeConformance : public ::testing::TestWithParam<RuntimeUnderTest> {
 protected:
  void SetUp() override;
  void TearDown() override;  // stops and removes every sandbox the test created

  RuntimeDriver& driver() { return *driver_; }
  const Recipes& recipes() const { return GetParam().recipes; }
  // A sandbox config with unique metadata and labels and a log directory of its own.
  PodSandboxConfig sandbox_config(const std::string& pod_name);
  // `recipe` with the container's metadata, identity labels and log path filled in.
  ContainerConfig container_config(ContainerConfig recipe, const std::string& name,
                                   const PodSandboxConfig& sandbox);

  std::unique_ptr<ukube::testing::TempDir> dir_;
  std::shared_ptr<RuntimeDriver> driver_;
};

}  // namespace ukube::runtime::conformance
