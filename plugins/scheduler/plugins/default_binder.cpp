// DefaultBinder: writes the pods/binding subresource, as every scheduler must.
#include <boost/json.hpp>

#include "plugins/args.h"
#include "plugins/binder_plugins.h"
#include "runtime/pod_writes.h"
#include "ukube/client.h"

namespace ukube::scheduler {
namespace {

class DefaultBinder final : public BindPlugin {
 public:
  explicit DefaultBinder(Handle& handle) : handle_(handle) {}
  std::string name() const override { return "DefaultBinder"; }

  Status bind(CycleState&, const PodInfo& pod, const std::string& node) override {
    boost::json::object binding{{"apiVersion", "v1"},
                                {"kind", "Binding"},
                                {"metadata", {{"name", pod.name}, {"namespace", pod.ns}, {"uid", pod.uid}}},
                                {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
    try {
      handle_.client().create({"", "v1", "pods"}, pod.ns, binding, fire_and_forget(), "binding", pod.name);
    } catch (const std::exception& e) {
      return Status::error(e.what());
    }
    return {};
  }

 private:
  Handle& handle_;
};

}  // namespace

FrameworkPluginFactory default_binder_factory() {
  return {"DefaultBinder",
          [](const boost::json::object& args, Handle& h) -> std::unique_ptr<FrameworkPlugin> {
            check_known_args(args, {});
            return std::make_unique<DefaultBinder>(h);
          }};
}

}  // namespace ukube::scheduler
