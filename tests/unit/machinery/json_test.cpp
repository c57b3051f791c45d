// The lenient JSON readers: absent, null and mistyped members read as empty, so readers
// of half-written objects (the scheduler's parse, printers, defaulters) never throw.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "ukube/machinery/json.h"

namespace ukube::machinery {
namespace {

boost::json::object json_object(const char* text) {
  return boost::json::parse(text).as_object();
}

TEST(JsonReaders, ObjectOrEmptyStandsInForAnAbsentObject) {
  auto pod = json_object(R"({"spec":{"nodeName":"a"},"status":"not an object"})");
  EXPECT_EQ(&object_or_empty(&pod), &pod);
  EXPECT_EQ(string_at(object_or_empty(object_at(pod, {"spec"})), {"nodeName"}), "a");

  const boost::json::object& status = object_or_empty(object_at(pod, {"status"}));
  EXPECT_TRUE(status.empty());
  EXPECT_EQ(string_at(status, {"phase"}), "");
  EXPECT_EQ(array_at(status, {"conditions"}), nullptr);
  EXPECT_TRUE(object_or_empty(nullptr).empty());
  EXPECT_EQ(&object_or_empty(nullptr), &object_or_empty(nullptr)) << "one shared instance, no copies";
}

TEST(JsonReaders, PathsStopAtMissingAndMistypedMembers) {
  auto pod = json_object(R"({"spec":{"containers":[{"image":"nginx"}],"priority":7,"resources":[]}})");
  ASSERT_NE(array_at(pod, {"spec", "containers"}), nullptr);
  EXPECT_EQ(object_at(pod, {"spec", "containers"}), nullptr) << "an array is no object";
  EXPECT_EQ(object_at(pod, {"spec", "resources", "requests"}), nullptr) << "nor can a path go through one";
  EXPECT_EQ(object_at(pod, {"metadata", "labels"}), nullptr);
  EXPECT_EQ(int_at(pod, {"spec", "priority"}), 7);
  EXPECT_EQ(int_at(pod, {"spec", "missing"}), std::nullopt);
}

}  // namespace
}  // namespace ukube::machinery
