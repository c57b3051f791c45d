#include "kubelet_proxy.h"

#include <boost/json.hpp>

#include "ukube/errors.h"
#include "ukube/machinery/identities.h"
#include "ukube/machinery/json.h"
#include "url.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;
using machinery::string_at;

json::object parse(const store::Bytes& bytes) {
  json::value v = json::parse(*bytes);
  return std::move(v.as_object());
}

std::vector<std::string> container_names(const json::object& spec, const char* field) {
  std::vector<std::string> out;
  machinery::for_each_object(machinery::array_at(spec, {field}),
                             [&](const json::object& c, size_t) { out.push_back(string_at(c, {"name"})); });
  return out;
}

// Go's fmt of a []string: [a b c].
std::string go_list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? " " : "") + names[i];
  return out + "]";
}

// The container a request names, or the pod's only one; upstream's errors otherwise.
std::string container_of(const json::object& pod, const std::string& asked) {
  const json::object& spec = machinery::object_or_empty(machinery::object_at(pod, {"spec"}));
  const std::string name = string_at(pod, {"metadata", "name"});
  const auto containers = container_names(spec, "containers");
  const auto inits = container_names(spec, "initContainers");
  const auto ephemerals = container_names(spec, "ephemeralContainers");
  if (asked.empty()) {
    if (containers.size() == 1) return containers.front();
    std::string message =
        "a container name must be specified for pod " + name + ", choose one of: " + go_list(containers);
    if (!inits.empty()) message += " or one of the init containers: " + go_list(inits);
    if (!ephemerals.empty()) message += " or one of the ephemeral containers: " + go_list(ephemerals);
    throw ApiError::bad_request(message);
  }
  for (const auto* list : {&containers, &inits, &ephemerals})
    for (const auto& c : *list)
      if (c == asked) return asked;
  throw ApiError::bad_request("container " + asked + " is not valid for pod " + name);
}

std::string node_address(const json::object& node) {
  std::string internal, hostname;
  machinery::for_each_object(machinery::array_at(node, {"status", "addresses"}),
                             [&](const json::object& a, size_t) {
                               const std::string type = string_at(a, {"type"});
                               if (type == "InternalIP" && internal.empty())
                                 internal = string_at(a, {"address"});
                               if (type == "Hostname" && hostname.empty())
                                 hostname = string_at(a, {"address"});
                             });
  return internal.empty() ? hostname : internal;
}

}  // namespace

KubeletEndpoint kubelet_endpoint(const json::object& node) {
  const auto* port = machinery::value_at(node, {"status", "daemonEndpoints", "kubeletEndpoint", "Port"});
  const int64_t port_number = port && port->is_int64() ? port->as_int64() : 0;
  const std::string address = node_address(node);
  if (port_number <= 0 || port_number > 65535 || address.empty())
    throw ApiError(503, "ServiceUnavailable",
                   "the kubelet of node " + string_at(node, {"metadata", "name"}) +
                       " reports no address and HTTPS port (status.addresses, status.daemonEndpoints), so it "
                       "cannot be reached for logs, exec, attach, port-forward or metrics");
  return {address, static_cast<uint16_t>(port_number)};
}

std::shared_ptr<const KubeletClientCredentials> KubeletProxy::credentials() {
  std::lock_guard lock(mutex_);
  return credentials_;
}

void KubeletProxy::set_credentials(KubeletClientCredentials credentials) {
  auto shared = std::make_shared<const KubeletClientCredentials>(std::move(credentials));
  std::lock_guard lock(mutex_);
  credentials_ = std::move(shared);
}

bool KubeletProxy::handles(const Route& route) {
  return route.group.empty() && route.resource == "pods" && !route.name.empty() &&
         (route.subresource == "log" || route.subresource == "exec" || route.subresource == "attach" ||
          route.subresource == "portforward");
}

HttpResponse KubeletProxy::connect(const ResourceCall& call) {
  const Route& route = call.route;
  const std::string& method = call.request.method;
  const bool log = route.subresource == "log";
  if (log ? method != "GET" : method != "GET" && method != "POST")
    throw ApiError::method_not_allowed("the server does not allow this method on the requested resource");

  RequestAttributes attributes;
  attributes.user = call.user;
  attributes.api_version = "v1";
  attributes.resource = "pods";
  attributes.subresource = route.subresource;
  attributes.namespace_ = route.namespace_;
  attributes.name = route.name;
  attributes.verb = method == "POST" ? "create" : "get";
  auth_.authorize(attributes);
  // A WebSocket exec or port-forward is a GET, yet it runs something: upstream (1.31+) asks
  // for create too.
  if (!log && method == "GET") {
    attributes.verb = "create";
    auth_.authorize(attributes);
  }

  const UserInfo system = machinery::apiserver_identity();
  const json::object pod = parse(pipeline_.get(system, {"", "v1", "pods"}, route.namespace_, route.name, {}));
  // A port forward reaches the pod's network, not one of its containers.
  const bool forward = route.subresource == "portforward";
  const std::string container = forward ? std::string() : container_of(pod, call.query.get("container"));
  const std::string phase = string_at(pod, {"status", "phase"});
  if (!log && !forward && (phase == "Succeeded" || phase == "Failed"))
    throw ApiError::bad_request(
        "cannot exec into or attach to a container in a completed pod; current phase is " + phase);
  const std::string node_name = string_at(pod, {"spec", "nodeName"});
  if (node_name.empty()) throw ApiError::bad_request("pod " + route.name + " does not have a host assigned");
  const json::object node = parse(pipeline_.get(system, {"", "v1", "nodes"}, "", node_name, {}));
  const KubeletEndpoint endpoint = kubelet_endpoint(node);
  std::shared_ptr<const KubeletClientCredentials> credentials = this->credentials();
  if (!credentials)
    throw ApiError(
        503, "ServiceUnavailable",
        "this API server has no client certificate for kubelets (it serves plain HTTP); logs, exec, "
        "attach and port-forward need the cluster PKI");

  auto plan = std::make_unique<ProxyPlan>();
  plan->host = endpoint.host;
  plan->port = endpoint.port;
  // The kubelet's paths: /containerLogs|exec|attach/<ns>/<pod>/<container>, /portForward/<ns>/<pod>.
  std::string target = std::string(log       ? "/containerLogs/"
                                   : forward ? "/portForward/"
                                             : "/" + route.subresource + "/") +
                       percent_escape(route.namespace_) + "/" + percent_escape(route.name) +
                       (forward ? std::string() : "/" + percent_escape(container));
  std::string query;
  auto pass = [&](const char* name) {
    if (const auto* values = call.query.all(name))
      for (const auto& v : *values)
        query += (query.empty() ? "?" : "&") + std::string(name) + "=" + percent_escape(v);
  };
  if (log) {
    for (const char* name :
         {"follow", "previous", "timestamps", "tailLines", "limitBytes", "sinceSeconds", "sinceTime"})
      pass(name);
  } else if (forward) {
    pass("ports");
  } else {
    for (const char* name : {"command", "stdin", "stdout", "stderr", "tty"}) pass(name);
  }
  plan->target = target + query;
  plan->headers = call.request.upgrade_headers;
  plan->upgrade = !plan->headers.empty();
  plan->ca_pem = credentials->ca_pem;
  plan->certificate_pem = credentials->certificate_pem;
  plan->key_pem = credentials->key_pem;
  HttpResponse response;
  response.proxy = std::move(plan);
  return response;
}

}  // namespace ukube::apiserver
