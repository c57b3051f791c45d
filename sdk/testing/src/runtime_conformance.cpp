// The runtime conformance suite's fixture: a fresh driver per test, sandboxes and
// containers named and labelled as the kubelet names them, and a teardown that leaves
// nothing behind even when a test failed halfway.
#include "ukube/testing/runtime_conformance.h"

#include <atomic>
#include <filesystem>
#include <random>

namespace ukube::runtime::conformance {
namespace {

// Marks every sandbox of one test, so TearDown finds them all with one List.
constexpr const char* kRunLabel = "conformance.ukube.io/run";

std::string unique_token() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t process_salt = std::random_device{}();
  return std::to_string(process_salt % 1'000'000) + "-" + std::to_string(++counter);
}

}  // namespace

void RuntimeConformance::SetUp() {
  if (GetParam().unavailable)
    if (std::string why = GetParam().unavailable(); !why.empty())
      GTEST_SKIP() << "SKIPPED (" << GetParam().name << "): " << why;
  dir_ = std::make_unique<ukube::testing::TempDir>("runtime-conformance");
  driver_ = GetParam().make(dir_->path());
  ASSERT_TRUE(driver_) << GetParam().name << ": make() returned no driver";
}

void RuntimeConformance::TearDown() {
  if (driver_) {
    const std::string run = dir_->path().filename().string();
    PodSandboxFilter mine;
    mine.label_selector[kRunLabel] = run;
    try {
      for (const auto& sandbox : driver_->list_pod_sandboxes(mine)) {
        driver_->stop_pod_sandbox(sandbox.id);
        driver_->remove_pod_sandbox(sandbox.id);
      }
      EXPECT_TRUE(driver_->list_pod_sandboxes(mine).empty()) << "sandboxes left after removing them all";
    } catch (const std::exception& e) {
      ADD_FAILURE() << "cleaning up the test's sandboxes failed: " << e.what();
    }
  }
  driver_.reset();
  dir_.reset();
}

PodSandboxConfig RuntimeConformance::sandbox_config(const std::string& pod_name) {
  PodSandboxConfig config;
  config.metadata.name = pod_name;
  config.metadata.namespace_ = "conformance";
  config.metadata.uid = "uid-" + unique_token();
  config.metadata.attempt = 0;
  config.hostname = pod_name;
  // <kubelet root>/pods-logs/<namespace>_<name>_<uid>, made by the kubelet before the run.
  config.log_directory =
      (dir_->path() / "pods-logs" / (config.metadata.namespace_ + "_" + pod_name + "_" + config.metadata.uid))
          .string();
  std::filesystem::create_directories(config.log_directory);
  config.labels = {{label::kPodName, pod_name},
                   {label::kPodNamespace, config.metadata.namespace_},
                   {label::kPodUid, config.metadata.uid},
                   {kRunLabel, dir_->path().filename().string()}};
  config.annotations = {{"conformance.ukube.io/note", "kept as given: spaces, = and ünïcode"},
                        {label::kTerminationGracePeriod, "30"}};
  return config;
}

ContainerConfig RuntimeConformance::container_config(ContainerConfig recipe, const std::string& name,
                                                     const PodSandboxConfig& sandbox) {
  recipe.metadata.name = name;
  recipe.metadata.attempt = 0;
  recipe.labels = {{label::kContainerName, name},
                   {label::kPodName, sandbox.metadata.name},
                   {label::kPodNamespace, sandbox.metadata.namespace_},
                   {label::kPodUid, sandbox.metadata.uid}};
  recipe.annotations = {{label::kContainerHash, "1a2b3c4d"}, {label::kRestartCount, "0"}};
  // <container name>/<restart count>.log, as upstream's kubelet; it makes the folder.
  recipe.log_path = name + "/0.log";
  std::filesystem::create_directories(std::filesystem::path(sandbox.log_directory) / name);
  return recipe;
}

}  // namespace ukube::runtime::conformance
