#include "cr_table.h"

#include <boost/json.hpp>
#include <cmath>

#include "json_path.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/time.h"

namespace ukube::apiextensions {
namespace {

namespace json = boost::json;
using machinery::string_at;

const char* const kNameDescription =
    "Name must be unique within a namespace. Is required when creating resources, although some resources "
    "may "
    "allow a client to request the generation of an appropriate name automatically. Name is primarily "
    "intended "
    "for creation idempotence and configuration definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

// A value found for a typed column, or null when it is not of the column's type.
json::value typed_cell(const std::string& type, const json::value& v, machinery::Clock::time_point now) {
  if (type == "integer") {
    if (v.is_int64() || v.is_uint64()) return v;
    if (v.is_double()) return static_cast<int64_t>(v.get_double());
  } else if (type == "number") {
    if (v.is_double()) return v;
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  } else if (type == "boolean") {
    if (v.is_bool()) return v;
  } else if (type == "date") {
    if (v.is_string()) {
      auto when = machinery::parse_time(v.get_string());
      if (!when) return "<invalid>";
      return json::string(
          machinery::human_duration(std::chrono::duration_cast<std::chrono::seconds>(now - *when)));
    }
  } else {
    // As JSONPath prints a value: strings as they are, null as <no value>, others as JSON.
    if (v.is_string()) return v;
    if (v.is_null()) return "<no value>";
    return json::string(json::serialize(v));
  }
  return nullptr;
}

struct Column {
  std::string type;
  JsonPath path;
};

}  // namespace

void set_printer_columns(TypeInfo& t, const json::object& version) {
  std::vector<PrinterColumn> columns;
  if (const auto* list = machinery::array_at(version, {"additionalPrinterColumns"}))
    for (const auto& item : *list)
      if (item.is_object()) {
        const json::object& c = item.get_object();
        std::string description = string_at(c, {"description"});
        if (description.empty())
          description =
              "Custom resource definition column (in JSONPath format): " + string_at(c, {"jsonPath"});
        columns.push_back({string_at(c, {"name"}), string_at(c, {"type"}), string_at(c, {"format"}),
                           description, static_cast<int>(machinery::int_or(c, {"priority"}, 0)),
                           string_at(c, {"jsonPath"})});
      }
  if (columns.empty())
    columns.push_back(
        {"Age", "date", "",
         "CreationTimestamp is a timestamp representing the server time when this object was "
         "created. It is not guaranteed to be set in happens-before order across separate "
         "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
         "UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
         "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
         0, ".metadata.creationTimestamp"});
  std::vector<Column> compiled;
  for (const auto& c : columns) compiled.push_back({c.type, JsonPath::parse(c.json_path)});
  t.printer_columns = {{"Name", "string", "name", kNameDescription, 0, ".metadata.name"}};
  t.printer_columns.insert(t.printer_columns.end(), columns.begin(), columns.end());
  t.table_row = [compiled](const json::object& o) {
    const auto now = machinery::Clock::now();
    json::array cells{json::string(machinery::name_of(o))};
    for (const auto& c : compiled) {
      auto found = c.path.find(o);
      cells.push_back(found.empty() ? json::value(nullptr) : typed_cell(c.type, *found.front(), now));
    }
    return cells;
  };
}

}  // namespace ukube::apiextensions
