// PrioritySort: higher priority first, then whoever has waited longest.
#include "plugins/args.h"
#include "plugins/simple_plugins.h"

namespace ukube::scheduler {
namespace {

class PrioritySort final : public QueueSortPlugin {
 public:
  std::string name() const override { return "PrioritySort"; }
  bool less(const QueuedPod& a, const QueuedPod& b) const override {
    if (a.pod->priority != b.pod->priority) return a.pod->priority > b.pod->priority;
    return a.timestamp < b.timestamp;
  }
};

}  // namespace

FrameworkPluginFactory priority_sort_factory() {
  return {"PrioritySort", [](const boost::json::object& args, Handle&) -> std::unique_ptr<FrameworkPlugin> {
            check_known_args(args, {});
            return std::make_unique<PrioritySort>();
          }};
}

}  // namespace ukube::scheduler
