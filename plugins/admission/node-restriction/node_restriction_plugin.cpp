#include "node_restriction_plugin.h"

#include <boost/json.hpp>
#include <stdexcept>

#include "node_restriction.h"
#include "ukube/auth.h"
#include "ukube/controller/informers.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"

namespace ukube::rbac {
namespace {

constexpr auto kSyncTimeout = std::chrono::seconds(60);
using machinery::kNodes;
using machinery::kPods;

}  // namespace

NodeRestrictionPlugin::~NodeRestrictionPlugin() {
  stop();
  if (auth_) auth_->remove(uri_);
}

void NodeRestrictionPlugin::init(InitContext& ctx) {
  uri_ = ctx.uri();
  pods_ = ctx.informers().informer(kPods);
  nodes_ = ctx.informers().informer(kNodes);
  auto pod_on = [pods = pods_.get()](
                    const std::string& ns,
                    const std::string& name) -> std::optional<std::pair<std::string, std::string>> {
    ObjectPtr pod = pods->get(ns + "/" + name);
    if (!pod) return std::nullopt;
    const auto* spec = machinery::object_at(*pod, {"spec"});
    return std::make_pair(spec ? machinery::string_at(*spec, {"nodeName"}) : std::string(),
                          machinery::meta_string(*pod, "uid"));
  };
  auto node_uid = [nodes = nodes_.get()](const std::string& name) -> std::optional<std::string> {
    ObjectPtr node = nodes->get(name);
    if (!node) return std::nullopt;
    return machinery::meta_string(*node, "uid");
  };
  auth_ = &ctx.auth();
  auth_->add_admission(uri_, std::make_shared<NodeRestriction>(pod_on, node_uid));
}

void NodeRestrictionPlugin::start() {
  controller::wait_for_sync({pods_.get(), nodes_.get()}, kSyncTimeout, "pods and nodes for NodeRestriction");
}

// Nothing to stop: it only reads shared informers, registering no handlers.
void NodeRestrictionPlugin::stop() {}

}  // namespace ukube::rbac
