// The small formats the types share: durations, timestamps, quantities, names, cron.
#include "batch/cron.h"
#include "builtin_test_support.h"
#include "common/labels.h"
#include "common/names.h"
#include "common/quantity.h"
#include "podspec/defaults.h"

namespace ukube::builtin::testing {
namespace {

using std::chrono::seconds;

TEST(Formats, HumanDuration) {
  const std::vector<std::pair<int64_t, const char*>> cases = {
      {-5, "<invalid>"}, {-1, "0s"},       {0, "0s"},           {45, "45s"},        {119, "119s"},
      {120, "2m"},       {312, "5m12s"},   {600, "10m"},        {10799, "179m"},    {10800, "3h"},
      {11520, "3h12m"},  {28800, "8h"},    {172799, "47h"},     {172800, "2d"},     {180000, "2d2h"},
      {691200, "8d"},    {63072000, "2y"}, {66960000, "2y45d"}, {315360000, "10y"},
  };
  for (auto [s, want] : cases) EXPECT_EQ(human_duration(seconds(s)), want) << s;
}

TEST(Formats, Timestamps) {
  auto t = parse_time("2024-05-01T10:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_time(*t), "2024-05-01T10:00:00Z");
  EXPECT_EQ(parse_time("2024-05-01T12:00:00+02:00"), t);
  EXPECT_EQ(parse_time("2024-05-01T10:00:00.123456Z").value() - *t, std::chrono::microseconds(123456));
  EXPECT_FALSE(parse_time("yesterday"));
  EXPECT_EQ(age_since("", Clock::now()), "<unknown>");
  EXPECT_EQ(age_since("2024-05-01T10:00:00Z", *t + std::chrono::hours(3)), "3h");
}

TEST(Formats, Names) {
  EXPECT_TRUE(dns1123_label_errors("web-1").empty());
  EXPECT_FALSE(dns1123_label_errors("Web").empty());
  EXPECT_TRUE(dns1123_subdomain_errors("a.b-c.d").empty());
  EXPECT_FALSE(dns1123_subdomain_errors("a..b").empty());
  EXPECT_FALSE(dns1035_label_errors("1abc").empty());
  EXPECT_TRUE(iana_svc_name_errors("http").empty());
  EXPECT_EQ(iana_svc_name_errors("12").size(), 1u);
  EXPECT_FALSE(config_key_errors("a b").empty());
  EXPECT_TRUE(config_key_errors(".env").empty());
  EXPECT_TRUE(qualified_name_errors("app.kubernetes.io/name").empty());
}

TEST(Formats, PullPolicy) {
  EXPECT_EQ(default_pull_policy("nginx"), "Always");
  EXPECT_EQ(default_pull_policy("nginx:latest"), "Always");
  EXPECT_EQ(default_pull_policy("localhost:5000/nginx"), "Always");
  EXPECT_EQ(default_pull_policy("localhost:5000/nginx:1.2"), "IfNotPresent");
  EXPECT_EQ(default_pull_policy("nginx@sha256:00"), "IfNotPresent");
}

TEST(Formats, Selectors) {
  auto sel = parse(R"({"matchLabels":{"tier":"be","app":"web"},
      "matchExpressions":[{"key":"env","operator":"In","values":["prod","dev"]},{"key":"legacy","operator":"DoesNotExist"}]})");
  EXPECT_EQ(selector_string(&sel), "app=web,env in (dev,prod),!legacy,tier=be");
  auto labels = parse(R"({"app":"web","tier":"be","env":"dev"})");
  auto selector = machinery::selector_from_json(sel);
  ASSERT_TRUE(selector);
  EXPECT_TRUE(machinery::matches(*selector, &labels));
  labels["legacy"] = "1";
  EXPECT_FALSE(machinery::matches(*selector, &labels));
  EXPECT_EQ(format_labels(nullptr), "<none>");
}

TEST(Formats, Cron) {
  EXPECT_FALSE(cron_schedule_error("*/5 * * * *"));
  EXPECT_FALSE(cron_schedule_error("0 0 1 JAN,JUL ?"));
  EXPECT_FALSE(cron_schedule_error("@hourly"));
  EXPECT_EQ(cron_schedule_error("* * * *").value_or(""), "expected exactly 5 fields, found 4: * * * *");
  EXPECT_TRUE(cron_schedule_error("60 * * * *"));
  EXPECT_TRUE(cron_schedule_error("* * * * 8"));
  EXPECT_TRUE(cron_schedule_error("*/0 * * * *"));
  EXPECT_TRUE(cron_schedule_error("@sometimes"));
}

}  // namespace
}  // namespace ukube::builtin::testing
