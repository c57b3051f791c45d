// The fake runtime's small parts: config defaults, the IP pool, image names and behaviour
// lookup, the CRI log format and scripted exec commands.
#include <gtest/gtest.h>

#include <fstream>

#include "config_defaults.h"
#include "cri_log.h"
#include "fake_exec.h"
#include "image_catalogue.h"
#include "ip_allocator.h"
#include "ukube/runtime/driver.h"
#include "ukube/testing/temp_dir.h"

namespace ukube::runtime::fake {
namespace {

TEST(FakeConfigDefaults, FillsThePodCidrAndLeavesImagesAtZero) {
  const FakeRuntimeConfig config = with_defaults({});
  EXPECT_EQ(config.pod_cidr(), "10.42.0.0/16");
  const ImageBehaviour& image = config.default_image();
  EXPECT_EQ(image.start_delay_ms(), 0u);
  EXPECT_EQ(image.exit_after_ms(), 0u) << "runs until stopped";
  EXPECT_EQ(image.exit_code(), 0);
  EXPECT_EQ(image.log_lines_size(), 0);
  EXPECT_FALSE(image.pull_fails());
  EXPECT_FALSE(image.ignores_sigterm());

  FakeRuntimeConfig custom;
  custom.set_pod_cidr("10.1.0.0/24");
  EXPECT_EQ(with_defaults(custom).pod_cidr(), "10.1.0.0/24") << "a set field is kept";
}

TEST(FakeIpAllocator, HandsOutHostAddressesInOrder) {
  IpAllocator ips("10.42.0.0/16");
  EXPECT_EQ(ips.allocate(), "10.42.0.1");
  EXPECT_EQ(ips.allocate(), "10.42.0.2");
  EXPECT_EQ(ips.allocate(), "10.42.0.3");
  EXPECT_EQ(ips.in_use(), 3u);
  ips.release("10.42.0.2");
  EXPECT_EQ(ips.allocate(), "10.42.0.4") << "sequential, not first-free";
  EXPECT_EQ(ips.in_use(), 3u);
}

TEST(FakeIpAllocator, WrapsAndSkipsAddressesInUse) {
  IpAllocator ips("192.168.7.9/29");  // host bits ignored: 192.168.7.8/29, hosts .9 to .14
  std::vector<std::string> all;
  for (int i = 0; i < 6; ++i) all.push_back(ips.allocate());
  EXPECT_EQ(all.front(), "192.168.7.9");
  EXPECT_EQ(all.back(), "192.168.7.14");
  try {
    ips.allocate();
    ADD_FAILURE() << "a full pool handed out an address";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(
        std::string(e.what()).find("pod_cidr 192.168.7.9/29 are in use: give ukube.runtime.v1.fake a larger"),
        std::string::npos)
        << e.what();
  }
  ips.release("192.168.7.12");
  ips.release("192.168.7.10");
  EXPECT_EQ(ips.allocate(), "192.168.7.10") << "wrapped to the start, skipping .9";
  EXPECT_EQ(ips.allocate(), "192.168.7.12");
  ips.release("not an ip");  // ignored
  EXPECT_EQ(ips.in_use(), 6u);
}

TEST(FakeIpAllocator, RefusesWhatIsNotAnIpv4Cidr) {
  for (const char* bad : {"", "10.42.0.0", "10.42.0.0/", "10.42.0.0/33", "10.42.0.0/31", "10.42.0/16",
                          "fd00::/64", "10.42.0.0/16x"}) {
    EXPECT_THROW(IpAllocator{bad}, std::invalid_argument) << bad;
  }
}

TEST(FakeImageNames, TagsAndDigestsAreStrippedButNotRegistryPorts) {
  EXPECT_EQ(image_without_tag("busybox:1.36"), "busybox");
  EXPECT_EQ(image_without_tag("busybox"), "busybox");
  EXPECT_EQ(image_without_tag("registry.local:5000/app"), "registry.local:5000/app");
  EXPECT_EQ(image_without_tag("registry.local:5000/app:v2"), "registry.local:5000/app");
  EXPECT_EQ(image_without_tag("app@sha256:abc"), "app");
  EXPECT_EQ(image_without_tag("app:v1@sha256:abc"), "app");

  EXPECT_EQ(image_tag_name("busybox"), "busybox:latest");
  EXPECT_EQ(image_tag_name("busybox:1.36"), "busybox:1.36");
  EXPECT_EQ(image_tag_name("registry.local:5000/app"), "registry.local:5000/app:latest");

  const std::string id = fake_image_id("busybox");
  EXPECT_EQ(id.size(), 7u + 64u);
  EXPECT_EQ(id.rfind("sha256:", 0), 0u);
  EXPECT_EQ(id, fake_image_id("busybox:latest")) << "one image under both names";
  EXPECT_NE(id, fake_image_id("busybox:1.36"));
}

TEST(FakeImageCatalogue, MatchesExactlyThenWithoutTagThenDefault) {
  FakeRuntimeConfig config;
  config.mutable_default_image()->set_exit_code(9);
  (*config.mutable_images())["busybox"].set_exit_code(1);
  (*config.mutable_images())["busybox:1.36"].set_exit_code(2);
  ImageCatalogue images(config);
  EXPECT_EQ(images.behaviour("busybox:1.36")->exit_code(), 2);
  EXPECT_EQ(images.behaviour("busybox:1.35")->exit_code(), 1);
  EXPECT_EQ(images.behaviour("busybox@sha256:0123")->exit_code(), 1);
  EXPECT_EQ(images.behaviour("busybox")->exit_code(), 1);
  EXPECT_EQ(images.behaviour("nginx")->exit_code(), 9);

  auto before = images.behaviour("nginx");
  ImageBehaviour later;
  later.set_exit_code(4);
  images.set("nginx", later);
  EXPECT_EQ(images.behaviour("nginx")->exit_code(), 4);
  EXPECT_EQ(before->exit_code(), 9) << "a behaviour already handed out does not change";

  FakeRuntimeConfig reloaded;
  (*reloaded.mutable_images())["redis"].set_exit_code(6);
  images.replace(reloaded);
  EXPECT_EQ(images.behaviour("redis:7")->exit_code(), 6);
  EXPECT_EQ(images.behaviour("busybox:1.36")->exit_code(), 0) << "dropped by the reload: the new default";
}

TEST(FakeCriLog, TimestampsHaveNineFractionDigitsInUtc) {
  EXPECT_EQ(cri_timestamp(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(cri_timestamp(1'700'000'000'000'000'123), "2023-11-14T22:13:20.000000123Z");
  EXPECT_EQ(cri_timestamp(-1), "1969-12-31T23:59:59.999999999Z");
}

TEST(FakeCriLog, AppendsFullStdoutRecordsMakingTheFolder) {
  ukube::testing::TempDir dir("fake-cri-log");
  const auto path = dir.path() / "pod" / "app" / "0.log";
  append_stdout_lines(path, {"one", "two words"}, 1'700'000'000'000'000'000);
  append_stdout_lines(path, {"three"}, 1'700'000'001'500'000'000);
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  EXPECT_EQ(lines, (std::vector<std::string>{"2023-11-14T22:13:20.000000000Z stdout F one",
                                             "2023-11-14T22:13:20.000000000Z stdout F two words",
                                             "2023-11-14T22:13:21.500000000Z stdout F three"}));
}

TEST(FakeExec, ScriptedCommandsOtherwiseTheImagesAnswer) {
  ImageBehaviour image;
  image.set_exec_output("from the image");
  image.set_exec_exit_code(5);
  const ExecOutcome printed = exec_outcome({kScriptedExec, "print", "hi there", "3"}, image);
  EXPECT_EQ(printed.stdout_, "hi there");
  EXPECT_EQ(printed.exit_code, 3);
  EXPECT_EQ(printed.duration_ns, 0);
  const ExecOutcome slept = exec_outcome({kScriptedExec, "sleep", "2"}, image);
  EXPECT_EQ(slept.duration_ns, 2'000'000'000);
  EXPECT_EQ(slept.exit_code, 0);
  const ExecOutcome other = exec_outcome({"cat", "/tmp/healthy"}, image);
  EXPECT_EQ(other.stdout_, "from the image");
  EXPECT_EQ(other.exit_code, 5);
  EXPECT_EQ(exec_outcome({}, image).exit_code, 5);

  EXPECT_THROW(exec_outcome({kScriptedExec, "print", "x", "minus one"}, image), RuntimeError);
  EXPECT_THROW(exec_outcome({kScriptedExec, "dance"}, image), RuntimeError);
}

}  // namespace
}  // namespace ukube::runtime::fake
