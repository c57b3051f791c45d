#include "kernel/pipeline/object_codec.h"

#include <algorithm>
#include <boost/json.hpp>

#include "ukube/errors.h"

namespace ukube::pipeline {
namespace {

constexpr std::string_view kRvMarker = "\"metadata\":{\"resourceVersion\":\"";

// Serializes straight into `out`: no temporary string per member (objects are written on
// every update, and the temporaries showed up as a good part of a write's allocations).
void append_serialized(std::string& out, boost::json::serializer& writer) {
  while (!writer.done()) {
    const size_t used = out.size();
    out.resize(std::max(out.capacity(), used + 256));
    out.resize(used + writer.read(out.data() + used, out.size() - used).size());
  }
}

void append_member(std::string& out, boost::json::serializer& writer, std::string_view key,
                   const boost::json::value& value) {
  writer.reset(boost::json::string_view(key.data(), key.size()));
  append_serialized(out, writer);
  out += ':';
  writer.reset(&value);
  append_serialized(out, writer);
}

}  // namespace

store::Bytes ObjectTemplate::stamp(int64_t revision) const {
  std::string digits = std::to_string(revision);
  std::string out;
  out.reserve(head.size() + digits.size() + tail.size());
  out.append(head).append(digits).append(tail);
  return store::make_bytes(std::move(out));
}

ObjectTemplate make_template(const boost::json::object& object) {
  ObjectTemplate t;
  boost::json::serializer writer;
  t.head = "{";
  for (const char* key : {"apiVersion", "kind"}) {
    if (auto* v = object.if_contains(key)) {
      append_member(t.head, writer, key, *v);
      t.head += ',';
    }
  }
  t.head += kRvMarker;
  t.tail.reserve(1024);
  t.tail = "\"";
  if (auto* meta = object.if_contains("metadata"); meta && meta->is_object()) {
    for (const auto& member : meta->get_object()) {
      if (member.key() == "resourceVersion") continue;
      t.tail += ',';
      append_member(t.tail, writer, member.key(), member.value());
    }
  }
  t.tail += '}';
  for (const auto& member : object) {
    if (member.key() == "apiVersion" || member.key() == "kind" || member.key() == "metadata") continue;
    t.tail += ',';
    append_member(t.tail, writer, member.key(), member.value());
  }
  t.tail += '}';
  return t;
}

store::Bytes restamp(const store::Bytes& encoded, int64_t revision) {
  const std::string& s = *encoded;
  auto at = s.find(kRvMarker);
  if (at != std::string::npos) {
    auto start = at + kRvMarker.size();
    auto end = s.find('"', start);
    if (end != std::string::npos) {
      std::string out;
      std::string digits = std::to_string(revision);
      out.reserve(s.size() + digits.size());
      out.append(s, 0, start).append(digits).append(s, end, std::string::npos);
      return store::make_bytes(std::move(out));
    }
  }
  // Not written by make_template (another backend's bytes): take the slow road.
  boost::json::object object = parse_object(s);
  return make_template(object).stamp(revision);
}

boost::json::object parse_object(std::string_view encoded) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(encoded, ec);
  if (ec || !v.is_object()) throw ApiError::internal("stored object is not a JSON object: " + ec.message());
  return std::move(v.get_object());
}

}  // namespace ukube::pipeline
