#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/labels.h"

// One webhook of a Mutating/ValidatingWebhookConfiguration, read once when the
// configuration changes so that requests only match and call.
namespace ukube::webhook {

using Labels = std::map<std::string, std::string>;

struct Rule {
  std::vector<std::string> operations;  // CREATE UPDATE DELETE CONNECT or *
  std::vector<std::string> api_groups;
  std::vector<std::string> api_versions;
  std::vector<std::string> resources;  // pods, pods/status, pods/*, */scale, *, */*
  std::string scope = "*";             // Cluster, Namespaced or *
};

struct ServiceReference {
  std::string namespace_;
  std::string name;
  std::string path;
  int port = 443;
};

struct Webhook {
  std::string name;
  std::string configuration;  // metadata.name of the configuration it belongs to
  bool mutating = false;
  std::string url;                          // clientConfig.url, or empty with a service
  std::optional<ServiceReference> service;  // clientConfig.service
  std::string ca_bundle;                    // PEM, decoded from clientConfig.caBundle; empty: system roots
  std::string config_error;                 // why calls cannot be made (an undecodable caBundle)
  std::vector<Rule> rules;
  bool fail_open = false;  // failurePolicy Ignore
  // Parsed once with the configuration; nullopt: none, everything matches.
  std::optional<LabelSelector> namespace_selector;
  std::optional<LabelSelector> object_selector;
  std::string side_effects;
  int timeout_seconds = 10;
  std::vector<std::string> review_versions;
};

// A webhook's namespaceSelector / objectSelector. {}: none, everything matches. One upstream
// could not convert (an unknown operator, In without values) becomes a selector that
// matches nothing, so a broken selector never widens a match.
std::optional<LabelSelector> parse_selector(const boost::json::object& selector);

// The webhooks of one configuration object, in order. Defaults apply to members the object
// lacks (objects read from the store are defaulted already; tests may pass bare ones).
std::vector<Webhook> parse_configuration(const boost::json::object& configuration, bool mutating);

}  // namespace ukube::webhook
