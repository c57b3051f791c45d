#include <gtest/gtest.h>

#include "apiserver/config.pb.h"
#include "apiserver/media.h"
#include "apiserver/pretty_json.h"
#include "apiserver/request_options.h"
#include "apiserver/settings.h"
#include "apiserver/url.h"
#include "ukube/errors.h"

namespace ukube::apiserver {
namespace {

// As Go's json.Indent(dst, src, "", "  ") lays the same text out.
TEST(PrettyJson, IndentsAsGoDoes) {
  EXPECT_EQ(indent_json(R"({"a":{},"b":[],"c":[1,{"d":null}],"e":"x: [y], {z}\" ,"})"),
            "{\n"
            "  \"a\": {},\n"
            "  \"b\": [],\n"
            "  \"c\": [\n"
            "    1,\n"
            "    {\n"
            "      \"d\": null\n"
            "    }\n"
            "  ],\n"
            "  \"e\": \"x: [y], {z}\\\" ,\"\n"
            "}");
  EXPECT_EQ(indent_json("{\"a\":1}\n"), "{\n  \"a\": 1\n}") << "the trailing newline goes";
  EXPECT_EQ(indent_json("[]"), "[]");
  EXPECT_EQ(indent_json("\"s\""), "\"s\"");
}

TEST(PrettyJson, WantedByParameterOrByPeoplesClients) {
  const std::string yes = "true", no = "0", junk = "yes", empty;
  EXPECT_TRUE(wants_pretty(&yes, "kubectl/v1.33.0"));
  EXPECT_FALSE(wants_pretty(&no, "curl/8.0"));
  EXPECT_FALSE(wants_pretty(&junk, "curl/8.0"));
  EXPECT_TRUE(wants_pretty(&empty, "curl/8.0"));
  EXPECT_TRUE(wants_pretty(nullptr, "Wget/1.21"));
  EXPECT_TRUE(wants_pretty(nullptr, "Mozilla/5.0 (X11)"));
  EXPECT_FALSE(wants_pretty(nullptr, "python-requests/2.28"));
  EXPECT_FALSE(wants_pretty(nullptr, ""));
}

TEST(Query, DecodesAndKeepsRepeats) {
  Query q = Query::parse("labelSelector=app%3Dweb%2Ctier+in+(a%2Cb)&dryRun=All&dryRun=All&empty=&flag");
  EXPECT_EQ(q.get("labelSelector"), "app=web,tier in (a,b)");
  EXPECT_EQ(q.all("dryRun")->size(), 2u);
  EXPECT_TRUE(q.has("empty"));
  EXPECT_TRUE(q.has("flag"));
  EXPECT_EQ(q.get("missing", "x"), "x");
  EXPECT_THROW(Query::parse("a=%zz"), ApiError);
}

TEST(Options, ListAndWatch) {
  Query q = Query::parse(
      "watch=1&limit=5&continue=abc&resourceVersion=7&timeoutSeconds=30&allowWatchBookmarks=true"
      "&fieldSelector=metadata.name%3Dx&timeout=32s&sendInitialEvents=false");
  EXPECT_TRUE(wants_watch(q));
  ListOptions o = list_options(q);
  EXPECT_EQ(o.limit, 5);
  EXPECT_EQ(o.continue_token, "abc");
  EXPECT_EQ(o.resource_version, "7");
  EXPECT_EQ(o.timeout.count(), 30);
  EXPECT_TRUE(o.allow_bookmarks);
  EXPECT_EQ(o.field_selector, "metadata.name=x");
  EXPECT_FALSE(wants_watch(Query::parse("watch=false")));
  EXPECT_THROW(list_options(Query::parse("limit=ten")), ApiError);
  EXPECT_THROW(wants_watch(Query::parse("watch=yes")), ApiError);
}

TEST(Options, Write) {
  WriteOptions o =
      write_options(Query::parse("dryRun=All&fieldManager=kubectl&fieldValidation=Strict"), false);
  EXPECT_TRUE(o.dry_run);
  EXPECT_EQ(o.field_manager, "kubectl");
  EXPECT_EQ(o.field_validation, FieldValidation::Strict);
  EXPECT_EQ(write_options(Query::parse(""), false).field_validation, FieldValidation::Warn);
  EXPECT_EQ(write_options(Query::parse("fieldValidation=Ignore"), false).field_validation,
            FieldValidation::Ignore);
  EXPECT_THROW(write_options(Query::parse("fieldValidation=Loose"), false), ApiError);
  EXPECT_THROW(write_options(Query::parse("dryRun=Some"), false), ApiError);
  EXPECT_THROW(write_options(Query::parse("force=true"), false), ApiError);
  EXPECT_TRUE(write_options(Query::parse("force=true&fieldManager=m"), true).force);
  EXPECT_THROW(write_options(Query::parse(""), true), ApiError);  // apply needs a field manager
}

TEST(Options, DeleteFromQueryAndBody) {
  DeleteOptions o =
      delete_options(Query::parse("gracePeriodSeconds=5&propagationPolicy=Orphan"),
                     R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background",
                                       "preconditions":{"uid":"u1","resourceVersion":"9"},"dryRun":["All"]})");
  EXPECT_EQ(o.grace_period_seconds, 5);
  EXPECT_EQ(o.propagation_policy, "Background");  // the body wins
  EXPECT_EQ(o.precondition_uid, "u1");
  EXPECT_EQ(o.precondition_resource_version, "9");
  EXPECT_TRUE(o.dry_run);
  EXPECT_EQ(delete_options(Query::parse("orphanDependents=true"), "").propagation_policy, "Orphan");
  EXPECT_THROW(delete_options(Query::parse(""), "{not json"), ApiError);
  EXPECT_THROW(delete_options(Query::parse("propagationPolicy=Sideways"), ""), ApiError);
}

TEST(Media, Negotiation) {
  EXPECT_EQ(negotiate(""), Representation::Plain);
  EXPECT_EQ(negotiate("application/json"), Representation::Plain);
  EXPECT_EQ(
      negotiate(
          "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
          "application/json"),
      Representation::Table);
  EXPECT_EQ(
      negotiate("application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"),
      Representation::DiscoveryV2);
  EXPECT_EQ(negotiate("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"),
            Representation::DiscoveryV2Beta1);
  EXPECT_EQ(negotiate("application/vnd.kubernetes.protobuf,application/json"), Representation::Plain);
  EXPECT_EQ(negotiate("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"),
            Representation::PartialMetadata);
  EXPECT_EQ(media_type("Application/Merge-Patch+JSON; charset=utf-8"), "application/merge-patch+json");
}

TEST(Settings, DefaultsAndListen) {
  const std::string node = "127.0.0.1:6443";  // the daemon's listen, its own default
  Settings s = resolve_settings(ApiServerConfig(), node);
  EXPECT_EQ(s.host, "127.0.0.1");
  EXPECT_EQ(s.port, 6443);
  EXPECT_EQ(s.threads, 2u);
  EXPECT_EQ(s.max_in_flight, 400u);
  EXPECT_EQ(s.max_body_bytes, 3u * 1024 * 1024);
  EXPECT_TRUE(s.write_kubeconfig);

  ApiServerConfig c;
  c.set_listen("[::1]:0");
  c.set_write_kubeconfig(false);
  c.set_threads(4);
  s = resolve_settings(c, node);
  EXPECT_EQ(s.host, "::1");
  EXPECT_EQ(s.port, 0);
  EXPECT_EQ(s.threads, 4u);
  EXPECT_FALSE(s.write_kubeconfig);

  c.set_listen(":8080");
  EXPECT_EQ(resolve_settings(c, node).host, "0.0.0.0");
  // The plugin's own address wins over the node's; without one, the node's is served.
  EXPECT_EQ(resolve_settings(c, "127.0.0.2:7000").port, 8080);
  s = resolve_settings(ApiServerConfig(), "127.0.0.2:7000");
  EXPECT_EQ(s.host, "127.0.0.2");
  EXPECT_EQ(s.port, 7000);
  c.set_listen("localhost");
  EXPECT_THROW(resolve_settings(c, node), std::invalid_argument);
  c.set_listen("1.2.3.4:70000");
  EXPECT_THROW(resolve_settings(c, node), std::invalid_argument);
}

}  // namespace
}  // namespace ukube::apiserver
