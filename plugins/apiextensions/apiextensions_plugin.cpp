#include "apiextensions_plugin.h"

#include <spdlog/logger.h>

#include <boost/json.hpp>

#include "crd_controller.h"
#include "crd_type.h"
#include "ukube/auth.h"
#include "ukube/https/curl_transport.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"

namespace ukube::apiextensions {

ApiExtensionsPlugin::ApiExtensionsPlugin() = default;
ApiExtensionsPlugin::~ApiExtensionsPlugin() {
  stop();
}

void ApiExtensionsPlugin::init(InitContext& ctx) {
  registry_ = &ctx.types();
  // The ObjectMeta schema built-in types are served with (read from one of them), so that
  // definitions' and custom resources' metadata read like every other object's.
  std::shared_ptr<const boost::json::object> meta;
  if (auto configmaps = registry_->find({"", "v1", "configmaps"}); configmaps && configmaps->schema)
    if (const auto* m = machinery::object_at(*configmaps->schema, {"properties", "metadata"}))
      meta = std::make_shared<const boost::json::object>(*m);
  registry_->add(crd_type(meta));
  // As the API server: the definitions' status, and every instance when one is deleted.
  auto client = ctx.client(UserInfo{"system:apiserver", "", {"system:masters"}, {}});
  controller_ = std::make_unique<CrdController>(
      *registry_, client, ctx.informers().informer(kCustomResourceDefinitions),
      std::make_shared<https::CurlTransport>(), std::move(meta), ctx.logger());
}

void ApiExtensionsPlugin::start() {
  controller_->start();
}

void ApiExtensionsPlugin::stop() {
  if (controller_) controller_->stop();
  controller_.reset();
  if (registry_) registry_->remove(kCustomResourceDefinitions);
  registry_ = nullptr;
}

}  // namespace ukube::apiextensions
