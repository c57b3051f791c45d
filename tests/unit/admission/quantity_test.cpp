// Quantity: parsing, canonical text, arithmetic and rounding as upstream's resource.Quantity.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "ukube/admission/plugin_support.h"
#include "ukube/machinery/quantity.h"

namespace ukube::admission {
namespace {

struct Canonical {
  const char* input;
  const char* text;  // String()
  int64_t milli;     // MilliValue()
};

TEST(Quantity, ParsesAndPrintsAsUpstream) {
  const Canonical cases[] = {
      {"0", "0", 0},
      {"1", "1", 1000},
      {"2", "2", 2000},
      {"500m", "500m", 500},
      {"1000m", "1", 1000},
      {"1500m", "1500m", 1500},
      {"0.5", "500m", 500},
      {"1.5", "1500m", 1500},
      {".5", "500m", 500},
      {"1000", "1k", 1000000},
      {"1500", "1500", 1500000},
      {"1k", "1k", 1000000},
      {"1M", "1M", 1000000000},
      {"12e6", "12e6", 12000000000},
      {"1e3", "1e3", 1000000},
      {"1E3", "1e3", 1000000},
      {"1Ki", "1Ki", 1024000},
      {"1024", "1024", 1024000},
      {"1024Mi", "1Gi", 1073741824000},
      {"1536Mi", "1536Mi", 1610612736000},
      {"1.5Gi", "1536Mi", 1610612736000},
      {"0.5Ki", "512", 512000},
      {"100Mi", "100Mi", 104857600000},
      {"128974848", "128974848", 128974848000},
      {"129e6", "129e6", 129000000000},
      {"123Mi", "123Mi", 128974848000},
      {"1Ei", "1Ei", 9223372036854775807LL},  // beyond int64 in milli: saturated
      {"100u", "100u", 1},
      {"1n", "1n", 1},
      {"+3", "3", 3000},
      {"-2", "-2", -2000},
      {"0.1m", "100u", 1},
  };
  for (const auto& c : cases) {
    auto q = Quantity::parse(c.input);
    ASSERT_TRUE(q) << c.input;
    EXPECT_EQ(q->to_string(), c.text) << c.input;
    EXPECT_EQ(q->milli_value(), c.milli) << c.input;
  }
}

TEST(Quantity, RefusesWhatIsNotAQuantity) {
  for (const char* text : {"", "abc", "1.2.3", "1Kb", "1K", "1e", "1ee3", "1 Gi", "--1", "1Mi2"})
    EXPECT_FALSE(Quantity::parse(text)) << text;
  // Upstream reads a missing number as zero: "." and a suffix alone are quantities.
  for (const char* zero : {".", "m", "Ki"})
    EXPECT_TRUE(Quantity::parse(zero) && Quantity::parse(zero)->is_zero()) << zero;
}

TEST(Quantity, RoundsFinerThanNanoUpAndValueUp) {
  EXPECT_EQ(Quantity::parse("0.0000000001")->to_string(), "1n");
  EXPECT_EQ(Quantity::parse("1500m")->value(), 2);
  EXPECT_EQ(Quantity::parse("1001m")->value(), 2);
  EXPECT_EQ(Quantity::parse("1")->value(), 1);
  EXPECT_EQ(Quantity::parse("1Gi")->value(), 1073741824);
}

TEST(Quantity, SumsKeepTheFirstFormatUnlessItWasZero) {
  EXPECT_EQ((*Quantity::parse("512Mi") + *Quantity::parse("512Mi")).to_string(), "1Gi");
  EXPECT_EQ((*Quantity::parse("500m") + *Quantity::parse("500m")).to_string(), "1");
  EXPECT_EQ((Quantity() + *Quantity::parse("64Mi")).to_string(), "64Mi");
  EXPECT_EQ((*Quantity::parse("1") + *Quantity::parse("1Ki")).to_string(), "1025");
  EXPECT_EQ((*Quantity::parse("1") - *Quantity::parse("250m")).to_string(), "750m");
  EXPECT_EQ(Quantity::parse("1")->compare(*Quantity::parse("1000m")), 0);
  EXPECT_LT(Quantity::parse("999m")->compare(*Quantity::parse("1")), 0);
  EXPECT_GT(Quantity::parse("1Ki")->compare(*Quantity::parse("1k")), 0);
}

TEST(Quantity, ReadsJsonNumbersAndStrings) {
  EXPECT_EQ(Quantity::from_json(boost::json::value(2))->to_string(), "2");
  EXPECT_EQ(Quantity::from_json(boost::json::value(0.5))->to_string(), "500m");
  EXPECT_EQ(Quantity::from_json(boost::json::value("2Gi"))->to_string(), "2Gi");
  EXPECT_FALSE(Quantity::from_json(boost::json::value(true)));
}

TEST(ResourceList, PrettyPrintsSortedAndComparesOnSharedNames) {
  ResourceList a{{"pods", Quantity::of(3)}, {"cpu", *Quantity::parse("1500m")}};
  ResourceList b{{"pods", Quantity::of(2)}, {"memory", *Quantity::parse("1Gi")}};
  EXPECT_EQ(pretty_print(a), "cpu=1500m,pods=3");
  ResourceNames exceeded;
  EXPECT_FALSE(less_than_or_equal(a, b, &exceeded));
  EXPECT_EQ(exceeded, ResourceNames{"pods"});
  EXPECT_EQ(pretty_print(subtract_non_negative(b, a)), "memory=1Gi");
  EXPECT_EQ(pretty_print(remove_zeros({{"a", Quantity()}, {"b", Quantity::of(1)}})), "b=1");
}

TEST(ResourceList, PodTotalsCountInitContainersAndSidecarsAsUpstream) {
  auto spec = boost::json::parse(R"({
    "containers": [{"name": "a", "resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "1"}}},
                   {"name": "b", "resources": {"requests": {"cpu": "200m", "memory": "64Mi"}}}],
    "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "1", "memory": "32Mi"}}},
                       {"name": "s", "restartPolicy": "Always", "resources": {"requests": {"cpu": "50m"}}},
                       {"name": "j", "resources": {"requests": {"cpu": "500m"}}}],
    "overhead": {"cpu": "10m"}})")
                  .as_object();
  // containers 300m + sidecar 50m = 350m; init peak max(1, 500m + 50m) = 1 -> 1; + overhead.
  EXPECT_EQ(pretty_print(pod_requests(spec, false)), "cpu=1,memory=64Mi");
  EXPECT_EQ(pretty_print(pod_requests(spec, true)), "cpu=1010m,memory=64Mi");
  EXPECT_EQ(pretty_print(pod_limits(spec, false)), "cpu=1");
}

}  // namespace
}  // namespace ukube::admission
