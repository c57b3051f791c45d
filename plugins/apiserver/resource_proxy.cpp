#include "resource_proxy.h"

#include <boost/json.hpp>

#include <random>

#include "ukube/errors.h"
#include "ukube/machinery/identities.h"
#include "ukube/machinery/ip.h"
#include "ukube/machinery/json.h"
#include "url.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;
using machinery::string_at;

const GroupVersionResource kPodsResource{"", "v1", "pods"};
const GroupVersionResource kServicesResource{"", "v1", "services"};
const GroupVersionResource kNodesResource{"", "v1", "nodes"};
const GroupVersionResource kSlicesResource{"discovery.k8s.io", "v1", "endpointslices"};

json::object parse_object(const store::Bytes& bytes) {
  json::value v = json::parse(*bytes);
  return std::move(v.as_object());
}

// The RBAC verb of a proxied request, as upstream's request info names it.
std::string proxy_verb(const std::string& method) {
  if (method == "GET" || method == "HEAD") return "get";
  if (method == "POST") return "create";
  if (method == "PUT") return "update";
  if (method == "PATCH") return "patch";
  if (method == "DELETE") return "delete";
  throw ApiError::method_not_allowed("the server does not allow this method on the requested resource");
}

bool is_number(const std::string& text) {
  return !text.empty() && text.size() <= 5 && text.find_first_not_of("0123456789") == std::string::npos;
}

// Upstream refuses to proxy to loopback, link-local and unspecified addresses: the API
// server's own host is not a pod.
void check_proxyable(const std::string& address) {
  const auto ip = machinery::IPAddress::parse(address);
  if (!ip) throw ApiError::bad_request("address not allowed");
  const std::string text = ip->to_string();
  const bool v4 = ip->family() == machinery::IPFamily::IPv4;
  if ((v4 && (text.starts_with("127.") || text.starts_with("169.254.") || text == "0.0.0.0")) ||
      (!v4 && (text == "::1" || text == "::" || text.starts_with("fe80:"))))
    throw ApiError::bad_request("address not allowed");
}

// A ready endpoint of the Service port `port_name`: address and port, picked at random.
std::pair<std::string, uint16_t> service_endpoint(RequestPipeline& pipeline, const std::string& ns,
                                                  const std::string& service, const std::string& port_name) {
  ListOptions options;
  options.label_selector = "kubernetes.io/service-name=" + service;
  const RawList slices = pipeline.list(machinery::apiserver_identity(), kSlicesResource, ns, options);
  std::vector<std::pair<std::string, uint16_t>> ready;
  for (const auto& bytes : slices.items) {
    const json::object slice = parse_object(bytes);
    int64_t port = -1;
    machinery::for_each_object(machinery::array_at(slice, {"ports"}), [&](const json::object& p, size_t) {
      if (string_at(p, {"name"}) == port_name) port = machinery::int_or(p, {"port"}, -1);
    });
    if (port <= 0 || port > 65535) continue;
    machinery::for_each_object(machinery::array_at(slice, {"endpoints"}), [&](const json::object& e, size_t) {
      if (!machinery::bool_at(e, {"conditions", "ready"}).value_or(true)) return;
      const auto addresses = machinery::strings_at(e, {"addresses"});
      if (!addresses.empty()) ready.emplace_back(addresses.front(), static_cast<uint16_t>(port));
    });
  }
  if (ready.empty())
    throw ApiError(503, "ServiceUnavailable", "no endpoints available for service \"" + service + "\"");
  static thread_local std::mt19937 random{std::random_device{}()};
  return ready[std::uniform_int_distribution<size_t>(0, ready.size() - 1)(random)];
}

}  // namespace

ProxyTarget parse_proxy_target(const std::string& text) {
  std::vector<std::string> parts;
  for (size_t at = 0;;) {
    const size_t colon = text.find(':', at);
    parts.push_back(text.substr(at, colon == std::string::npos ? std::string::npos : colon - at));
    if (colon == std::string::npos) break;
    at = colon + 1;
  }
  ProxyTarget t;
  if (parts.size() == 1) {
    t.name = parts[0];
  } else if (parts.size() == 2) {
    t.name = parts[0];
    t.port = parts[1];
  } else if (parts.size() == 3) {
    t.scheme = parts[0];
    t.name = parts[1];
    t.port = parts[2];
  }
  if (parts.size() > 3 || t.name.empty() || (!t.scheme.empty() && t.scheme != "http" && t.scheme != "https"))
    throw ApiError::bad_request("invalid request \"" + text + "\"");
  return t;
}

bool ResourceProxy::handles(const Route& route) {
  return route.group.empty() && route.subresource == "proxy" && !route.name.empty() &&
         (route.resource == "pods" || route.resource == "services" || route.resource == "nodes");
}

HttpResponse ResourceProxy::connect(const ResourceCall& call) {
  const Route& route = call.route;
  RequestAttributes attributes;
  attributes.user = call.user;
  attributes.api_version = "v1";
  attributes.resource = route.resource;
  attributes.subresource = "proxy";
  attributes.namespace_ = route.namespace_;
  attributes.name = route.name;
  attributes.verb = proxy_verb(call.request.method);
  auth_.authorize(attributes);

  const ProxyTarget target = parse_proxy_target(route.name);
  const UserInfo system = machinery::apiserver_identity();
  auto plan = std::make_unique<ProxyPlan>();
  plan->transport = target.scheme == "https" ? ProxyPlan::Transport::AnyTls : ProxyPlan::Transport::Plain;
  std::string port = target.port;
  if (route.resource == "pods") {
    const json::object pod =
        parse_object(pipeline_.get(system, kPodsResource, route.namespace_, target.name));
    // No port named: the first port a container declares, as upstream.
    if (port.empty())
      machinery::for_each_object(machinery::array_at(pod, {"spec", "containers"}), [&](const json::object& c,
                                                                                       size_t) {
        if (port.empty())
          machinery::for_each_object(machinery::array_at(c, {"ports"}), [&](const json::object& p, size_t) {
            if (port.empty()) port = std::to_string(machinery::int_or(p, {"containerPort"}, 0));
          });
      });
    plan->host = string_at(pod, {"status", "podIP"});
    if (plan->host.empty())
      throw ApiError(503, "ServiceUnavailable", "pod " + target.name + " has no IP address yet");
    check_proxyable(plan->host);
  } else if (route.resource == "services") {
    const json::object service =
        parse_object(pipeline_.get(system, kServicesResource, route.namespace_, target.name));
    // A port number names the Service port that has it; else the port's name is given.
    std::string port_name = port;
    if (is_number(port)) {
      bool found = false;
      machinery::for_each_object(machinery::array_at(service, {"spec", "ports"}),
                                 [&](const json::object& p, size_t) {
                                   if (!found && std::to_string(machinery::int_or(p, {"port"}, 0)) == port) {
                                     port_name = string_at(p, {"name"});
                                     found = true;
                                   }
                                 });
      if (!found)
        throw ApiError(503, "ServiceUnavailable",
                       "no service port " + port + " found for service \"" + target.name + "\"");
    }
    auto [address, number] = service_endpoint(pipeline_, route.namespace_, target.name, port_name);
    plan->host = address;
    port = std::to_string(number);
  } else {
    const json::object node = parse_object(pipeline_.get(system, kNodesResource, "", target.name));
    const KubeletEndpoint kubelet = kubelet_endpoint(node);
    plan->host = kubelet.host;
    // The kubelet's own port is reached as the API server's kubelet client; another port
    // of the node as it asks.
    if (port.empty() || port == std::to_string(kubelet.port)) {
      auto credentials = kubelets_.credentials();
      if (!credentials)
        throw ApiError(503, "ServiceUnavailable",
                       "this API server has no client certificate for kubelets (it serves plain HTTP)");
      plan->transport = ProxyPlan::Transport::VerifiedTls;
      plan->ca_pem = credentials->ca_pem;
      plan->certificate_pem = credentials->certificate_pem;
      plan->key_pem = credentials->key_pem;
      port = std::to_string(kubelet.port);
    } else {
      check_proxyable(plan->host);
    }
  }
  if (port.empty()) port = plan->transport == ProxyPlan::Transport::Plain ? "80" : "443";
  if (!is_number(port) || std::stoi(port) < 1 || std::stoi(port) > 65535)
    throw ApiError::bad_request("invalid port \"" + port + "\" in \"" + route.name + "\"");
  plan->port = static_cast<uint16_t>(std::stoi(port));

  std::string path;
  for (size_t at = 1; at < route.subpath.size();) {
    const size_t slash = route.subpath.find('/', at);
    path += "/" + percent_escape(
                      route.subpath.substr(at, slash == std::string::npos ? std::string::npos : slash - at));
    if (slash == std::string::npos) break;
    at = slash + 1;
  }
  if (route.subpath.ends_with('/') || path.empty()) path += "/";
  std::string_view raw_path, raw_query;
  split_target(call.request.target, raw_path, raw_query);
  plan->method = call.request.method;
  plan->target = path + (raw_query.empty() ? "" : "?" + std::string(raw_query));
  plan->body = call.request.body;
  if (!call.request.content_type.empty())
    plan->headers.emplace_back("Content-Type", call.request.content_type);
  if (!call.request.accept.empty()) plan->headers.emplace_back("Accept", call.request.accept);
  for (const auto& header : call.request.upgrade_headers) plan->headers.push_back(header);
  plan->upgrade = !call.request.upgrade_headers.empty();
  HttpResponse response;
  response.proxy = std::move(plan);
  return response;
}

}  // namespace ukube::apiserver
