#pragma once

#include <functional>
#include <optional>
#include <string>

#include <boost/json/fwd.hpp>

#include "ukube/admission/plugin_support.h"
#include "ukube/auth.h"
#include "webhook_config.h"

// Which webhooks a request goes to: rules, then namespaceSelector, then objectSelector, as
// upstream's generic webhook source decides.
namespace ukube::webhook {

// What a request is matched on, taken from an AdmissionRequest.
struct Attributes {
  std::string operation;  // CREATE UPDATE DELETE CONNECT
  std::string group;
  std::string version;
  std::string kind;
  std::string resource;  // plural
  std::string subresource;
  bool namespaced = true;
  std::string namespace_;
  std::string name;
  const boost::json::object* object = nullptr;      // null on delete
  const boost::json::object* old_object = nullptr;  // null on create
};

using admission::operation_name;
Attributes attributes_of(const AdmissionRequest& request);

// The labels of a namespace by name, or nullopt when it does not exist.
using NamespaceLabels = std::function<std::optional<Labels>(const std::string& name)>;

bool rule_matches(const Rule& rule, const Attributes& a);
// Webhook configurations are never sent to webhooks, so a broken webhook can always be
// removed (upstream's IsExemptAdmissionConfigurationResource).
bool exempt(const Attributes& a);
bool object_selector_matches(const Webhook& hook, const Attributes& a);
// Throws ApiError NotFound, as upstream, when the request's namespace does not exist.
bool namespace_selector_matches(const Webhook& hook, const Attributes& a, const NamespaceLabels& namespaces);
// All of the above.
bool should_call(const Webhook& hook, const Attributes& a, const NamespaceLabels& namespaces);

}  // namespace ukube::webhook
