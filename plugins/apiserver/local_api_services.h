#pragma once

#include <memory>

#include "ukube/pipeline.h"
#include "ukube/types.h"

namespace spdlog {
class logger;
}

// The APIService objects of the groups this server serves itself (upstream's autoregister):
// one per group and version, named <version>.<group>, with upstream's priorities and an
// Available condition, reason Local. Made once at start when missing; nothing happens when
// the registry has no apiregistration.k8s.io/v1 APIService type.
namespace ukube::apiserver {

void register_local_api_services(RequestPipeline& pipeline, const TypeRegistry& types,
                                 const std::shared_ptr<spdlog::logger>& log);

}  // namespace ukube::apiserver
