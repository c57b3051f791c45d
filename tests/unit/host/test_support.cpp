#include "tests/unit/host/test_support.h"

#include <fstream>
#include <random>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

namespace ukube::host::testing {

std::filesystem::path plugin_dir() {
  return UKUBE_TEST_PLUGIN_DIR;
}
std::filesystem::path extra_dir() {
  return UKUBE_TEST_PLUGIN_EXTRA_DIR;
}
std::filesystem::path library(const std::string& name) {
  return plugin_dir() / (name + ".so");
}

std::shared_ptr<spdlog::logger> quiet_logger() {
  return std::make_shared<spdlog::logger>("host-test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

Catalog test_catalog() {
  return Catalog::scan({plugin_dir(), extra_dir()});
}

std::vector<std::string> read_lines(const std::filesystem::path& file) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

HostFixture::HostFixture() {
  std::random_device random;
  root_ = std::filesystem::temp_directory_path() / ("ukube-host-test-" + std::to_string(random()));
  std::filesystem::create_directories(root_);
  data_ = root_ / "data";
  trace_ = root_ / "trace.txt";
}

HostFixture::~HostFixture() {
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

DaemonConfig HostFixture::config(const std::string& plugins) const {
  return parse_config("data_dir: " + data_.string() + "\nplugins:\n" + plugins, "test.yaml");
}

std::string HostFixture::entry(const std::string& uri, const std::string& settings) const {
  return "  - uri: " + uri + "\n    config: {trace_file: \"" + trace_.string() + "\"" +
         (settings.empty() ? "" : ", " + settings) + "}\n";
}

}  // namespace ukube::host::testing
