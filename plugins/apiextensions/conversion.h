#pragma once

#include <memory>

#include <boost/json/fwd.hpp>

#include "ukube/https/transport.h"
#include "ukube/types.h"

// How a definition's objects change version, as spec.conversion says: `None` rewrites
// apiVersion and nothing else; `Webhook` sends each object to the definition's conversion
// webhook in an apiextensions.k8s.io/v1 ConversionReview and checks what comes back as
// upstream does. A webhook that fails makes the read or write fail with a 500 whose
// message says `conversion webhook for <group/version>, Kind=<kind> failed: <why>`.
namespace ukube::apiextensions {

ConversionFunc conversion_for(const boost::json::object& crd, std::shared_ptr<https::Transport> transport);

}  // namespace ukube::apiextensions
