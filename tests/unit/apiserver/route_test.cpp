#include "apiserver/route.h"
#include "apiserver/resource_proxy.h"
#include "ukube/errors.h"

#include <gtest/gtest.h>

namespace ukube::apiserver {
namespace {

TEST(Route, DiscoveryPaths) {
  EXPECT_EQ(parse_route("/api").kind, RouteKind::ApiVersions);
  EXPECT_EQ(parse_route("/api/").kind, RouteKind::ApiVersions);
  EXPECT_EQ(parse_route("/apis").kind, RouteKind::ApiGroupList);
  Route group = parse_route("/apis/apps");
  EXPECT_EQ(group.kind, RouteKind::ApiGroup);
  EXPECT_EQ(group.group, "apps");
  Route core = parse_route("/api/v1");
  EXPECT_EQ(core.kind, RouteKind::ResourceList);
  EXPECT_EQ(core.group, "");
  EXPECT_EQ(core.version, "v1");
  Route apps = parse_route("/apis/apps/v1/");
  EXPECT_EQ(apps.kind, RouteKind::ResourceList);
  EXPECT_EQ(apps.group, "apps");
  EXPECT_EQ(apps.version, "v1");
  EXPECT_EQ(parse_route("/").kind, RouteKind::Root);
}

TEST(Route, NamespacedResources) {
  Route list = parse_route("/api/v1/namespaces/default/pods");
  EXPECT_EQ(list.kind, RouteKind::Resource);
  EXPECT_EQ(list.namespace_, "default");
  EXPECT_EQ(list.resource, "pods");
  EXPECT_EQ(list.name, "");

  Route sub = parse_route("/apis/apps/v1/namespaces/ns1/deployments/web/scale");
  EXPECT_EQ(sub.group, "apps");
  EXPECT_EQ(sub.namespace_, "ns1");
  EXPECT_EQ(sub.resource, "deployments");
  EXPECT_EQ(sub.name, "web");
  EXPECT_EQ(sub.subresource, "scale");
}

TEST(Route, ProxySubresourcesKeepTheRestOfThePath) {
  Route pod = parse_route("/api/v1/namespaces/shop/pods/https:web:8443/proxy/a/b%20c/");
  EXPECT_EQ(pod.kind, RouteKind::Resource);
  EXPECT_EQ(pod.name, "https:web:8443");
  EXPECT_EQ(pod.subresource, "proxy");
  EXPECT_EQ(pod.subpath, "/a/b c/");
  EXPECT_EQ(parse_route("/api/v1/nodes/n1/proxy/stats/summary").subpath, "/stats/summary");
  EXPECT_EQ(parse_route("/api/v1/nodes/n1/proxy").subpath, "");
  EXPECT_EQ(parse_route("/api/v1/namespaces/shop/services/web/proxy/").subpath, "/");
  EXPECT_EQ(parse_route("/api/v1/namespaces/shop/pods/web/log/more").kind, RouteKind::NotFound)
      << "only proxy takes a path";

  const ProxyTarget full = parse_proxy_target("https:web:8443");
  EXPECT_EQ(full.scheme, "https");
  EXPECT_EQ(full.name, "web");
  EXPECT_EQ(full.port, "8443");
  EXPECT_EQ(parse_proxy_target("web:http").port, "http");
  EXPECT_EQ(parse_proxy_target("web").port, "");
  EXPECT_THROW(parse_proxy_target("ftp:web:21"), ApiError);
  EXPECT_THROW(parse_proxy_target("a:b:c:d"), ApiError);
}

TEST(Route, ClusterScopedAndNamespacesThemselves) {
  Route all = parse_route("/api/v1/pods");
  EXPECT_EQ(all.resource, "pods");
  EXPECT_EQ(all.namespace_, "");

  Route ns = parse_route("/api/v1/namespaces/kube-system");
  EXPECT_EQ(ns.resource, "namespaces");
  EXPECT_EQ(ns.name, "kube-system");
  EXPECT_EQ(ns.namespace_, "");

  Route finalize = parse_route("/api/v1/namespaces/team/finalize");
  EXPECT_EQ(finalize.resource, "namespaces");
  EXPECT_EQ(finalize.name, "team");
  EXPECT_EQ(finalize.subresource, "finalize");

  Route node = parse_route("/api/v1/nodes/n1/status");
  EXPECT_EQ(node.resource, "nodes");
  EXPECT_EQ(node.name, "n1");
  EXPECT_EQ(node.subresource, "status");
}

TEST(Route, EscapesAndLegacyWatch) {
  Route escaped = parse_route("/api/v1/namespaces/default/serviceaccounts/system%3Anode");
  EXPECT_EQ(escaped.name, "system:node");

  Route watch = parse_route("/api/v1/watch/namespaces/default/pods/p1");
  EXPECT_TRUE(watch.watch_prefix);
  EXPECT_EQ(watch.namespace_, "default");
  EXPECT_EQ(watch.resource, "pods");
  EXPECT_EQ(watch.name, "p1");

  // An escaped slash cannot smuggle an extra segment in.
  EXPECT_EQ(parse_route("/api/v1/namespaces/a%2Fb/pods").kind, RouteKind::NotFound);
  EXPECT_EQ(parse_route("/api/v1/namespaces/default/pods/p/log/extra").kind, RouteKind::NotFound);
  EXPECT_EQ(parse_route("/nope").kind, RouteKind::NotFound);
}

TEST(Route, NonResourcePaths) {
  EXPECT_EQ(parse_route("/version").kind, RouteKind::Version);
  EXPECT_EQ(parse_route("/healthz").kind, RouteKind::Health);
  EXPECT_EQ(parse_route("/readyz/ping").kind, RouteKind::Health);
  EXPECT_EQ(parse_route("/livez").name, "livez");
  EXPECT_EQ(parse_route("/metrics").kind, RouteKind::Metrics);
  EXPECT_EQ(parse_route("/debug/plugins").kind, RouteKind::DebugPlugins);
  EXPECT_EQ(parse_route("/debug/plugins/x").kind, RouteKind::NotFound);
  EXPECT_EQ(parse_route("/openapi/v2").kind, RouteKind::OpenApiV2);
  EXPECT_EQ(parse_route("/openapi/v3").kind, RouteKind::OpenApiV3Index);
  Route doc = parse_route("/openapi/v3/apis/apps/v1");
  EXPECT_EQ(doc.kind, RouteKind::OpenApiV3Document);
  EXPECT_EQ(doc.document, "apis/apps/v1");
  EXPECT_EQ(parse_route("/openapi/v3/api/v1").document, "api/v1");
}

}  // namespace
}  // namespace ukube::apiserver
