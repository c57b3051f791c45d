#pragma once

#include <string>
#include <string_view>

// Where a request path points, before any registry lookup.
namespace ukube::apiserver {

enum class RouteKind {
  NotFound,
  Root,              // "/": the list of served paths
  ApiVersions,       // /api
  ApiGroupList,      // /apis
  ApiGroup,          // /apis/<group>
  ResourceList,      // /api/v1, /apis/<group>/<version>
  Resource,          // a collection, an object or an object's subresource
  Version,           // /version
  Health,            // /healthz, /livez, /readyz (and their /<check> sub-paths)
  Metrics,           // /metrics
  DebugPlugins,      // /debug/plugins: the daemon's plugins and their states
  OpenApiV2,         // /openapi/v2
  OpenApiV3Index,    // /openapi/v3
  OpenApiV3Document  // /openapi/v3/<api/v1 | apis/<group>/<version>>
};

struct Route {
  RouteKind kind = RouteKind::NotFound;
  std::string group;
  std::string version;
  std::string namespace_;  // empty: cluster scope, or every namespace for a collection
  std::string resource;
  std::string name;
  std::string subresource;
  // What follows <name>/proxy (pods, services, nodes): "/a/b/" with its segments decoded
  // and a trailing slash kept; empty when nothing does.
  std::string subpath;
  bool watch_prefix = false;  // the deprecated /watch/ form, which means watch=true
  std::string document;       // OpenApiV3Document: "api/v1" or "apis/<group>/<version>"
};

Route parse_route(std::string_view path);

}  // namespace ukube::apiserver
