#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernel/host/catalog.h"
#include "kernel/host/config.h"

namespace spdlog {
class logger;
}

namespace ukube::host::testing {

std::filesystem::path plugin_dir();                      // test plugins, the "main" directory
std::filesystem::path extra_dir();                       // a second directory: the other twin, epsilon
std::filesystem::path library(const std::string& name);  // plugin_dir()/<name>.so

// A logger that drops everything, so test output stays readable.
std::shared_ptr<spdlog::logger> quiet_logger();

// Both test directories, without the real default plugin dir, so results do not depend
// on which real plugins happen to be built.
Catalog test_catalog();

std::vector<std::string> read_lines(const std::filesystem::path& file);

// A fresh directory per test holding the data dir and the trace file.
class HostFixture : public ::testing::Test {
 protected:
  HostFixture();
  ~HostFixture() override;

  // A config (source "test.yaml") with data_dir set; `plugins` is the YAML list body.
  DaemonConfig config(const std::string& plugins) const;
  // One plugins: entry whose config traces to trace_; `settings` is extra flow-map text
  // such as "value: 2, fail_init: true".
  std::string entry(const std::string& uri, const std::string& settings = "") const;
  std::vector<std::string> trace() const { return read_lines(trace_); }
  void clear_trace() const { std::filesystem::remove(trace_); }

  std::filesystem::path root_;
  std::filesystem::path data_;
  std::filesystem::path trace_;
};

}  // namespace ukube::host::testing
