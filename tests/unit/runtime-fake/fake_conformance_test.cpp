// Runs the runtime conformance suite against the fake runtime. The fake reads behaviour from
// image names, so each recipe configures an image of its own into the driver under test.
#include <atomic>
#include <memory>
#include <mutex>

#include "fake_exec.h"
#include "fake_runtime.h"
#include "ukube/testing/runtime_conformance.h"

namespace ukube::runtime::conformance {
namespace {

using fake::FakeRuntime;
using fake::FakeRuntimeConfig;
using fake::ImageBehaviour;

// The runtime of the test running now: recipes are called during a test, after make().
std::weak_ptr<FakeRuntime>& current_fake_runtime() {
  static std::weak_ptr<FakeRuntime> runtime;
  return runtime;
}

ContainerConfig with_image(const std::string& image) {
  ContainerConfig config;
  config.image = image;
  return config;
}

std::shared_ptr<RuntimeDriver> make_fake(const std::filesystem::path&) {
  FakeRuntimeConfig config;
  (*config.mutable_images())["fake.test/ignores-sigterm"].set_ignores_sigterm(true);
  (*config.mutable_images())["fake.test/unpullable"].set_pull_fails(true);
  auto runtime = std::make_shared<FakeRuntime>(config);
  current_fake_runtime() = runtime;
  // Owned by the runtime, which the returned pointer keeps alive.
  return std::shared_ptr<RuntimeDriver>(runtime, runtime->fake_driver_for_node("conformance-node").get());
}

ContainerConfig prints_and_exits(const std::vector<std::string>& lines, int exit_code) {
  static std::atomic<int> counter{0};
  const std::string image = "fake.test/prints-and-exits-" + std::to_string(++counter);
  ImageBehaviour behaviour;
  for (const auto& line : lines) behaviour.add_log_lines(line);
  behaviour.set_exit_code(exit_code);
  behaviour.set_exit_after_ms(1);
  current_fake_runtime().lock()->images().set(image, behaviour);
  return with_image(image);
}

RuntimeUnderTest fake_runtime() {
  RuntimeUnderTest runtime;
  runtime.name = "fake";
  runtime.make = make_fake;
  runtime.runs_processes = false;
  Recipes& r = runtime.recipes;
  r.runs_until_stopped = [] { return with_image("fake.test/runs-until-stopped"); };
  r.prints_and_exits = prints_and_exits;
  r.ignores_sigterm = [] { return with_image("fake.test/ignores-sigterm:1.0"); };
  r.exec_prints_and_exits = [](const std::string& text, int exit_code) {
    return std::vector<std::string>{fake::kScriptedExec, "print", text, std::to_string(exit_code)};
  };
  r.exec_sleeps = [] { return std::vector<std::string>{fake::kScriptedExec, "sleep", "3600"}; };
  r.pullable_image = [] { return std::string("fake.test/pullable:1.0"); };
  r.unpullable_image = [] { return std::string("fake.test/unpullable:2.0"); };
  return runtime;
}

INSTANTIATE_TEST_SUITE_P(Fake, RuntimeConformance, ::testing::Values(fake_runtime()), runtime_name);

}  // namespace
}  // namespace ukube::runtime::conformance
