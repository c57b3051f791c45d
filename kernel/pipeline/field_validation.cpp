#include "kernel/pipeline/field_validation.h"

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <set>

#include "ukube/errors.h"

namespace ukube::pipeline {
namespace {

namespace json = boost::json;

std::string join(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out = path;
  out.push_back('.');
  out.append(key);
  return out;
}

void prune(json::value& value, SchemaView schema, const std::string& path, bool root,
           std::vector<std::string>& unknown) {
  if (!schema.known()) return;
  if (auto* object = value.if_object()) {
    const bool closed = schema.closed();
    std::vector<std::string> drop;
    for (auto& member : *object) {
      std::string_view key(member.key().data(), member.key().size());
      bool always_known = root && (key == "apiVersion" || key == "kind" || key == "metadata");
      if (closed && !always_known && !schema.allows(key)) {
        unknown.push_back(join(path, key));
        drop.emplace_back(key);
        continue;
      }
      prune(member.value(), schema.field(key), join(path, key), false, unknown);
    }
    for (const auto& key : drop) object->erase(key);
  } else if (auto* array = value.if_array()) {
    SchemaView items = schema.items();
    for (size_t i = 0; i < array->size(); ++i)
      prune((*array)[i], items, path + "[" + std::to_string(i) + "]", false, unknown);
  }
}

// A SAX handler for Boost.JSON's basic_parser that notes repeated member names.
class DuplicateFinder {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  std::vector<std::string> found;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    value_begins();
    frames_.push_back({true, {}, {}, 0});
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    frames_.pop_back();
    return true;
  }
  bool on_array_begin(json::error_code&) {
    value_begins();
    frames_.push_back({false, {}, {}, 0});
    return true;
  }
  bool on_array_end(std::size_t, json::error_code&) {
    frames_.pop_back();
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    Frame& top = frames_.back();
    top.key = std::move(key_);
    key_.clear();
    if (!top.seen.insert(top.key).second) found.push_back(path());
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return scalar(); }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(int64_t, json::string_view, json::error_code&) { return scalar(); }
  bool on_uint64(uint64_t, json::string_view, json::error_code&) { return scalar(); }
  bool on_double(double, json::string_view, json::error_code&) { return scalar(); }
  bool on_bool(bool, json::error_code&) { return scalar(); }
  bool on_null(json::error_code&) { return scalar(); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  struct Frame {
    bool object;
    std::set<std::string> seen;
    std::string key;
    size_t next_index;
  };

  bool scalar() {
    value_begins();
    return true;
  }
  // Array elements are numbered as they start, so paths name the element being read.
  void value_begins() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().next_index;
  }
  std::string path() const {
    std::string out;
    for (const auto& f : frames_) {
      if (f.object) {
        out = join(out, f.key);
      } else {
        out += "[" + std::to_string(f.next_index - 1) + "]";
      }
    }
    return out;
  }

  std::vector<Frame> frames_;
  std::string key_;
};

}  // namespace

std::vector<std::string> prune_unknown_fields(json::object& object, SchemaView schema) {
  std::vector<std::string> unknown;
  json::value v(std::move(object));
  prune(v, schema, "", true, unknown);
  object = std::move(v.get_object());
  return unknown;
}

std::vector<std::string> duplicate_fields(std::string_view text) {
  json::basic_parser<DuplicateFinder> parser{json::parse_options{}};
  json::error_code ec;
  parser.write_some(false, text.data(), text.size(), ec);
  if (ec) return {};
  return std::move(parser.handler().found);
}

void FieldProblems::add_unknown(const std::vector<std::string>& paths) {
  for (const auto& p : paths) messages.push_back("unknown field \"" + p + "\"");
}

void FieldProblems::add_duplicates(const std::vector<std::string>& paths) {
  for (const auto& p : paths) messages.push_back("duplicate field \"" + p + "\"");
}

void report_field_problems(const FieldProblems& problems, const WriteOptions& options,
                           const std::string& prefix) {
  if (problems.empty()) return;
  switch (options.field_validation) {
    case FieldValidation::Ignore: return;
    case FieldValidation::Warn:
      if (options.warnings)
        options.warnings->insert(options.warnings->end(), problems.messages.begin(), problems.messages.end());
      return;
    case FieldValidation::Strict: {
      std::string message = prefix + "strict decoding error: ";
      for (size_t i = 0; i < problems.messages.size(); ++i) {
        if (i) message += ", ";
        message += problems.messages[i];
      }
      throw ApiError::bad_request(message);
    }
  }
}

}  // namespace ukube::pipeline
