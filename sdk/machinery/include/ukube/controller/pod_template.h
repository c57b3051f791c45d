#pragma once

#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/export.h"

// The pod a controller creates from its pod template (upstream's GetPodFromTemplate): the
// template's labels, annotations, finalizers and spec, a generateName of "<owner>-" and
// the controller's owner reference.
namespace ukube::controller {

// "<owner>-", or the bare name when the dash would make it too long for a pod name.
UKUBE_MACHINERY_API std::string pod_name_prefix(std::string_view owner_name);

// A pod from `pod_template` (a core/v1 PodTemplateSpec: metadata and spec), named after
// `owner` and, unless `controller_ref` is null, controlled by it. The namespace is the
// caller's to send.
UKUBE_MACHINERY_API boost::json::object pod_from_template(const boost::json::object& pod_template,
                                                          const boost::json::object& owner,
                                                          const boost::json::object* controller_ref);

// Why a controller reference cannot be given to a created pod ("" when it can): upstream
// requires apiVersion, kind, and controller and blockOwnerDeletion both true.
UKUBE_MACHINERY_API std::string controller_ref_error(const boost::json::object* controller_ref);

}  // namespace ukube::controller
