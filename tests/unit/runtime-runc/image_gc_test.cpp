// Image garbage collection (plugins/runtime-runc/image_gc.h): which images go when the disk
// passes its high threshold, and, on real containers, that an image in use never does.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "runc_test_support.h"
#include "runtime-runc/builtin_image.h"
#include "runtime-runc/image_gc.h"
#include "ukube/images/image_store.h"
#include "ukube/testing/temp_dir.h"

namespace ukube::runtime::runc {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kNow = 10'000 * kSecond;

ImageUse image(const std::string& id, uint64_t size, int64_t last_used, bool in_use = false,
               int64_t stored_at = kNow - 3600 * kSecond) {
  return ImageUse{id, size, last_used, stored_at, in_use};
}

TEST(ImageGc, NothingGoesBelowTheHighThreshold) {
  std::vector<ImageUse> images{image("a", 10, 1), image("b", 10, 2)};
  EXPECT_TRUE(images_to_collect(images, DiskUsage{100, 16}, ImageGcPolicy{}, kNow).empty()) << "84% used";
}

TEST(ImageGc, LeastRecentlyUsedGoFirstUntilTheLowThreshold) {
  // 90 of 100 used: 10 to free to reach 80%.
  std::vector<ImageUse> images{image("newest", 8, 30), image("oldest", 6, 10), image("middle", 6, 20)};
  EXPECT_EQ(images_to_collect(images, DiskUsage{100, 10}, ImageGcPolicy{}, kNow),
            (std::vector<std::string>{"oldest", "middle"}));
}

TEST(ImageGc, ImagesInUseAndYoungImagesStay) {
  std::vector<ImageUse> images{image("used", 50, 1, true), image("young", 50, 2, false, kNow - 10 * kSecond),
                               image("old", 5, 3)};
  EXPECT_EQ(images_to_collect(images, DiskUsage{100, 0}, ImageGcPolicy{}, kNow),
            std::vector<std::string>{"old"});
}

// On the real runtime: a disk reported 95% full takes the unused image and leaves the one
// a running container uses.
TEST(ImageGcOnRunc, AnUnusedImageGoesAndAnImageInUseStays) {
  if (std::string why = testing::unavailable(); !why.empty()) GTEST_SKIP() << "SKIPPED: " << why;
  ukube::testing::TempDir dir("runc-image-gc");
  auto settings = testing::test_settings(dir.path());
  // A store of its own: the other tests' busybox stays.
  settings.image_store = dir.path() / "store";
  settings.image_gc.min_age = std::chrono::seconds(0);
  images::ImageStore store(settings.image_store);
  ensure_builtin_busybox(store, "/bin/busybox", dir.path() / "builtin");
  std::filesystem::create_directories(dir.path() / "other" / "etc");
  std::ofstream(dir.path() / "other" / "etc" / "note") << "not busybox\n";
  const auto other = store.import_folder(dir.path() / "other", images::ImportOptions{"other:1", {}});
  auto driver = testing::make_driver(dir.path(), settings);

  PodSandboxConfig pod;
  pod.metadata = {"gc", "uid-gc", "default", 0};
  pod.hostname = "gc";
  const std::string sandbox = driver->run_pod_sandbox(pod);
  ContainerConfig config;
  config.metadata.name = "c";
  config.image = testing::kBusybox;
  config.command = {"sleep", "3600"};
  const std::string container = driver->create_container(sandbox, config, pod);
  driver->start_container(container);

  const auto removed = driver->collect_images(DiskUsage{1000, 50});
  EXPECT_EQ(removed, std::vector<std::string>{other.id});
  EXPECT_FALSE(driver->image_status("other:1"));
  EXPECT_TRUE(driver->image_status(testing::kBusybox)) << "in use by a running container";
  driver->remove_pod_sandbox(sandbox);
}

}  // namespace
}  // namespace ukube::runtime::runc
