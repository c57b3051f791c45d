#include "route.h"

#include <span>
#include <vector>

#include "url.h"

namespace ukube::apiserver {
namespace {

using Segments = std::span<const std::string>;

// A namespace's own subresources: everything else under /namespaces/<ns>/ is a
// namespaced collection.
bool is_namespace_subresource(const std::string& s) {
  return s == "status" || s == "finalize";
}

Route resource_route(Route r, Segments rest) {
  if (rest.empty()) {
    r.kind = RouteKind::ResourceList;
    return r;
  }
  if (rest[0] == "watch") {
    r.watch_prefix = true;
    rest = rest.subspan(1);
    if (rest.empty()) return Route{};
  }
  if (rest[0] == "namespaces" && rest.size() >= 3 &&
      !(rest.size() == 3 && is_namespace_subresource(rest[2]))) {
    r.namespace_ = rest[1];
    rest = rest.subspan(2);
  }
  if (rest.size() > 3 && rest[2] == "proxy") {
    for (const auto& segment : rest.subspan(3)) r.subpath += "/" + segment;
    rest = rest.first(3);
  }
  if (rest.size() > 3) return Route{};
  r.kind = RouteKind::Resource;
  r.resource = rest[0];
  if (rest.size() > 1) r.name = rest[1];
  if (rest.size() > 2) r.subresource = rest[2];
  return r;
}

Route parse_segments(std::string_view path) {
  auto parsed = split_path(path);
  if (!parsed) return Route{};
  Segments s(*parsed);
  Route r;
  if (s.empty()) {
    r.kind = RouteKind::Root;
    return r;
  }
  const std::string& head = s[0];
  if (head == "api") {
    if (s.size() == 1) {
      r.kind = RouteKind::ApiVersions;
      return r;
    }
    r.version = s[1];
    return resource_route(std::move(r), s.subspan(2));
  }
  if (head == "apis") {
    if (s.size() == 1) {
      r.kind = RouteKind::ApiGroupList;
      return r;
    }
    r.group = s[1];
    if (s.size() == 2) {
      r.kind = RouteKind::ApiGroup;
      return r;
    }
    r.version = s[2];
    return resource_route(std::move(r), s.subspan(3));
  }
  if (head == "healthz" || head == "livez" || head == "readyz") {
    r.kind = RouteKind::Health;
    r.name = head;
    return r;
  }
  if (s.size() == 1 && head == "version") r.kind = RouteKind::Version;
  if (s.size() == 1 && head == "metrics") r.kind = RouteKind::Metrics;
  if (s.size() == 2 && head == "debug" && s[1] == "plugins") r.kind = RouteKind::DebugPlugins;
  if (head == "openapi" && s.size() >= 2) {
    if (s[1] == "v2" && s.size() == 2) r.kind = RouteKind::OpenApiV2;
    if (s[1] == "v3" && s.size() == 2) r.kind = RouteKind::OpenApiV3Index;
    if (s[1] == "v3" && ((s.size() == 4 && s[2] == "api") || (s.size() == 5 && s[2] == "apis"))) {
      r.kind = RouteKind::OpenApiV3Document;
      for (size_t i = 2; i < s.size(); ++i) r.document += (i > 2 ? "/" : "") + s[i];
    }
  }
  return r;
}

}  // namespace

Route parse_route(std::string_view path) {
  Route r = parse_segments(path);
  if (r.subresource == "proxy" && path.ends_with('/') && !r.subpath.ends_with('/')) r.subpath += "/";
  return r;
}

}  // namespace ukube::apiserver
