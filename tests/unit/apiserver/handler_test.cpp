#include "apiserver/api_handler.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "apiserver/encode.h"
#include "tests/support/test_kernel.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;

class HandlerTest : public ::testing::Test {
 protected:
  HandlerTest() : handler_(deps(400)) { handler_.set_ready(true); }

  HandlerDeps deps(size_t max_in_flight) {
    HandlerDeps d(kernel_.pipeline(), kernel_.auth(), kernel_.types());
    d.bus = &kernel_.bus();
    d.store = &kernel_.store();
    d.max_in_flight = max_in_flight;
    d.server_address = "127.0.0.1:1";
    return d;
  }

  HttpResponse call(const std::string& method, const std::string& target, const std::string& body = {},
                    const std::string& content_type = "application/json", const std::string& accept = {}) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.content_type = content_type;
    r.accept = accept;
    r.remote_address = "127.0.0.1:5555";
    return handler_.handle(r);
  }

  static json::object body(const HttpResponse& r) { return json::parse(r.body.flatten()).as_object(); }

  ukube::testing::TestKernel kernel_;
  ApiHandler handler_;
};

constexpr const char* kConfigMaps = "/api/v1/namespaces/default/configmaps";

std::string configmap(const std::string& name, const std::string& value = "1") {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name + R"("},"data":{"k":")" +
         value + R"("}})";
}

TEST_F(HandlerTest, CreateGetUpdatePatchDelete) {
  HttpResponse created = call("POST", kConfigMaps, configmap("c1"));
  ASSERT_EQ(created.status, 201) << created.body.flatten();
  EXPECT_EQ(created.content_type, "application/json");
  json::object object = body(created);
  EXPECT_EQ(object["metadata"].at("namespace"), "default");

  HttpResponse got = call("GET", std::string(kConfigMaps) + "/c1");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(body(got)["data"].at("k"), "1");

  object["data"].as_object()["k"] = "2";
  HttpResponse updated = call("PUT", std::string(kConfigMaps) + "/c1", json::serialize(object));
  ASSERT_EQ(updated.status, 200) << updated.body.flatten();
  EXPECT_EQ(body(updated)["data"].at("k"), "2");

  HttpResponse patched = call("PATCH", std::string(kConfigMaps) + "/c1", R"({"data":{"k":"3"}})",
                              "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body.flatten();
  EXPECT_EQ(body(patched)["data"].at("k"), "3");

  HttpResponse json_patched =
      call("PATCH", std::string(kConfigMaps) + "/c1", R"([{"op":"replace","path":"/data/k","value":"4"}])",
           "application/json-patch+json");
  ASSERT_EQ(json_patched.status, 200) << json_patched.body.flatten();
  EXPECT_EQ(body(json_patched)["data"].at("k"), "4");

  HttpResponse deleted =
      call("DELETE", std::string(kConfigMaps) + "/c1", R"({"propagationPolicy":"Background"})");
  ASSERT_EQ(deleted.status, 200) << deleted.body.flatten();
  EXPECT_EQ(body(deleted)["metadata"].at("name"), "c1");

  HttpResponse gone = call("GET", std::string(kConfigMaps) + "/c1");
  EXPECT_EQ(gone.status, 404);
  json::object status = body(gone);
  EXPECT_EQ(status["kind"], "Status");
  EXPECT_EQ(status["reason"], "NotFound");
  EXPECT_EQ(status["message"], "configmaps \"c1\" not found");
  EXPECT_EQ(status["code"], 404);
}

TEST_F(HandlerTest, ErrorStatuses) {
  ASSERT_EQ(call("POST", kConfigMaps, configmap("dup")).status, 201);
  HttpResponse dup = call("POST", kConfigMaps, configmap("dup"));
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(body(dup)["reason"], "AlreadyExists");

  HttpResponse invalid =
      call("POST", "/apis/example.com/v1/namespaces/default/widgets",
           R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":-1}})");
  EXPECT_EQ(invalid.status, 422);
  json::object status = body(invalid);
  EXPECT_EQ(status["reason"], "Invalid");
  EXPECT_EQ(status["details"].at("causes").at(0).at("field"), "spec.size");

  HttpResponse unknown = call("GET", "/api/v1/namespaces/default/nothings");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(body(unknown)["message"], "the server could not find the requested resource");
  EXPECT_EQ(call("GET", "/what/ever").status, 404);
  EXPECT_EQ(call("GET", "/apis/nogroup").status, 404);
  EXPECT_EQ(call("GET", "/apis/example.com/v9").status, 404);
  // Namespaced objects need their namespace; cluster-scoped ones must not have one.
  EXPECT_EQ(call("GET", "/api/v1/configmaps/dup").status, 404);
  EXPECT_EQ(call("GET", "/apis/example.com/v1/namespaces/default/clusterthings/x").status, 404);

  HttpResponse malformed = call("POST", kConfigMaps, "{\"metadata\":");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(body(malformed)["reason"], "BadRequest");

  HttpResponse media = call("PATCH", std::string(kConfigMaps) + "/dup", "{}", "text/plain");
  EXPECT_EQ(media.status, 415);
  EXPECT_EQ(body(media)["reason"], "UnsupportedMediaType");

  EXPECT_EQ(call("POST", std::string(kConfigMaps) + "/dup", configmap("dup")).status, 405);
}

TEST_F(HandlerTest, FieldValidationWarningsBecomeHeaders) {
  TypeInfo gadget;
  gadget.group = "example.com";
  gadget.version = "v1";
  gadget.kind = "Gadget";
  gadget.plural = "gadgets";
  gadget.schema = std::make_shared<const json::object>(json::parse(R"({"type":"object","properties":{
      "apiVersion":{"type":"string"},"kind":{"type":"string"},
      "metadata":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
      "spec":{"type":"object","properties":{"size":{"type":"integer"}}}}})")
                                                           .as_object());
  kernel_.types().add(gadget);
  const std::string path = "/apis/example.com/v1/namespaces/default/gadgets";
  auto gadget_json = [](const std::string& name) {
    return R"({"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":")" + name +
           R"("},"spec":{"size":1,"bad":true}})";
  };
  HttpResponse warned = call("POST", path + "?fieldValidation=Warn", gadget_json("g1"));
  ASSERT_EQ(warned.status, 201) << warned.body.flatten();
  ASSERT_EQ(warned.headers.size(), 1u);
  EXPECT_EQ(warned.headers[0].first, "Warning");
  EXPECT_EQ(warned.headers[0].second, R"(299 - "unknown field \"spec.bad\"")");

  HttpResponse strict = call("POST", path + "?fieldValidation=Strict", gadget_json("g2"));
  EXPECT_EQ(strict.status, 400);
  EXPECT_NE(body(strict)["message"].as_string().find("unknown field"), std::string::npos);
}

TEST_F(HandlerTest, UnnamedWritersAreNamedAfterTheirUserAgent) {
  HttpRequest r;
  r.method = "POST";
  r.target = kConfigMaps;
  r.body = configmap("ua");
  r.content_type = "application/json";
  r.user_agent = "kubectl/v1.33.0 (linux/amd64) kubernetes/abc";
  ASSERT_EQ(handler_.handle(r).status, 201);
  json::object got = body(call("GET", std::string(kConfigMaps) + "/ua"));
  auto* managed = got["metadata"].as_object().if_contains("managedFields");
  if (!managed) GTEST_SKIP() << "the pipeline does not track managed fields";
  EXPECT_EQ(managed->at(0).at("manager"), "kubectl");
}

// Upstream's isPrettyPrint: ?pretty (any Go boolean) first, else curl, Wget and browsers.
TEST_F(HandlerTest, PrettyPrintsForPeopleAndWhenAsked) {
  ASSERT_EQ(call("POST", kConfigMaps, configmap("pp")).status, 201);
  auto get = [&](const std::string& query, const std::string& user_agent) {
    HttpRequest r;
    r.method = "GET";
    r.target = std::string(kConfigMaps) + "/pp" + query;
    r.user_agent = user_agent;
    r.remote_address = "127.0.0.1:5555";
    return handler_.handle(r).body.flatten();
  };
  const std::string kubectl = "kubectl/v1.33.0 (linux/amd64) kubernetes/abc";
  const std::string compact = get("", kubectl);
  EXPECT_EQ(compact.find('\n'), std::string::npos) << compact;
  const std::string pretty = get("?pretty=true", kubectl);
  EXPECT_NE(pretty.find("\n  \"data\": {\n    \"k\": \"1\"\n  }"), std::string::npos) << pretty;
  EXPECT_EQ(json::parse(pretty), json::parse(compact));
  EXPECT_EQ(get("?pretty=1", kubectl), pretty);
  EXPECT_EQ(get("", "curl/7.88.1"), pretty);
  EXPECT_EQ(get("", "Wget/1.21.3"), pretty);
  EXPECT_EQ(get("", "Mozilla/5.0 (X11; Linux x86_64)"), pretty);
  EXPECT_EQ(get("?pretty=false", "curl/7.88.1"), compact) << "the parameter wins";
  EXPECT_EQ(get("?pretty=yes", "curl/7.88.1"), compact) << "not a Go boolean: false";
  EXPECT_EQ(get("?pretty=", "curl/7.88.1"), pretty) << "empty: as if absent";

  // Errors too; /version always; OpenAPI documents never.
  HttpRequest missing;
  missing.method = "GET";
  missing.target = std::string(kConfigMaps) + "/nope?pretty=true";
  const std::string status = handler_.handle(missing).body.flatten();
  EXPECT_EQ(status.rfind("{\n  \"kind\": \"Status\",\n", 0), 0u) << status;
  EXPECT_EQ(call("GET", "/version").body.flatten().rfind("{\n  \"major\": ", 0), 0u);
  HttpRequest openapi;
  openapi.method = "GET";
  openapi.target = "/openapi/v2?pretty=true";
  EXPECT_EQ(handler_.handle(openapi).body.flatten().find("\n  "), std::string::npos);
}

TEST_F(HandlerTest, YamlBodiesForCreateAndApply) {
  HttpResponse created =
      call("POST", kConfigMaps, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y1\ndata:\n  a: b\n",
           "application/yaml");
  ASSERT_EQ(created.status, 201) << created.body.flatten();
  EXPECT_EQ(body(created)["data"].at("a"), "b");
}

TEST_F(HandlerTest, ApplyAnswers201WhenItCreatesAnd200WhenItChanges) {
  const std::string target = std::string(kConfigMaps) + "/applied?fieldManager=test";
  HttpResponse created =
      call("PATCH", target, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n",
           "application/apply-patch+yaml");
  ASSERT_EQ(created.status, 201) << created.body.flatten();
  HttpResponse changed =
      call("PATCH", target, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: b\n",
           "application/apply-patch+yaml");
  ASSERT_EQ(changed.status, 200) << changed.body.flatten();
  EXPECT_EQ(body(changed)["data"].at("a"), "b");
}

TEST_F(HandlerTest, ListPagingAndDeleteCollection) {
  for (const char* n : {"a", "b", "c"}) ASSERT_EQ(call("POST", kConfigMaps, configmap(n)).status, 201);
  HttpResponse page = call("GET", std::string(kConfigMaps) + "?limit=2");
  ASSERT_EQ(page.status, 200);
  json::object list = body(page);
  EXPECT_EQ(list["kind"], "ConfigMapList");
  EXPECT_EQ(list["apiVersion"], "v1");
  EXPECT_EQ(list["items"].as_array().size(), 2u);
  std::string token(list["metadata"].at("continue").as_string());
  EXPECT_FALSE(token.empty());
  EXPECT_EQ(list["metadata"].at("remainingItemCount"), 1);

  json::object rest = body(call("GET", std::string(kConfigMaps) + "?limit=2&continue=" + token));
  ASSERT_EQ(rest["items"].as_array().size(), 1u);
  EXPECT_EQ(rest["items"].at(0).at("metadata").at("name"), "c");

  // Every namespace, through the cluster-wide path.
  EXPECT_EQ(body(call("GET", "/api/v1/configmaps"))["items"].as_array().size(), 3u);

  HttpResponse deleted = call("DELETE", kConfigMaps);
  ASSERT_EQ(deleted.status, 200) << deleted.body.flatten();
  EXPECT_EQ(body(deleted)["items"].as_array().size(), 3u);
  EXPECT_TRUE(body(call("GET", kConfigMaps))["items"].as_array().empty());
}

TEST_F(HandlerTest, DryRunWritesNothing) {
  ASSERT_EQ(call("POST", std::string(kConfigMaps) + "?dryRun=All", configmap("dry")).status, 201);
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "/dry").status, 404);
}

TEST_F(HandlerTest, TablesAndPartialMetadata) {
  ASSERT_EQ(call("POST", kConfigMaps, configmap("t1")).status, 201);
  const std::string accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
  HttpResponse list = call("GET", kConfigMaps, "", "", accept);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.content_type, "application/json;as=Table;v=v1;g=meta.k8s.io");
  json::object table = body(list);
  EXPECT_EQ(table["kind"], "Table");
  EXPECT_FALSE(table["metadata"].at("resourceVersion").as_string().empty());
  EXPECT_EQ(table["rows"].at(0).at("cells").at(0), "t1");
  EXPECT_EQ(table["rows"].at(0).at("object").at("kind"), "PartialObjectMetadata");

  json::object one = body(call("GET", std::string(kConfigMaps) + "/t1?includeObject=Object", "", "", accept));
  EXPECT_EQ(one["rows"].as_array().size(), 1u);
  EXPECT_EQ(one["rows"].at(0).at("object").at("kind"), "ConfigMap");

  json::object partial = body(
      call("GET", kConfigMaps, "", "", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"));
  EXPECT_EQ(partial["kind"], "PartialObjectMetadataList");
  EXPECT_EQ(partial["items"].at(0).at("metadata").at("name"), "t1");
}

TEST_F(HandlerTest, WatchPlans) {
  ASSERT_EQ(call("POST", kConfigMaps, configmap("w1")).status, 201);
  HttpResponse r = call("GET", std::string(kConfigMaps) + "?watch=true&timeoutSeconds=5");
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(r.watch);
  EXPECT_EQ(r.watch->timeout.count(), 5);
  auto events = r.watch->watch->poll(10);
  ASSERT_EQ(events.size(), 1u);
  Body line;
  r.watch->encode(events[0], line);
  std::string text = line.flatten();
  ASSERT_EQ(text.back(), '\n');
  json::object event = json::parse(text).as_object();
  EXPECT_EQ(event["type"], "ADDED");
  EXPECT_EQ(event["object"].at("metadata").at("name"), "w1");
  EXPECT_EQ(handler_.metrics().watches.load(), 1);
  r.watch.reset();
  EXPECT_EQ(handler_.metrics().watches.load(), 0);

  HttpResponse table = call("GET", std::string(kConfigMaps) + "?watch=1", "", "",
                            "application/json;as=Table;v=v1;g=meta.k8s.io");
  ASSERT_TRUE(table.watch);
  auto first = table.watch->watch->poll(10);
  ASSERT_EQ(call("POST", kConfigMaps, configmap("w2")).status, 201);
  std::vector<RawWatchEvent> second;
  for (int i = 0; i < 100 && second.empty(); ++i) {
    second = table.watch->watch->poll(10);
    if (second.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  Body a, b;
  table.watch->encode(first[0], a);
  table.watch->encode(second[0], b);
  json::object ea = json::parse(a.flatten()).as_object(), eb = json::parse(b.flatten()).as_object();
  EXPECT_EQ(ea["object"].at("kind"), "Table");
  EXPECT_TRUE(ea["object"].as_object().contains("columnDefinitions"));
  EXPECT_FALSE(eb["object"].as_object().contains("columnDefinitions"));
  EXPECT_EQ(eb["object"].at("rows").at(0).at("cells").at(0), "w2");
}

std::vector<json::object> drain(RawWatch& watch) {
  std::vector<json::object> out;
  for (const auto& e : watch.poll(100)) {
    Body line;
    encode_watch_line(e, line);
    out.push_back(json::parse(line.flatten()).as_object());
  }
  return out;
}

TEST_F(HandlerTest, WatchListEndsInitialEventsWithABookmark) {
  ASSERT_EQ(call("POST", kConfigMaps, configmap("l1")).status, 201);
  ASSERT_EQ(call("POST", kConfigMaps, configmap("l2")).status, 201);
  HttpResponse r =
      call("GET",
           std::string(kConfigMaps) +
               "?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan");
  ASSERT_EQ(r.status, 200) << r.body.flatten();
  auto events = drain(*r.watch->watch);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[1]["type"], "ADDED");
  EXPECT_EQ(events[2]["type"], "BOOKMARK");
  EXPECT_EQ(events[2]["object"].at("metadata").at("annotations").at("k8s.io/initial-events-end"), "true");
  std::string rv(events[2]["object"].at("metadata").at("resourceVersion").as_string());
  ASSERT_EQ(call("POST", kConfigMaps, configmap("l3")).status, 201);
  std::vector<json::object> later;
  for (int i = 0; i < 100 && later.empty(); ++i) {
    later = drain(*r.watch->watch);
    if (later.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0]["object"].at("metadata").at("name"), "l3");
  EXPECT_GT(std::stoll(std::string(later[0]["object"].at("metadata").at("resourceVersion").as_string())),
            std::stoll(rv));

  // Without bookmarks the client could never tell when the initial events end.
  HttpResponse refused = call("GET", std::string(kConfigMaps) + "?watch=1&sendInitialEvents=true");
  EXPECT_EQ(refused.status, 422);

  // sendInitialEvents=false: only what happens from now on.
  HttpResponse quiet = call("GET", std::string(kConfigMaps) + "?watch=1&sendInitialEvents=false");
  ASSERT_EQ(quiet.status, 200);
  EXPECT_TRUE(drain(*quiet.watch->watch).empty());
}

TEST_F(HandlerTest, DiscoveryAndOpenApiThroughTheHandler) {
  HttpResponse legacy = call("GET", "/api");
  EXPECT_EQ(legacy.content_type, "application/json");
  EXPECT_EQ(body(legacy)["kind"], "APIVersions");

  HttpResponse aggregated =
      call("GET", "/apis", "", "",
           "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json");
  EXPECT_EQ(aggregated.content_type, "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  EXPECT_EQ(body(aggregated)["kind"], "APIGroupDiscoveryList");

  EXPECT_EQ(body(call("GET", "/apis/example.com"))["kind"], "APIGroup");
  EXPECT_EQ(body(call("GET", "/apis/example.com/v1"))["kind"], "APIResourceList");
  EXPECT_EQ(body(call("GET", "/api/v1"))["groupVersion"], "v1");

  json::object version = body(call("GET", "/version"));
  EXPECT_EQ(version["major"], "1");
  EXPECT_TRUE(version["gitVersion"].as_string().starts_with("v1."));

  json::object index = body(call("GET", "/openapi/v3"));
  std::string url(index["paths"].at("apis/example.com/v1").at("serverRelativeURL").as_string());
  HttpResponse doc = call("GET", url);
  ASSERT_EQ(doc.status, 200);
  ASSERT_EQ(doc.headers.size(), 1u);
  EXPECT_EQ(doc.headers[0], (std::pair<std::string, std::string>{"Cache-Control", "public, immutable"}));
  EXPECT_TRUE(call("GET", url.substr(0, url.find('?'))).headers.empty());
  EXPECT_EQ(body(doc)["openapi"], "3.0.0");
  EXPECT_EQ(call("GET", "/openapi/v3/apis/nothing/v1").status, 404);
  EXPECT_EQ(body(call("GET", "/openapi/v2"))["swagger"], "2.0");
}

TEST_F(HandlerTest, HealthAndMetrics) {
  HttpResponse health = call("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body.flatten(), "ok");
  EXPECT_EQ(call("GET", "/livez").status, 200);
  EXPECT_EQ(call("GET", "/readyz").status, 200);
  handler_.set_ready(false);
  EXPECT_EQ(call("GET", "/readyz").status, 500);
  EXPECT_EQ(call("GET", "/livez").status, 200);

  for (const char* n : {"m1", "m2", "m3"}) ASSERT_EQ(call("POST", kConfigMaps, configmap(n)).status, 201);
  ASSERT_EQ(call("DELETE", std::string(kConfigMaps) + "/m2").status, 200);
  call("GET", kConfigMaps);
  std::string metrics = call("GET", "/metrics").body.flatten();
  EXPECT_NE(metrics.find("apiserver_storage_objects{resource=\"configmaps\"} 2\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("apiserver_storage_objects{resource=\"widgets.example.com\"} 0\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("apiserver_request_total{verb=\"LIST\",resource=\"configmaps\",code=\"200\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find(
          "apiserver_request_duration_seconds_bucket{verb=\"LIST\",resource=\"configmaps\",le=\"+Inf\"} 1"),
      std::string::npos);
  EXPECT_NE(metrics.find("apiserver_current_inflight_requests 1"), std::string::npos);  // this very request
  EXPECT_NE(metrics.find("ukube_store_revision"), std::string::npos);
}

TEST_F(HandlerTest, InFlightLimitSparesWatches) {
  ApiHandler saturated(deps(0));
  HttpRequest get;
  get.method = "GET";
  get.target = kConfigMaps;
  HttpResponse refused = saturated.handle(get);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(body(refused)["reason"], "TooManyRequests");
  bool retry_after = false;
  for (const auto& [k, v] : refused.headers) retry_after = retry_after || (k == "Retry-After" && v == "1");
  EXPECT_TRUE(retry_after);
  get.target += "?watch=true";
  EXPECT_EQ(saturated.handle(get).status, 200);
}

// Only what answers from memory at once skips the worker threads; anything that can
// wait (writes, watches, lists, subresources) or is built on first use must not.
TEST(AnswersAtOnce, ReadsOfOneObjectAndHealthOnly) {
  auto at_once = [](const std::string& method, const std::string& target) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    return ApiHandler::answers_at_once(r);
  };
  EXPECT_TRUE(at_once("GET", "/api/v1/namespaces/default/pods/web"));
  EXPECT_TRUE(at_once("GET", "/apis/apps/v1/namespaces/default/deployments/web?resourceVersion=0"));
  EXPECT_TRUE(at_once("GET", "/api/v1/nodes/n1"));
  EXPECT_TRUE(at_once("GET", "/readyz"));
  EXPECT_TRUE(at_once("GET", "/version"));
  EXPECT_FALSE(at_once("GET", "/api/v1/namespaces/default/pods"));
  EXPECT_FALSE(at_once("GET", "/api/v1/namespaces/default/pods/web?watch=true"));
  EXPECT_FALSE(at_once("GET", "/api/v1/watch/namespaces/default/pods/web"));
  EXPECT_FALSE(at_once("GET", "/api/v1/namespaces/default/pods/web/log"));
  EXPECT_FALSE(at_once("GET", "/openapi/v2"));
  EXPECT_FALSE(at_once("GET", "/metrics"));
  EXPECT_FALSE(at_once("POST", "/api/v1/namespaces/default/pods"));
  EXPECT_FALSE(at_once("DELETE", "/api/v1/namespaces/default/pods/web"));
}

}  // namespace
}  // namespace ukube::apiserver
