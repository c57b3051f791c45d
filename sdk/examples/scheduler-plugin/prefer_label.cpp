// PreferLabel: a Score plugin that ranks nodes carrying a label above the rest. A ukube
// plugin of type ukube.scheduler-plugin.v1 that provides framework plugins; scheduler
// profiles enable it by name:
//
//   - uri: ukube.scheduler-plugin.v1.prefer-label
//   - uri: ukube.scheduler.v1.default
//     config:
//       profiles:
//         - plugins: {score: {enabled: [{name: PreferLabel, weight: 50}]}}
//           pluginConfig: [{name: PreferLabel, args: {label: disktype, value: ssd}}]
#include <boost/json.hpp>
#include <stdexcept>
#include <string>

#include "ukube/plugin.h"
#include "ukube/scheduler/framework.h"

namespace example {

namespace sched = ukube::scheduler;

class PreferLabel final : public sched::ScorePlugin {
 public:
  PreferLabel(std::string label, std::string value) : label_(std::move(label)), value_(std::move(value)) {}
  std::string name() const override { return "PreferLabel"; }

  sched::Status score(const sched::CycleState&, const sched::PodInfo&, const sched::NodeInfo& node,
                      int64_t& score) override {
    const std::string* v = node.labels.find(label_);
    score = v && (value_.empty() || *v == value_) ? sched::kMaxNodeScore : 0;
    return {};
  }

 private:
  std::string label_;
  std::string value_;
};

std::string arg(const boost::json::object& args, const char* key, const char* fallback) {
  const auto* v = args.if_contains(key);
  if (!v) return fallback;
  if (!v->is_string()) throw std::invalid_argument(std::string("arg \"") + key + "\" must be a string");
  return std::string(v->get_string());
}

// The ukube plugin: nothing to run, it only lends its framework plugins to the scheduler.
class Provider final : public ukube::Plugin, public sched::FrameworkPluginProvider {
 public:
  void init(ukube::InitContext&) override {}
  std::vector<sched::FrameworkPluginFactory> framework_plugins() const override {
    return {{"PreferLabel", [](const boost::json::object& args, sched::Handle&) {
               for (const auto& [k, v] : args)
                 if (k != "label" && k != "value")
                   throw std::invalid_argument("unknown arg \"" + std::string(k) +
                                               "\" (known args: label, value)");
               return std::unique_ptr<sched::FrameworkPlugin>(
                   new PreferLabel(arg(args, "label", "example.com/preferred"), arg(args, "value", "")));
             }}};
  }
};

const ukube::PluginDescriptor& descriptor() {
  static const ukube::PluginDescriptor d = [] {
    ukube::PluginDescriptor d;
    d.abi_version = UKUBE_PLUGIN_ABI_VERSION;
    d.api_hash = UKUBE_PLUGIN_API_HASH;
    d.type = "ukube.scheduler-plugin.v1";
    d.id = "prefer-label";
    d.create = [] { return std::unique_ptr<ukube::Plugin>(new Provider); };
    return d;
  }();
  return d;
}

}  // namespace example

UKUBE_PLUGIN("ukube.scheduler-plugin.v1", "prefer-label", example::descriptor)
