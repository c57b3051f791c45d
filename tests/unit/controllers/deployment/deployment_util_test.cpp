#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "controllers/deployment/deployment_util.h"

namespace ukube::controllers::deployment {
namespace {

namespace json = boost::json;

TEST(DeploymentHash, Fnv32aKnownVectors) {
  EXPECT_EQ(fnv32a(""), 0x811c9dc5u);
  EXPECT_EQ(fnv32a("a"), 0xe40c292cu);
  EXPECT_EQ(fnv32a("foobar"), 0xbf9cf968u);
}

TEST(DeploymentHash, SafeEncodeMapsDigitsAsUpstream) {
  // alphanums "bcdfghjklmnpqrstvwxz2456789"; '0' is byte 48, 48 % 27 = 21 → '4'.
  EXPECT_EQ(safe_encode("0123456789"), "456789bcdf");
  EXPECT_EQ(encode_hash(1234567890u), safe_encode("1234567890"));
  EXPECT_EQ(encode_hash(0x811c9dc5u), "65bb57b6b5");  // 2166136261
}

TEST(DeploymentHash, TemplateHashIsStableAndVariesWithCollisionCount) {
  json::object a =
      json::parse(
          R"({"metadata":{"labels":{"app":"web","tier":"x"}},"spec":{"containers":[{"name":"c","image":"i"}]}})")
          .as_object();
  json::object b =
      json::parse(
          R"({"spec":{"containers":[{"image":"i","name":"c"}]},"metadata":{"labels":{"tier":"x","app":"web"}}})")
          .as_object();
  EXPECT_EQ(pod_template_hash(a, std::nullopt), pod_template_hash(b, std::nullopt));
  EXPECT_NE(pod_template_hash(a, std::nullopt), pod_template_hash(a, 1));
  EXPECT_NE(pod_template_hash(a, 1), pod_template_hash(a, 2));
  // Upstream: a nil collisionCount adds nothing; 0 adds eight zero bytes.
  EXPECT_NE(pod_template_hash(a, std::nullopt), pod_template_hash(a, 0));
  json::object c = a;
  c["spec"].as_object()["containers"].as_array()[0].as_object()["image"] = "j";
  EXPECT_NE(pod_template_hash(a, std::nullopt), pod_template_hash(c, std::nullopt));
  for (char ch : pod_template_hash(a, std::nullopt))
    EXPECT_NE(std::string_view("bcdfghjklmnpqrstvwxz2456789").find(ch), std::string_view::npos);
}

TEST(DeploymentHash, EqualIgnoreHash) {
  json::object a = json::parse(R"({"metadata":{"labels":{"app":"web"}},"spec":{}})").as_object();
  json::object b =
      json::parse(R"({"metadata":{"labels":{"app":"web","pod-template-hash":"abc"}},"spec":{}})").as_object();
  json::object c = json::parse(R"({"metadata":{"labels":{"app":"db"}},"spec":{}})").as_object();
  EXPECT_TRUE(equal_ignore_hash(&a, &b));
  EXPECT_FALSE(equal_ignore_hash(&a, &c));
}

struct FencepostCase {
  const char* surge;
  const char* unavailable;
  int64_t desired;
  int64_t want_surge, want_unavailable;
};

json::value int_or_percent(const char* text) {
  std::string_view s(text);
  if (!s.empty() && s.back() == '%') return json::value(s);
  return json::value(std::stoll(std::string(s)));
}

TEST(DeploymentRolling, ResolveFencepostsRoundsSurgeUpAndUnavailableDown) {
  const FencepostCase cases[] = {
      {"25%", "25%", 10, 3, 2},  {"25%", "25%", 4, 1, 1}, {"25%", "25%", 3, 1, 0}, {"25%", "25%", 1, 1, 0},
      {"0", "0", 5, 0, 1},       {"0%", "0%", 5, 0, 1},   {"2", "1", 5, 2, 1},     {"50%", "10%", 7, 4, 0},
      {"100%", "100%", 3, 3, 3}, {"0", "30%", 10, 0, 3},
  };
  for (const auto& c : cases) {
    json::value surge = int_or_percent(c.surge), unavailable = int_or_percent(c.unavailable);
    Fenceposts f = resolve_fenceposts(&surge, &unavailable, c.desired);
    EXPECT_EQ(f.surge, c.want_surge) << c.surge << " of " << c.desired;
    EXPECT_EQ(f.unavailable, c.want_unavailable) << c.unavailable << " of " << c.desired;
  }
}

json::object rolling_deployment(int64_t replicas, const char* surge, const char* unavailable) {
  return json::object{
      {"spec", json::object{{"replicas", replicas},
                            {"strategy",
                             json::object{{"type", "RollingUpdate"},
                                          {"rollingUpdate", json::object{{"maxSurge", int_or_percent(surge)},
                                                                         {"maxUnavailable",
                                                                          int_or_percent(unavailable)}}}}}}}};
}

ObjectPtr rs_with(int64_t replicas) {
  return std::make_shared<const json::object>(json::object{{"spec", json::object{{"replicas", replicas}}}});
}

TEST(DeploymentRolling, NewReplicaSetReplicas) {
  struct Case {
    int64_t desired;
    const char* surge;
    int64_t old_replicas, new_replicas, want;
  } cases[] = {
      {10, "25%", 10, 0, 3},  // 13 allowed, 10 running
      {10, "0", 10, 0, 0},    // no surge: wait for old ones to go
      {10, "25%", 5, 6, 8},   // 13 - 11 = 2 more
      {10, "25%", 0, 9, 10},  // capped at desired
      {3, "1", 3, 0, 1},     {3, "100%", 3, 0, 3},
  };
  for (const auto& c : cases) {
    json::object d = rolling_deployment(c.desired, c.surge, "0");
    auto new_rs = rs_with(c.new_replicas);
    std::vector<ObjectPtr> all{rs_with(c.old_replicas), new_rs};
    EXPECT_EQ(new_rs_new_replicas(d, all, *new_rs), c.want) << c.desired << " " << c.surge;
  }
  json::object recreate{
      {"spec", json::object{{"replicas", 4}, {"strategy", json::object{{"type", "Recreate"}}}}}};
  EXPECT_EQ(new_rs_new_replicas(recreate, {rs_with(0)}, *rs_with(0)), 4);
  EXPECT_EQ(max_surge(recreate), 0);
  EXPECT_EQ(max_unavailable(recreate), 0);
  EXPECT_EQ(max_unavailable(rolling_deployment(2, "0", "5")), 2);
}

}  // namespace
}  // namespace ukube::controllers::deployment
