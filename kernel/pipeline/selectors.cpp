#include "kernel/pipeline/selectors.h"

#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>

#include "ukube/errors.h"

namespace ukube::pipeline {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits on commas that are not inside parentheses.
std::vector<std::string_view> split_terms(std::string_view text) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      out.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    } else if (text[i] == '(') {
      ++depth;
    } else if (text[i] == ')') {
      --depth;
    }
  }
  return out;
}

bool valid_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
}

ApiError selector_error(std::string_view text, const std::string& why) {
  return ApiError::bad_request("unable to parse requirement: " + why + " in label selector \"" +
                               std::string(text) + "\"");
}

std::string read_key(std::string_view& s, std::string_view whole) {
  size_t n = 0;
  while (n < s.size() && valid_key_char(s[n])) ++n;
  if (n == 0)
    throw selector_error(whole, "found '" + std::string(s.substr(0, 1)) + "', expected: identifier");
  std::string key(s.substr(0, n));
  s = trim(s.substr(n));
  return key;
}

const std::string* label_of(const boost::json::object& object, const std::string& key, std::string& scratch) {
  auto* meta = object.if_contains("metadata");
  if (!meta || !meta->is_object()) return nullptr;
  auto* labels = meta->get_object().if_contains("labels");
  if (!labels || !labels->is_object()) return nullptr;
  auto* v = labels->get_object().if_contains(key);
  if (!v || !v->is_string()) return nullptr;
  scratch.assign(v->get_string().data(), v->get_string().size());
  return &scratch;
}

std::string string_at(const boost::json::object& object, std::initializer_list<const char*> path) {
  const boost::json::object* o = &object;
  const boost::json::value* v = nullptr;
  for (const char* part : path) {
    if (!o) return {};
    v = o->if_contains(part);
    if (!v) return {};
    o = v->if_object();
  }
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

LabelSelector LabelSelector::parse(std::string_view text) {
  LabelSelector sel;
  text = trim(text);
  if (text.empty()) return sel;
  for (std::string_view term : split_terms(text)) {
    if (term.empty()) throw selector_error(text, "empty requirement");
    Requirement r;
    if (term.front() == '!') {
      term = trim(term.substr(1));
      r.key = read_key(term, text);
      r.op = Op::NotExists;
      if (!term.empty()) throw selector_error(text, "unexpected '" + std::string(term) + "' after !" + r.key);
      sel.requirements_.push_back(std::move(r));
      continue;
    }
    r.key = read_key(term, text);
    if (term.empty()) {
      r.op = Op::Exists;
    } else if (term.starts_with("==") || term.starts_with("!=") || term.starts_with("=")) {
      r.op = term.starts_with("!=") ? Op::NotEquals : Op::Equals;
      term = trim(term.substr(term.starts_with("=") && !term.starts_with("==") ? 1 : 2));
      for (char c : term)
        if (!valid_key_char(c)) throw selector_error(text, "invalid value '" + std::string(term) + "'");
      r.values.emplace_back(term);
    } else if (term.starts_with(">") || term.starts_with("<")) {
      r.op = term.front() == '>' ? Op::GreaterThan : Op::LessThan;
      term = trim(term.substr(1));
      char* end = nullptr;
      std::string number(term);
      std::strtoll(number.c_str(), &end, 10);
      if (number.empty() || *end)
        throw selector_error(text, "for 'gt', 'lt' operators, the value must be an integer");
      r.values.push_back(number);
    } else if (term.starts_with("in ") || term.starts_with("in(") || term.starts_with("notin ") ||
               term.starts_with("notin(")) {
      r.op = term.starts_with("in") ? Op::In : Op::NotIn;
      term = trim(term.substr(r.op == Op::In ? 2 : 5));
      if (term.size() < 2 || term.front() != '(' || term.back() != ')')
        throw selector_error(text, "found '" + std::string(term) + "', expected: '('...')'");
      for (std::string_view v : split_terms(term.substr(1, term.size() - 2))) r.values.emplace_back(v);
    } else {
      throw selector_error(text, "found '" + std::string(term) + "', expected: in, notin, =, ==, !=, gt, lt");
    }
    sel.requirements_.push_back(std::move(r));
  }
  return sel;
}

bool LabelSelector::matches(const boost::json::object& object) const {
  std::string scratch;
  for (const auto& r : requirements_) {
    const std::string* v = label_of(object, r.key, scratch);
    auto in_values = [&] { return v && std::find(r.values.begin(), r.values.end(), *v) != r.values.end(); };
    switch (r.op) {
      case Op::Exists:
        if (!v) return false;
        break;
      case Op::NotExists:
        if (v) return false;
        break;
      case Op::Equals:
      case Op::In:
        if (!in_values()) return false;
        break;
      case Op::NotEquals:
      case Op::NotIn:
        if (in_values()) return false;
        break;
      case Op::GreaterThan:
      case Op::LessThan: {
        if (!v) return false;
        char* end = nullptr;
        long long have = std::strtoll(v->c_str(), &end, 10);
        if (v->empty() || *end) return false;
        long long want = std::strtoll(r.values[0].c_str(), nullptr, 10);
        if (r.op == Op::GreaterThan ? !(have > want) : !(have < want)) return false;
        break;
      }
    }
  }
  return true;
}

FieldSelector FieldSelector::parse(std::string_view text, const TypeInfo& type) {
  FieldSelector sel;
  text = trim(text);
  if (text.empty()) return sel;
  for (std::string_view term : split_terms(text)) {
    Term t;
    size_t op = term.find_first_of("!=");
    if (op == std::string_view::npos || op == 0)
      throw ApiError::bad_request("invalid field selector: '" + std::string(term) +
                                  "': expected field=value or field!=value");
    t.field = std::string(trim(term.substr(0, op)));
    t.equals = term[op] != '!';
    size_t value_at =
        term.substr(op).starts_with("==") || term.substr(op).starts_with("!=") ? op + 2 : op + 1;
    t.value = std::string(trim(term.substr(value_at)));
    if (t.field == "metadata.name") {
      t.get = [](const boost::json::object& o) { return string_at(o, {"metadata", "name"}); };
    } else if (t.field == "metadata.namespace") {
      t.get = [](const boost::json::object& o) { return string_at(o, {"metadata", "namespace"}); };
    } else {
      for (const auto& f : type.selectable_fields)
        if (f.name == t.field) t.get = f.get;
    }
    if (!t.get) {
      std::string known = "\"metadata.name\", \"metadata.namespace\"";
      for (const auto& f : type.selectable_fields) known += ", \"" + f.name + "\"";
      throw ApiError::bad_request("\"" + t.field + "\" is not a known field selector: only " + known);
    }
    sel.terms_.push_back(std::move(t));
  }
  return sel;
}

bool FieldSelector::matches(const boost::json::object& object) const {
  for (const auto& t : terms_)
    if ((t.get(object) == t.value) != t.equals) return false;
  return true;
}

}  // namespace ukube::pipeline
