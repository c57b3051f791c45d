#pragma once

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "kernel/store/data_dir.h"
#include "kernel/store/embedded_store.h"
#include "ukube/testing/temp_dir.h"

namespace ukube::store::test_support {

using ukube::testing::TempDir;

// A logger whose output the test can read back.
struct CapturedLog {
  std::ostringstream text;
  std::shared_ptr<spdlog::logger> logger =
      std::make_shared<spdlog::logger>("store-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(text));
  std::string str() {
    logger->flush();
    return text.str();
  }
};

inline EmbeddedStoreOptions options_for(const std::filesystem::path& dir,
                                        std::shared_ptr<spdlog::logger> logger = nullptr) {
  EmbeddedStoreOptions options;
  options.data_dir = dir;
  options.fsync = false;  // these tests kill nothing; the crash test uses real fsync
  options.snapshot_threshold_bytes = 0;
  options.logger = std::move(logger);
  return options;
}

template <class Predicate>
bool eventually(Predicate&& done, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace ukube::store::test_support
