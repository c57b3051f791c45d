#include "runc_runtime_plugin.h"

#include <sys/statvfs.h>

#include <spdlog/logger.h>

#include <stdexcept>

#include "builtin_image.h"
#include "image_drop_folder.h"
#include "runc_driver.h"
#include "runtime-runc/config.pb.h"
#include "settings.h"

namespace ukube::runtime::runc {

RuncRuntimePlugin::RuncRuntimePlugin() = default;
RuncRuntimePlugin::~RuncRuntimePlugin() = default;

void RuncRuntimePlugin::init(InitContext& ctx) {
  RuncRuntimeSettings settings =
      settings_from(ctx.config_as<RuncRuntimeConfig>(), ctx.state_dir(), ctx.data_dir());
  if (std::string why = why_runc_cannot_run(settings.runc_path); !why.empty())
    throw std::runtime_error(why + "; enable ukube.runtime.v1.process instead on this machine");
  auto logger = ctx.logger();
  if (logger)
    logger->info("runtime-runc: containers run by {} (state {}), images from {}", settings.runc_path.string(),
                 settings.runc_root.string(), settings.image_store.string());
  images_ = std::make_unique<images::ImageStore>(settings.image_store);
  if (!settings.builtin_busybox.empty()) {
    try {
      for (const auto& name :
           ensure_builtin_busybox(*images_, settings.builtin_busybox, ctx.state_dir() / "builtin"))
        if (logger)
          logger->info("runtime-runc: made the built-in image {} from {}", name,
                       settings.builtin_busybox.string());
    } catch (const std::exception& e) {
      if (logger)
        logger->warn(
            "runtime-runc: no built-in busybox image ({}); install busybox-static or import an image",
            e.what());
    }
  }
  drop_folder_ = std::make_unique<ImageDropFolder>(*images_, settings.image_folder,
                                                   ctx.state_dir() / "imported-from-folder", logger);
  drop_folder_->import_new();
  gc_period_ = settings.image_gc_period;
  driver_ = std::make_shared<RuncDriver>(std::move(settings), ctx.state_dir(), logger);
}

void RuncRuntimePlugin::start() {
  if (drop_folder_) drop_folder_->watch();
  gc_thread_ = std::thread([this] {
    std::unique_lock lock(gc_mutex_);
    while (!gc_wake_.wait_for(lock, gc_period_, [this] { return gc_stop_; })) {
      lock.unlock();
      struct statvfs fs {};
      if (::statvfs(driver_->image_store().c_str(), &fs) == 0)
        driver_->collect_images(DiskUsage{static_cast<uint64_t>(fs.f_blocks) * fs.f_frsize,
                                          static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize});
      lock.lock();
    }
  });
}

void RuncRuntimePlugin::stop() {
  {
    std::lock_guard lock(gc_mutex_);
    gc_stop_ = true;
  }
  gc_wake_.notify_all();
  if (gc_thread_.joinable()) gc_thread_.join();
  drop_folder_.reset();
}

std::shared_ptr<RuntimeDriver> RuncRuntimePlugin::driver_for_node(const std::string& node_name) {
  if (!driver_) throw std::logic_error("runtime-runc: driver_for_node called before init");
  node_.bind(node_name);
  return driver_;
}

}  // namespace ukube::runtime::runc
