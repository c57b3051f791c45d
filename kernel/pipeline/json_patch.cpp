#include "kernel/pipeline/json_patch.h"

#include <charconv>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "ukube/errors.h"

namespace ukube::pipeline {

void apply_merge_patch(boost::json::value& target, const boost::json::value& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = boost::json::object{};
  auto& obj = target.get_object();
  for (const auto& member : patch.get_object()) {
    if (member.value().is_null()) {
      obj.erase(member.key());
    } else {
      apply_merge_patch(obj[member.key()], member.value());
    }
  }
}

namespace {

ApiError patch_failed(const std::string& why) {
  return ApiError(422, "Invalid", "the server rejected our request due to an error in our request: " + why);
}

std::vector<std::string> parse_pointer(const std::string& pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer[0] != '/')
    throw ApiError::bad_request("json patch: path \"" + pointer + "\" must start with /");
  size_t pos = 1;
  while (true) {
    size_t next = pointer.find('/', pos);
    std::string token = pointer.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    for (size_t i = 0; (i = token.find('~', i)) != std::string::npos; ++i) {
      if (i + 1 < token.size() && token[i + 1] == '1')
        token.replace(i, 2, "/");
      else if (i + 1 < token.size() && token[i + 1] == '0')
        token.replace(i, 2, "~");
      else
        throw ApiError::bad_request("json patch: bad escape in path \"" + pointer + "\"");
    }
    tokens.push_back(std::move(token));
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return tokens;
}

size_t array_index(const std::string& token, size_t size, bool allow_end, const std::string& path) {
  if (allow_end && token == "-") return size;
  if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos ||
      (token.size() > 1 && token[0] == '0'))
    throw patch_failed("invalid array index \"" + token + "\" in path \"" + path + "\"");
  size_t i = 0;
  // Digits beyond size_t are out of range too, not an overflow.
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), i);
  if (ec != std::errc() || end != token.data() + token.size() || i > size || (!allow_end && i == size))
    throw patch_failed("array index " + token + " out of range in \"" + path + "\"");
  return i;
}

// The container holding the pointer's last token.
boost::json::value& parent_of(boost::json::value& doc, const std::vector<std::string>& tokens,
                              const std::string& path) {
  boost::json::value* cur = &doc;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (auto* o = cur->if_object()) {
      auto* next = o->if_contains(tokens[i]);
      if (!next) throw patch_failed("path \"" + path + "\" does not exist");
      cur = next;
    } else if (auto* a = cur->if_array()) {
      cur = &(*a)[array_index(tokens[i], a->size(), false, path)];
    } else {
      throw patch_failed("path \"" + path + "\" does not exist");
    }
  }
  return *cur;
}

boost::json::value get_at(boost::json::value& doc, const std::string& path) {
  auto tokens = parse_pointer(path);
  if (tokens.empty()) return doc;
  auto& parent = parent_of(doc, tokens, path);
  if (auto* o = parent.if_object()) {
    if (auto* v = o->if_contains(tokens.back())) return *v;
  } else if (auto* a = parent.if_array()) {
    return (*a)[array_index(tokens.back(), a->size(), false, path)];
  }
  throw patch_failed("path \"" + path + "\" does not exist");
}

void add_at(boost::json::value& doc, const std::string& path, boost::json::value value) {
  auto tokens = parse_pointer(path);
  if (tokens.empty()) {
    doc = std::move(value);
    return;
  }
  auto& parent = parent_of(doc, tokens, path);
  if (auto* o = parent.if_object()) {
    (*o)[tokens.back()] = std::move(value);
  } else if (auto* a = parent.if_array()) {
    size_t i = array_index(tokens.back(), a->size(), true, path);
    a->insert(a->begin() + static_cast<std::ptrdiff_t>(i), std::move(value));
  } else {
    throw patch_failed("path \"" + path + "\" does not exist");
  }
}

void remove_at(boost::json::value& doc, const std::string& path) {
  auto tokens = parse_pointer(path);
  if (tokens.empty()) throw patch_failed("cannot remove the whole document");
  auto& parent = parent_of(doc, tokens, path);
  if (auto* o = parent.if_object()) {
    if (o->erase(tokens.back()) == 0) throw patch_failed("path \"" + path + "\" does not exist");
  } else if (auto* a = parent.if_array()) {
    a->erase(a->begin() + static_cast<std::ptrdiff_t>(array_index(tokens.back(), a->size(), false, path)));
  } else {
    throw patch_failed("path \"" + path + "\" does not exist");
  }
}

std::string member_string(const boost::json::object& op, const char* name, bool required) {
  auto* v = op.if_contains(name);
  if (!v || !v->is_string()) {
    if (!required) return {};
    throw ApiError::bad_request(std::string("json patch: operation is missing string field \"") + name +
                                "\"");
  }
  return std::string(v->get_string());
}

const boost::json::value& member_value(const boost::json::object& op) {
  auto* v = op.if_contains("value");
  if (!v)
    throw ApiError::bad_request("json patch: operation \"" + member_string(op, "op", true) +
                                "\" needs \"value\"");
  return *v;
}

}  // namespace

void apply_json_patch(boost::json::value& target, const boost::json::value& patch) {
  if (!patch.is_array())
    throw ApiError::bad_request("json patch: the body must be a JSON array of operations");
  for (const auto& item : patch.get_array()) {
    if (!item.is_object()) throw ApiError::bad_request("json patch: every operation must be a JSON object");
    const auto& op = item.get_object();
    std::string kind = member_string(op, "op", true);
    std::string path = member_string(op, "path", true);
    if (kind == "add") {
      add_at(target, path, member_value(op));
    } else if (kind == "remove") {
      remove_at(target, path);
    } else if (kind == "replace") {
      get_at(target, path);  // must exist
      if (path.empty()) {
        target = member_value(op);
        continue;
      }
      remove_at(target, path);
      add_at(target, path, member_value(op));
    } else if (kind == "move" || kind == "copy") {
      std::string from = member_string(op, "from", true);
      boost::json::value v = get_at(target, from);
      if (kind == "move") remove_at(target, from);
      add_at(target, path, std::move(v));
    } else if (kind == "test") {
      if (get_at(target, path) != member_value(op))
        throw patch_failed("test operation failed at \"" + path + "\"");
    } else {
      throw ApiError::bad_request("json patch: unknown operation \"" + kind + "\"");
    }
  }
}

}  // namespace ukube::pipeline
