#include "common/table.h"

#include <boost/json.hpp>

#include "common/json.h"

namespace ukube::builtin {

PrinterColumn column(std::string name, std::string type, std::string description, int priority,
                     std::string json_path) {
  PrinterColumn c;
  c.name = std::move(name);
  c.type = std::move(type);
  c.description = std::move(description);
  c.priority = priority;
  c.json_path = std::move(json_path);
  return c;
}

PrinterColumn name_column() {
  PrinterColumn c =
      column("Name", "string", "Name of the object, unique within its namespace.", 0, ".metadata.name");
  c.format = "name";
  return c;
}

PrinterColumn age_column() {
  return column("Age", "string", "How long ago the object was created.", 0, ".metadata.creationTimestamp");
}

PrinterColumn created_at_column() {
  PrinterColumn c =
      column("Created At", "date", "When the object was created.", 0, ".metadata.creationTimestamp");
  return c;
}

TableRowFunc at_call_time(RowBuilder build) {
  return [build = std::move(build)](const json::object& o) { return build(o, Clock::now()); };
}

void use_name_age_table(TypeInfo& type) {
  type.printer_columns = {name_column(), age_column()};
  type.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return json::array{name_of(o), age_cell(o, now)};
  });
}

void use_name_created_at_table(TypeInfo& type) {
  type.printer_columns = {name_column(), created_at_column()};
  type.table_row = [](const json::object& o) { return json::array{name_of(o), created_at(o)}; };
}

std::string name_of(const json::object& o) {
  return string_at(o, {"metadata", "name"});
}

std::string or_none(std::string s) {
  return s.empty() ? "<none>" : s;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string created_at(const json::object& o) {
  auto t = parse_time(string_at(o, {"metadata", "creationTimestamp"}));
  return t ? format_time(*t) : std::string();
}

namespace {
std::string container_field(const json::object* spec, std::string_view field) {
  std::vector<std::string> out;
  if (spec)
    for_each_object(array_at(*spec, {"containers"}),
                    [&](const json::object& c, size_t) { out.push_back(string_at(c, {field})); });
  return join(out);
}
}  // namespace

std::string container_names(const json::object* spec) {
  return container_field(spec, "name");
}

std::string container_images(const json::object* spec) {
  return container_field(spec, "image");
}

}  // namespace ukube::builtin
