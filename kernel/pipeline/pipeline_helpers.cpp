#include "kernel/pipeline/pipeline_helpers.h"

#include <boost/json.hpp>
#include <charconv>
#include <string>

#include "kernel/pipeline/object_meta.h"
#include "ukube/errors.h"

namespace ukube::pipeline {

int64_t parse_revision(std::string_view text, const char* what) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0)
    throw ApiError::bad_request(std::string("invalid ") + what + ": \"" + std::string(text) +
                                "\" is not a resourceVersion this server issued");
  return value;
}

boost::json::value parse_body(std::string_view body, const char* what) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) throw ApiError::bad_request(std::string(what) + " is not valid JSON: " + ec.message());
  return v;
}

void set_type_meta(boost::json::object& object, const TypeInfo& type) {
  auto check = [&](const char* field, const std::string& want) {
    auto* v = object.if_contains(field);
    if (v && v->is_string() && !v->get_string().empty() && v->get_string() != want)
      throw ApiError::bad_request(std::string(field) + " \"" + std::string(v->get_string()) +
                                  "\" does not match the resource it was sent to (expected \"" + want +
                                  "\")");
  };
  check("kind", type.kind);
  check("apiVersion", type.api_version());
  object["apiVersion"] = type.api_version();
  object["kind"] = type.kind;
}

bool has_finalizers(const boost::json::object& object) {
  const auto* meta = metadata(object);
  if (!meta) return false;
  auto* f = meta->if_contains("finalizers");
  return f && f->is_array() && !f->get_array().empty();
}

int64_t generation_of(const boost::json::object& object) {
  const auto* meta = metadata(object);
  auto* g = meta ? meta->if_contains("generation") : nullptr;
  return g && g->is_int64() ? g->get_int64() : 0;
}

bool is_terminating(const boost::json::object& object) {
  return !meta_string(object, "deletionTimestamp").empty();
}

void keep_member(const boost::json::object& from, boost::json::object& to, std::string_view key) {
  if (const auto* v = from.if_contains(key); v && !v->is_null())
    to[key] = *v;
  else
    to.erase(key);
}

}  // namespace ukube::pipeline
