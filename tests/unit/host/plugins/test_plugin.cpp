// One source, many test plugins: identity, requirements and deliberate defects come from
// compile definitions (see CMakeLists.txt), behaviour from the typed config.
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "test_plugin.pb.h"
#include "ukube/plugin.h"

#ifndef TEST_PLUGIN_REQUIRES
#define TEST_PLUGIN_REQUIRES ""
#endif
#ifndef TEST_PLUGIN_DESCRIPTOR_ID
#define TEST_PLUGIN_DESCRIPTOR_ID TEST_PLUGIN_ID
#endif

#ifdef TEST_PLUGIN_UNRESOLVED
// Never defined anywhere: dlopen with RTLD_NOW must fail on it.
extern "C" int ukube_test_symbol_nobody_defines();
#endif

namespace {

using ukube::test::TestPluginConfig;

std::vector<std::string> split(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    auto comma = list.find(',');
    out.emplace_back(list.substr(0, comma));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

class TestPlugin final : public ukube::Plugin {
 public:
  ~TestPlugin() override { trace("destroy"); }

  void init(ukube::InitContext& ctx) override {
    uri_ = ctx.uri();
    if (const auto* typed = dynamic_cast<const TestPluginConfig*>(&ctx.config())) config_.CopyFrom(*typed);
    std::error_code ec;
    trace("init value=" + std::to_string(config_.value()) + " visible=" + std::to_string(ctx.all().size()) +
          " state_dir=" + (std::filesystem::is_directory(ctx.state_dir(), ec) ? "yes" : "no"));
    for (const auto& name : config_.expect_visible())
      if (!ctx.find(name)) throw std::runtime_error("cannot find " + name);
    if (config_.fail_init()) throw std::runtime_error("fail_init is set");
#ifdef TEST_PLUGIN_UNRESOLVED
    ukube_test_symbol_nobody_defines();
#endif
  }

  void start() override {
    trace("start");
    if (config_.fail_start()) throw std::runtime_error("fail_start is set");
  }

  void stop() override {
    trace("stop");
    if (config_.fail_stop()) throw std::runtime_error("fail_stop is set");
  }

  bool reconfigure(const google::protobuf::Message& message) override {
    const auto& next = dynamic_cast<const TestPluginConfig&>(message);
    trace("reconfigure value=" + std::to_string(next.value()));
    if (!next.support_reconfigure()) return false;
    config_.CopyFrom(next);
    return true;
  }

 private:
  void trace(const std::string& event) const {
    // Plugins without a config message trace to the file named by the environment.
    std::string file = config_.trace_file();
    if (file.empty()) {
      const char* env = std::getenv("UKUBE_TEST_TRACE");
      if (!env) return;
      file = env;
    }
    std::ofstream(file, std::ios::app) << uri_ << " " << event << "\n";
  }

  std::string uri_;
  TestPluginConfig config_;
};

const ukube::PluginDescriptor& descriptor() {
  static const ukube::PluginDescriptor d = [] {
    ukube::PluginDescriptor d;
    d.abi_version = UKUBE_PLUGIN_ABI_VERSION;
    d.api_hash = UKUBE_PLUGIN_API_HASH;
    d.type = TEST_PLUGIN_TYPE;
    d.id = TEST_PLUGIN_DESCRIPTOR_ID;
    d.requires_ = split(TEST_PLUGIN_REQUIRES);
#ifndef TEST_PLUGIN_NO_CONFIG
    d.config_prototype = &TestPluginConfig::default_instance();
#endif
    d.create = [] { return std::unique_ptr<ukube::Plugin>(new TestPlugin); };
    return d;
  }();
  return d;
}

}  // namespace

// Deliberately stale stamps: the descriptor above keeps the real values, so only the
// stamp check can catch these libraries.
#ifdef TEST_PLUGIN_STAMP_HASH
#undef UKUBE_PLUGIN_API_HASH
#define UKUBE_PLUGIN_API_HASH TEST_PLUGIN_STAMP_HASH
#endif
#ifdef TEST_PLUGIN_STAMP_ABI
#undef UKUBE_PLUGIN_ABI_VERSION
#define UKUBE_PLUGIN_ABI_VERSION TEST_PLUGIN_STAMP_ABI
#endif

UKUBE_PLUGIN(TEST_PLUGIN_TYPE, TEST_PLUGIN_ID, descriptor)
