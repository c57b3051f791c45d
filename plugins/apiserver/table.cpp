#include "table.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <ctime>

#include "encode.h"
#include "ukube/errors.h"

namespace ukube::apiserver {
namespace {

using std::chrono::system_clock;

PrinterColumn name_column() {
  return {
      "Name",
      "string",
      "name",
      "Name must be unique within a namespace. Is required when creating resources, although some resources "
      "may allow a client to request the generation of an appropriate name automatically.",
      0,
      ".metadata.name"};
}

PrinterColumn age_column() {
  return {
      "Age", "date",
      "",    "CreationTimestamp is a timestamp representing the server time when this object was created.",
      0,     ".metadata.creationTimestamp"};
}

bool is_name_column(const PrinterColumn& c) {
  std::string lower;
  for (char ch : c.name) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  return lower == "name";
}

boost::json::value render_cell(const PrinterColumn& column, const boost::json::value* v,
                               system_clock::time_point now) {
  if (!v || v->is_null()) return nullptr;
  if (column.type == "date") {
    if (!v->is_string()) return nullptr;
    auto when = parse_timestamp(v->get_string());
    if (!when) return v->get_string();
    return boost::json::string(human_duration(std::chrono::duration_cast<std::chrono::seconds>(now - *when)));
  }
  if (column.type == "integer" || column.type == "number" || column.type == "boolean") return *v;
  if (v->is_string()) return *v;
  return boost::json::string(boost::json::serialize(*v));
}

int digits(std::string_view s, size_t at, size_t n) {
  int out = 0;
  if (at + n > s.size()) return -1;
  auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + n, out);
  return ec == std::errc() && end == s.data() + at + n ? out : -1;
}

boost::json::object parse_stored(const store::Bytes& bytes) {
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(*bytes, ec);
  if (ec || !doc.is_object()) throw ApiError::internal("stored object is not a JSON object");
  return std::move(doc.get_object());
}

std::string partial_from(const boost::json::object& object) {
  const auto* meta = object.if_contains("metadata");
  return "{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":" +
         (meta ? boost::json::serialize(*meta) : std::string("{}")) + "}";
}

}  // namespace

std::string partial_object_metadata(const store::Bytes& object) {
  return partial_from(parse_stored(object));
}

std::string resource_version_of(const store::Bytes& object) {
  boost::json::object o = parse_stored(object);
  const auto* meta = o.if_contains("metadata");
  const auto* rv = meta && meta->is_object() ? meta->get_object().if_contains("resourceVersion") : nullptr;
  return rv && rv->is_string() ? std::string(rv->get_string()) : std::string();
}

IncludeObject parse_include_object(const std::string& value) {
  if (value.empty() || value == "Metadata") return IncludeObject::Metadata;
  if (value == "Object") return IncludeObject::Object;
  if (value == "None") return IncludeObject::None;
  throw ApiError::bad_request("includeObject: Unsupported value: \"" + value +
                              "\": supported values: \"None\", \"Metadata\", \"Object\"");
}

std::string human_duration(std::chrono::seconds age) {
  using std::to_string;
  const int64_t s = age.count();
  // Clocks a second or so apart still read as "just now".
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return to_string(s) + "s";
  const int64_t minutes = s / 60;
  if (minutes < 10) return to_string(minutes) + "m" + (s % 60 ? to_string(s % 60) + "s" : "");
  if (minutes < 180) return to_string(minutes) + "m";
  const int64_t hours = s / 3600;
  if (hours < 8) return to_string(hours) + "h" + (minutes % 60 ? to_string(minutes % 60) + "m" : "");
  if (hours < 48) return to_string(hours) + "h";
  const int64_t days = hours / 24;
  if (hours < 24 * 8) return to_string(days) + "d" + (hours % 24 ? to_string(hours % 24) + "h" : "");
  if (hours < 24 * 365 * 2) return to_string(days) + "d";
  if (hours < 24 * 365 * 8)
    return to_string(days / 365) + "y" + (days % 365 ? to_string(days % 365) + "d" : "");
  return to_string(days / 365) + "y";
}

std::optional<system_clock::time_point> parse_timestamp(std::string_view t) {
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') || t[13] != ':' ||
      t[16] != ':')
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = digits(t, 0, 4) - 1900;
  tm.tm_mon = digits(t, 5, 2) - 1;
  tm.tm_mday = digits(t, 8, 2);
  tm.tm_hour = digits(t, 11, 2);
  tm.tm_min = digits(t, 14, 2);
  tm.tm_sec = digits(t, 17, 2);
  if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mday < 0 || tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0)
    return std::nullopt;
  size_t at = 19;
  while (at < t.size() && (t[at] == '.' || std::isdigit(static_cast<unsigned char>(t[at])))) ++at;
  int64_t offset = 0;
  if (at < t.size() && (t[at] == '+' || t[at] == '-')) {
    int h = digits(t, at + 1, 2), m = digits(t, at + 4, 2);
    if (h < 0 || m < 0) return std::nullopt;
    offset = (t[at] == '+' ? 1 : -1) * (h * 3600 + m * 60);
  } else if (at >= t.size() || (t[at] != 'Z' && t[at] != 'z')) {
    return std::nullopt;
  }
  return system_clock::from_time_t(timegm(&tm) - offset);
}

const boost::json::value* evaluate_path(const boost::json::object& object, std::string_view path) {
  if (path.size() >= 2 && path.front() == '{' && path.back() == '}') path = path.substr(1, path.size() - 2);
  if (path.empty() || path.front() != '.') return nullptr;
  const boost::json::value* current = nullptr;  // null while still at `object` itself
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t end = std::min(path.find_first_of(".[", i + 1), path.size());
      std::string_view field = path.substr(i + 1, end - i - 1);
      const boost::json::object* from = current ? current->if_object() : &object;
      if (field.empty() || !from) return nullptr;
      current = from->if_contains(field);
      if (!current) return nullptr;
      i = end;
    } else if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string_view::npos || !current || !current->is_array()) return nullptr;
      size_t index = 0;
      auto [p, ec] = std::from_chars(path.data() + i + 1, path.data() + close, index);
      if (ec != std::errc() || p != path.data() + close) return nullptr;
      const auto& array = current->get_array();
      if (index >= array.size()) return nullptr;
      current = &array[index];
      i = close + 1;
    } else {
      return nullptr;
    }
  }
  return current;
}

TableBuilder::TableBuilder(const TypeInfo& type, IncludeObject include, system_clock::time_point now)
    : type_(type), include_(include), now_(now) {
  generic_ = !type.table_row;
  if (type.printer_columns.empty()) {
    columns_ = {name_column(), age_column()};
    generic_ = true;
  } else {
    columns_ = type.printer_columns;
    if (generic_ && !is_name_column(columns_.front())) columns_.insert(columns_.begin(), name_column());
  }
  columns_.front().format = "name";
  for (auto& c : columns_)
    if (c.type.empty()) c.type = "string";
}

std::string TableBuilder::columns_json() const {
  boost::json::array out;
  for (const auto& c : columns_)
    out.push_back(boost::json::object{{"name", c.name},
                                      {"type", c.type},
                                      {"format", c.format},
                                      {"description", c.description},
                                      {"priority", c.priority}});
  return boost::json::serialize(out);
}

boost::json::array TableBuilder::cells(const boost::json::object& object) const {
  if (!generic_) {
    try {
      return type_.table_row(object);
    } catch (const std::exception&) {
      // A row function that trips over an odd object must not fail the whole listing;
      // the generic cells are still useful.
    }
  }
  boost::json::array out;
  for (const auto& c : columns_) {
    const boost::json::value* v = c.json_path.empty() ? nullptr : evaluate_path(object, c.json_path);
    out.push_back(render_cell(c, v, now_));
  }
  return out;
}

std::string TableBuilder::row_json(const store::Bytes& bytes) const {
  const boost::json::object object = parse_stored(bytes);
  std::string row = "{\"cells\":" + boost::json::serialize(cells(object));
  switch (include_) {
    case IncludeObject::None: break;
    case IncludeObject::Metadata: row += ",\"object\":" + partial_from(object); break;
    case IncludeObject::Object: row += ",\"object\":" + *bytes; break;
  }
  return row + "}";
}

std::string TableBuilder::table_json(const std::vector<store::Bytes>& objects,
                                     const std::string& metadata_json, bool with_columns) const {
  std::string out = "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":" + metadata_json;
  if (with_columns) out += ",\"columnDefinitions\":" + columns_json();
  out += ",\"rows\":[";
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i) out += ',';
    out += row_json(objects[i]);
  }
  return out + "]}";
}

}  // namespace ukube::apiserver
