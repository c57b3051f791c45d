#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "ukube/auth.h"
#include "ukube/errors.h"
#include "ukube/machinery/export.h"
#include "ukube/machinery/identities.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resource_list.h"
#include "ukube/machinery/resources.h"
#include "ukube/plugin.h"
#include "ukube/types.h"
#include "ukube/workqueue.h"

namespace spdlog {
class logger;
}

// What every admission plugin shares: the identities they act as, the resources they
// read, upstream's forbidden errors, the plugin shell that puts an admission plugin into
// the kernel's chain, and the registrar of a plugin library.
namespace ukube::admission {

namespace json = boost::json;

using machinery::array_at;
using machinery::child;
using machinery::child_array;
using machinery::has_deletion_timestamp;
using machinery::meta_string;
using machinery::name_of;
using machinery::namespace_of;
using machinery::object_at;
using machinery::string_at;
using machinery::uid_of;
using machinery::value_at;

using machinery::add;
using machinery::add_into;
using machinery::container_limits;
using machinery::container_requests;
using machinery::equal;
using machinery::for_each_container;
using machinery::join_names;
using machinery::less_than_or_equal;
using machinery::mask;
using machinery::max_into;
using machinery::names_of;
using machinery::negative_names;
using machinery::parse_resource_list;
using machinery::pod_limits;
using machinery::pod_requests;
using machinery::pretty_print;
using machinery::Quantity;
using machinery::QuantityFormat;
using machinery::remove_zeros;
using machinery::ResourceList;
using machinery::ResourceNames;
using machinery::subtract;
using machinery::subtract_non_negative;
using machinery::to_json;

using machinery::apiserver_identity;
using machinery::controller_manager_identity;

// The work queues of the controllers here: a failed namespace is retried from 50 ms,
// backing off to 30 s, within 50 syncs a second overall.
inline const RateLimits kAdmissionLoopLimits{std::chrono::milliseconds(50), std::chrono::milliseconds(30000),
                                             50, 200};

using machinery::kConfigMaps;
using machinery::kLimitRanges;
using machinery::kNamespaces;
using machinery::kPersistentVolumeClaims;
using machinery::kPods;
using machinery::kPriorityClasses;
using machinery::kReplicationControllers;
using machinery::kResourceQuotas;
using machinery::kSecrets;
using machinery::kServiceAccounts;
using machinery::kServices;

// Where pods mount their service account's token, CA and namespace, and the ConfigMap
// (in every namespace) that carries the cluster CA.
inline constexpr const char* kTokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
inline constexpr const char* kRootCAConfigMap = "kube-root-ca.crt";

// Whether the request is for `group`/`plural` (no subresource unless `subresource`).
UKUBE_MACHINERY_API bool is_resource(const AdmissionRequest& r, std::string_view group,
                                     std::string_view plural, std::string_view subresource = {});
// CREATE, UPDATE, DELETE or CONNECT, as AdmissionReview and upstream's messages spell it.
UKUBE_MACHINERY_API const char* operation_name(AdmissionOperation op);
UKUBE_MACHINERY_API bool is_pod(const AdmissionRequest& r);  // pods, not a subresource, with an object

// The name upstream's admission.NewForbidden puts in its message: the request's name, else
// the object's; during the mutating phase of a create that asked for generateName, the
// prefix (the kernel has already generated the name, upstream has not yet).
UKUBE_MACHINERY_API std::string name_in_message(const AdmissionRequest& r, bool mutating);

// `<resource> "<name>" is forbidden: <message>`, 403 Forbidden, with upstream's details.
UKUBE_MACHINERY_API ApiError forbidden(const AdmissionRequest& r, const std::string& message, bool mutating);

// utilerrors.NewAggregate(errs).Error(): one message as it is, several (duplicates
// dropped) as "[a, b]".
UKUBE_MACHINERY_API std::string aggregate(const std::vector<std::string>& messages);

// The plugin shell: puts one AdmissionPlugin into the chain under the plugin's URI, and
// takes it out in stop() (and on destruction: the plugin's code leaves with its library).
class UKUBE_MACHINERY_API AdmissionPluginShell : public Plugin {
 public:
  ~AdmissionPluginShell() override;
  void stop() override;

 protected:
  void join_chain(InitContext& ctx, std::shared_ptr<AdmissionPlugin> plugin);
  void leave_chain();
  // Informers and controllers stop here; the plugin has left the chain by then.
  virtual void stop_workers() {}

  std::shared_ptr<spdlog::logger> log_;

 private:
  AuthChains* chains_ = nullptr;
  std::string name_;
};

}  // namespace ukube::admission

// The registrar of an admission plugin library, differing only in id and class: each is
// of type ukube.admission.v1 and requires the built-in types (it reads them).
#define UKUBE_ADMISSION_PLUGIN(ID, CLASS) \
  UKUBE_DEFINE_PLUGIN("ukube.admission.v1", ID, CLASS, nullptr, "ukube.types.v1")
