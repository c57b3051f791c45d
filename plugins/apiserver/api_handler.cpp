#include "api_handler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <optional>
#include <set>

#include "impersonation.h"
#include "media.h"
#include "openapi_v2_protobuf.h"
#include "pretty_json.h"
#include "request_options.h"
#include "route.h"
#include "ukube/store.h"
#include "ukube/watch.h"
#include "url.h"
#include "version_info.h"

namespace ukube::apiserver {
namespace {

HttpResponse text(std::string body, std::string content_type = "application/json", int status = 200) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body.append(std::move(body));
  return r;
}

HttpResponse shared_text(std::shared_ptr<const std::string> body) {
  HttpResponse r;
  r.body.append(std::move(body));
  return r;
}

Credentials credentials_of(const HttpRequest& request) {
  Credentials c;
  c.remote_address = request.remote_address;
  c.client_cert_subject_cn = request.client_cert_common_name;
  c.client_cert_organizations = request.client_cert_organizations;
  std::string_view auth = request.authorization;
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() > kBearer.size() &&
      std::equal(kBearer.begin(), kBearer.end(), auth.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
      })) {
    auth.remove_prefix(kBearer.size());
    while (!auth.empty() && auth.front() == ' ') auth.remove_prefix(1);
    c.bearer_token = std::string(auth);
  }
  return c;
}

// Holds one of the max_in_flight slots for the duration of a request.
class InFlightSlot {
 public:
  InFlightSlot(Metrics& metrics, size_t limit) : metrics_(metrics) {
    if (static_cast<size_t>(++metrics_.inflight) > limit) {
      --metrics_.inflight;
      ++metrics_.rejected_too_many;
      throw ApiError::too_many_requests("Too many requests, please try again later.", 1);
    }
  }
  ~InFlightSlot() { --metrics_.inflight; }
  InFlightSlot(const InFlightSlot&) = delete;
  InFlightSlot& operator=(const InFlightSlot&) = delete;

 private:
  Metrics& metrics_;
};

// A kubelet that takes longer to give its usage is left out of metrics.k8s.io answers.
constexpr std::chrono::seconds kKubeletTimeout{10};

const char* const kServedPaths[] = {"/api",     "/api/v1",     "/apis",       "/healthz", "/livez",
                                    "/metrics", "/openapi/v2", "/openapi/v3", "/readyz",  "/version"};

// {"kind":"PluginList","items":[{"type":...,"id":...,"state":...,"library":...}]}, in
// the host's order (the order plugins start in), then those not configured.
std::string plugin_list(const std::vector<PluginStatus>& plugins) {
  boost::json::array items;
  for (const auto& p : plugins)
    items.push_back({{"type", p.type}, {"id", p.id}, {"state", p.state}, {"library", p.library}});
  return boost::json::serialize(boost::json::object{{"kind", "PluginList"}, {"items", std::move(items)}});
}

std::string root_paths(const DiscoveryDocs& docs) {
  boost::json::array paths;
  for (const char* p : kServedPaths) paths.emplace_back(p);
  for (const auto& [group_version, doc] : docs.resource_lists)
    if (group_version.find('/') != std::string::npos) paths.emplace_back("/apis/" + group_version);
  return boost::json::serialize(boost::json::object{{"paths", std::move(paths)}});
}

}  // namespace

ApiHandler::ApiHandler(HandlerDeps deps)
    : deps_(std::move(deps)),
      discovery_(deps_.types, deps_.server_address),
      openapi_(deps_.types, kGitVersion),
      resources_(deps_.pipeline, &metrics_.watches),
      kubelets_(deps_.pipeline, deps_.auth),
      proxies_(deps_.pipeline, deps_.auth, kubelets_),
      usage_metrics_(
          deps_.pipeline, deps_.auth,
          [this](const std::string& node, const KubeletEndpoint& kubelet, const std::string& target) {
            auto credentials = kubelets_.credentials();
            if (!credentials) throw std::runtime_error("no client certificate for kubelets (plain HTTP)");
            return kubelet_get(node, kubelet, target, *credentials, kKubeletTimeout);
          }) {}

std::vector<std::pair<std::string, int64_t>> ApiHandler::stored_object_counts() const {
  std::vector<std::pair<std::string, int64_t>> out;
  if (!deps_.store) return out;
  std::set<std::string> counted;  // versions of one resource share their keys
  for (const auto& type : deps_.types.all()) {
    if (type->computed_read) continue;  // nothing stored
    std::string prefix = type->key_prefix();
    if (!counted.insert(prefix).second) continue;
    int64_t count = 0;
    store::ListOptions page;
    page.limit = 10000;
    try {
      for (;;) {
        store::ListResult r = deps_.store->list(prefix, page);
        count += static_cast<int64_t>(r.items.size());
        if (!r.more || r.items.empty()) break;
        page.start_after = r.items.back().key;
        page.revision = r.revision;
      }
    } catch (const std::exception&) {
      continue;  // e.g. a value encrypted with a key no longer configured: the gauge skips the resource
    }
    out.emplace_back(type->group_resource(), count);
  }
  std::sort(out.begin(), out.end());
  return out;
}

HttpResponse ApiHandler::error_response(const ApiError& error) {
  HttpResponse r = text(error.status_json(), "application/json", error.code());
  if (error.retry_after_seconds > 0)
    r.headers.emplace_back("Retry-After", std::to_string(error.retry_after_seconds));
  return r;
}

HttpResponse ApiHandler::handle(const HttpRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  const auto received = std::chrono::system_clock::now();
  std::string_view path, query_text;
  split_target(request.target, path, query_text);
  const Route route = parse_route(path);
  std::string verb = request.method;
  std::string resource;
  HttpResponse response;
  std::optional<UserInfo> authenticated, served_as;
  std::optional<ApiError> failure;
  bool watch = false;
  bool pretty = wants_pretty(nullptr, request.user_agent);
  try {
    const Query query = Query::parse(query_text);
    if (const auto* values = query.all("pretty")) pretty = wants_pretty(&values->front(), request.user_agent);
    const bool is_resource = route.kind == RouteKind::Resource;
    watch = is_resource && request.method == "GET" && (route.watch_prefix || wants_watch(query));
    if (is_resource) {
      verb = resource_verb(request.method, route, watch, request.content_type);
      resource = route.subresource.empty() ? route.resource : route.resource + "/" + route.subresource;
    }
    // Watches are long-running: they would starve everything else of slots.
    std::optional<InFlightSlot> slot;
    if (!watch) slot.emplace(metrics_, deps_.max_in_flight);
    if (request.client_cert_unverified) throw ApiError::unauthorized();
    authenticated = deps_.auth.authenticate(credentials_of(request));
    served_as = impersonate(*authenticated, request.impersonation, deps_.auth);
    if (is_resource && MetricsApi::handles(route)) {
      response = usage_metrics_.serve({request, route, query, *served_as, Representation::Plain, watch});
    } else if (is_resource && KubeletProxy::handles(route)) {
      response = kubelets_.connect({request, route, query, *served_as, Representation::Plain, false});
    } else if (is_resource && ResourceProxy::handles(route)) {
      response = proxies_.connect({request, route, query, *served_as, Representation::Plain, false});
    } else if (is_resource) {
      response = resources_.serve({request, route, query, *served_as, negotiate(request.accept), watch});
    } else {
      response = serve_non_resource(request, route, *served_as);
    }
  } catch (const ApiError& e) {
    response = error_response(e);
    failure = e;
  } catch (const std::exception& e) {
    if (deps_.logger) deps_.logger->error("{} {}: {}", request.method, request.target, e.what());
    failure = ApiError::internal(e.what());
    response = error_response(*failure);
  }
  // Upstream answers /version indented whoever asks, and OpenAPI documents as they are.
  const bool openapi = route.kind == RouteKind::OpenApiV2 || route.kind == RouteKind::OpenApiV3Index ||
                       route.kind == RouteKind::OpenApiV3Document;
  if ((pretty || route.kind == RouteKind::Version) && !openapi && !response.watch && !response.proxy &&
      response.content_type.starts_with("application/json")) {
    Body indented;
    indented.append(indent_json(response.body.flatten()));
    response.body = std::move(indented);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.record(verb, resource, response.status, seconds);
  if (deps_.audit && deps_.audit->level() != AuditLevel::None)
    audit(request, route, verb, received, authenticated, served_as, failure, watch, response);
  return response;
}

void ApiHandler::audit(const HttpRequest& request, const Route& route, const std::string& verb,
                       std::chrono::system_clock::time_point received,
                       const std::optional<UserInfo>& authenticated, const std::optional<UserInfo>& served_as,
                       const std::optional<ApiError>& failure, bool watch, const HttpResponse& response) {
  AuditRecord r;
  r.received = received;
  r.request_uri = request.target;
  r.resource_request = route.kind == RouteKind::Resource;
  // The metrics' verbs (POST, PUT, APPLY, ...) as the API's own verbs, lower case.
  r.verb = verb == "POST" ? "create" : verb == "PUT" ? "update" : verb == "APPLY" ? "patch" : verb;
  for (char& c : r.verb) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  r.user = authenticated;
  if (served_as && !request.impersonation.empty()) r.impersonated = served_as;
  r.source_ip = request.remote_address.substr(0, request.remote_address.rfind(':'));
  r.user_agent = request.user_agent;
  r.api_group = route.group;
  r.api_version = route.version;
  r.resource = route.resource;
  r.subresource = route.subresource;
  r.namespace_ = route.namespace_;
  r.name = route.name;
  r.code = response.status;
  if (failure) {
    r.status_reason = failure->reason();
    r.status_message = failure->what();
  }
  r.response_started_only = watch && !failure;
  const AuditLevel level = deps_.audit->level();
  if (level >= AuditLevel::Request) r.request_body = request.body;
  // A create names its object in the body; the answer carries the name it got.
  const bool unnamed_create = r.name.empty() && request.method == "POST" && response.status == 201 &&
                              r.resource_request && route.subresource.empty();
  std::string response_text;
  if (unnamed_create || (level >= AuditLevel::RequestResponse && !watch))
    response_text = response.body.flatten();
  if (unnamed_create) {
    boost::system::error_code ec;
    auto created = boost::json::parse(response_text, ec);
    if (!ec && created.is_object())
      if (const auto* meta = created.get_object().if_contains("metadata"); meta && meta->is_object())
        if (const auto* name = meta->get_object().if_contains("name"); name && name->is_string())
          r.name = std::string(name->get_string());
  }
  if (level >= AuditLevel::RequestResponse && !watch) r.response_body = response_text;
  deps_.audit->record(r);
}

bool ApiHandler::answers_at_once(const HttpRequest& request) {
  if (request.method != "GET") return false;
  std::string_view path, query_text;
  split_target(request.target, path, query_text);
  const Route route = parse_route(path);
  switch (route.kind) {
    case RouteKind::Health:
    case RouteKind::Version: return true;
    case RouteKind::Resource:
      // metrics.k8s.io asks the kubelets: never on the event loop.
      if (route.name.empty() || !route.subresource.empty() || route.watch_prefix ||
          MetricsApi::handles(route))
        return false;
      if (query_text.empty()) return true;
      try {
        return !wants_watch(Query::parse(query_text));
      } catch (const ApiError&) {
        return true;  // handle() answers 400 at once
      }
    default: return false;
  }
}

HttpResponse ApiHandler::serve_non_resource(const HttpRequest& request, const Route& route,
                                            const UserInfo& user) {
  if (route.kind == RouteKind::NotFound) throw ApiError::resource_not_found();
  std::string path(request.target.substr(0, request.target.find('?')));
  RequestAttributes attributes;
  attributes.user = user;
  attributes.resource_request = false;
  attributes.path = path;
  for (char c : request.method)
    attributes.verb.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  deps_.auth.authorize(attributes);
  if (request.method != "GET" && request.method != "HEAD")
    throw ApiError::method_not_allowed("the server does not allow this method on the requested resource");

  const Representation rep = negotiate(request.accept);
  const bool aggregated = rep == Representation::DiscoveryV2 || rep == Representation::DiscoveryV2Beta1;
  switch (route.kind) {
    case RouteKind::Root: return text(root_paths(*discovery_.docs()));
    case RouteKind::ApiVersions: {
      auto docs = discovery_.docs();
      if (!aggregated) return text(docs->api_versions);
      return text(rep == Representation::DiscoveryV2 ? docs->api_aggregated_v2 : docs->api_aggregated_v2beta1,
                  content_type_for(rep));
    }
    case RouteKind::ApiGroupList: {
      auto docs = discovery_.docs();
      if (!aggregated) return text(docs->group_list);
      return text(
          rep == Representation::DiscoveryV2 ? docs->apis_aggregated_v2 : docs->apis_aggregated_v2beta1,
          content_type_for(rep));
    }
    case RouteKind::ApiGroup: {
      auto docs = discovery_.docs();
      auto it = docs->group_docs.find(route.group);
      if (it == docs->group_docs.end()) throw ApiError::resource_not_found();
      return text(it->second);
    }
    case RouteKind::ResourceList: {
      auto docs = discovery_.docs();
      auto it =
          docs->resource_lists.find(route.group.empty() ? route.version : route.group + "/" + route.version);
      if (it == docs->resource_lists.end()) throw ApiError::resource_not_found();
      return text(it->second);
    }
    case RouteKind::Version: return text(version_json());
    case RouteKind::Health: {
      bool ok = route.name != "readyz" || ready_;
      std::string body = ok ? "ok" : "[-]ready failed: reason withheld\n" + route.name + " check failed";
      return text(body, "text/plain; charset=utf-8", ok ? 200 : 500);
    }
    case RouteKind::Metrics:
      return text(metrics_.render(deps_.bus ? deps_.bus->watcher_count() : 0,
                                  deps_.store ? deps_.store->current_revision() : 0, stored_object_counts()),
                  "text/plain; version=0.0.4; charset=utf-8");
    case RouteKind::DebugPlugins:
      if (!deps_.plugins) throw ApiError::resource_not_found();
      return text(plugin_list(deps_.plugins()));
    case RouteKind::OpenApiV3Index: return text(openapi_.v3()->index);
    case RouteKind::OpenApiV3Document: {
      auto docs = openapi_.v3();
      auto it = docs->documents.find(route.document);
      if (it == docs->documents.end()) throw ApiError::resource_not_found();
      HttpResponse r = shared_text(it->second);
      // A URL with the current hash names this exact document, so clients (kubectl's
      // HTTP cache) may keep it; any change to the types changes the hash.
      if (request.target.find("hash=" + docs->hashes.at(route.document)) != std::string::npos)
        r.headers.emplace_back("Cache-Control", "public, immutable");
      return r;
    }
    case RouteKind::OpenApiV2: {
      // kubectl asks for protobuf, and falls back to v2 for kinds v3 does not list.
      if (request.accept.find(kOpenApiV2ProtobufSubtype) == std::string::npos)
        return shared_text(openapi_.v2());
      HttpResponse r = shared_text(openapi_.v2_protobuf());
      r.content_type = kOpenApiV2ProtobufMediaType;
      return r;
    }
    default: break;
  }
  throw ApiError::resource_not_found();
}

}  // namespace ukube::apiserver
