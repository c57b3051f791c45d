#include "apiserver/table.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace ukube::apiserver {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

TEST(HumanDuration, MatchesUpstreamRendering) {
  EXPECT_EQ(human_duration(seconds(-5)), "<invalid>");
  EXPECT_EQ(human_duration(seconds(-1)), "0s");
  EXPECT_EQ(human_duration(seconds(0)), "0s");
  EXPECT_EQ(human_duration(seconds(119)), "119s");
  EXPECT_EQ(human_duration(seconds(120)), "2m");
  EXPECT_EQ(human_duration(seconds(200)), "3m20s");
  EXPECT_EQ(human_duration(seconds(600)), "10m");
  EXPECT_EQ(human_duration(seconds(3 * 3600)), "3h");
  EXPECT_EQ(human_duration(seconds(3 * 3600 + 5 * 60)), "3h5m");
  EXPECT_EQ(human_duration(seconds(10 * 3600)), "10h");
  EXPECT_EQ(human_duration(seconds(50 * 3600)), "2d2h");
  EXPECT_EQ(human_duration(seconds(9 * 86400)), "9d");
  EXPECT_EQ(human_duration(seconds(3 * 365 * 86400 + 20 * 86400)), "3y20d");
  EXPECT_EQ(human_duration(seconds(9 * 365 * 86400)), "9y");
}

TEST(Timestamp, ParsesRfc3339) {
  auto t = parse_timestamp("2024-05-01T10:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*t), 1714557600);
  EXPECT_EQ(parse_timestamp("2024-05-01T12:00:00.123+02:00"), t);
  EXPECT_FALSE(parse_timestamp("yesterday"));
}

TEST(JsonPath, FieldsAndIndexes) {
  json::object o = json::parse(R"({"spec":{"ports":[{"port":80},{"port":443}],"x":{"y":"z"}}})").as_object();
  ASSERT_TRUE(evaluate_path(o, ".spec.x.y"));
  EXPECT_EQ(evaluate_path(o, ".spec.x.y")->as_string(), "z");
  EXPECT_EQ(evaluate_path(o, "{.spec.ports[1].port}")->as_int64(), 443);
  EXPECT_EQ(evaluate_path(o, ".spec.ports[2].port"), nullptr);
  EXPECT_EQ(evaluate_path(o, ".spec.missing"), nullptr);
  EXPECT_EQ(evaluate_path(o, ".spec.ports[?(@.port==80)]"), nullptr);
}

store::Bytes widget(const std::string& name, const std::string& created) {
  return store::make_bytes(R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":")" + name +
                           R"(","resourceVersion":"5","creationTimestamp":")" + created +
                           R"("},"spec":{"color":"red","size":3}})");
}

TEST(TableBuilder, DefaultColumnsAreNameAndAge) {
  TypeInfo t;
  t.group = "example.com";
  t.version = "v1";
  t.kind = "Widget";
  auto now = *parse_timestamp("2024-05-01T10:05:00Z");
  TableBuilder b(t, IncludeObject::Metadata, now);
  json::object table =
      json::parse(b.table_json({widget("w1", "2024-05-01T10:00:00Z")}, R"({"resourceVersion":"9"})"))
          .as_object();
  EXPECT_EQ(table["kind"], "Table");
  EXPECT_EQ(table["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(table["metadata"].at("resourceVersion"), "9");
  auto& columns = table["columnDefinitions"].as_array();
  ASSERT_EQ(columns.size(), 2u);
  EXPECT_EQ(columns[0].at("name"), "Name");
  EXPECT_EQ(columns[0].at("format"), "name");
  EXPECT_EQ(columns[1].at("name"), "Age");
  auto& row = table["rows"].as_array().at(0).as_object();
  EXPECT_EQ(row.at("cells"), (json::array{"w1", "5m"}));
  EXPECT_EQ(row.at("object").at("kind"), "PartialObjectMetadata");
  EXPECT_EQ(row.at("object").at("metadata").at("name"), "w1");
}

TEST(TableBuilder, PrinterColumnsAndTableRow) {
  TypeInfo t;
  t.kind = "Widget";
  t.printer_columns = {{"Color", "string", "", "", 0, ".spec.color"},
                       {"Size", "integer", "", "", 1, ".spec.size"},
                       {"Missing", "string", "", "", 0, ".spec.nothing"}};
  auto now = std::chrono::system_clock::now();
  TableBuilder generic(t, IncludeObject::None, now);
  json::object table =
      json::parse(generic.table_json({widget("w1", "2024-05-01T10:00:00Z")}, "{}")).as_object();
  auto& columns = table["columnDefinitions"].as_array();
  ASSERT_EQ(columns.size(), 4u);  // a Name column comes first
  EXPECT_EQ(columns[0].at("format"), "name");
  EXPECT_EQ(columns[2].at("priority"), 1);
  auto& row = table["rows"].as_array().at(0).as_object();
  EXPECT_EQ(row.at("cells"), (json::array{"w1", "red", 3, nullptr}));
  EXPECT_FALSE(row.contains("object"));

  t.table_row = [](const json::object& o) {
    return json::array{o.at("metadata").at("name"), "custom", 7, nullptr};
  };
  TableBuilder custom(t, IncludeObject::Object, now);
  json::object row2 = json::parse(custom.row_json(widget("w2", "2024-05-01T10:00:00Z"))).as_object();
  EXPECT_EQ(row2.at("cells"), (json::array{"w2", "custom", 7, nullptr}));
  EXPECT_EQ(row2.at("object").at("kind"), "Widget");
}

TEST(TableBuilder, WatchTablesCanOmitColumns) {
  TypeInfo t;
  t.kind = "Widget";
  TableBuilder b(t, IncludeObject::Metadata, std::chrono::system_clock::now());
  json::object table = json::parse(b.table_json({}, "{}", false)).as_object();
  EXPECT_FALSE(table.contains("columnDefinitions"));
  EXPECT_TRUE(table["rows"].as_array().empty());
  EXPECT_EQ(resource_version_of(widget("w", "2024-05-01T10:00:00Z")), "5");
  EXPECT_EQ(json::parse(partial_object_metadata(widget("w", "x"))).at("metadata").at("name"), "w");
}

}  // namespace
}  // namespace ukube::apiserver
