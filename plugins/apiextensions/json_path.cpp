#include "json_path.h"

#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <optional>

#include "ukube/machinery/json.h"

namespace ukube::apiextensions {

namespace json = boost::json;

// A filter compares a path under the item with a literal, or only asks that it exists.
struct Filter {
  std::vector<JsonPath::Step> operand;
  std::string op;  // "" for existence
  json::value literal;
};

struct JsonPath::Step {
  enum class Kind { Field, Index, Wildcard, Recursive, Filter } kind = Kind::Field;
  std::string name;
  long index = 0;
  std::shared_ptr<Filter> filter;
};

namespace {

using Step = JsonPath::Step;

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  std::vector<Step> steps(bool in_filter) {
    std::vector<Step> out;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (in_filter && (c == ' ' || c == '=' || c == '!' || c == '<' || c == '>' || c == ')')) break;
      if (c == '.') {
        ++i_;
        if (i_ < s_.size() && s_[i_] == '.') {
          ++i_;
          out.push_back({Step::Kind::Recursive, {}, 0, nullptr});
        }
        if (i_ < s_.size() && s_[i_] == '*') {
          ++i_;
          out.push_back({Step::Kind::Wildcard, {}, 0, nullptr});
          continue;
        }
        std::string name = identifier();
        if (name.empty()) {
          if (i_ >= s_.size() || s_[i_] == '[') continue;  // "." alone or "..[": the current node
          fail("expected a field name");
        }
        out.push_back({Step::Kind::Field, std::move(name), 0, nullptr});
      } else if (c == '[') {
        out.push_back(bracket());
      } else {
        fail(std::string("unexpected '") + c + "'");
      }
    }
    return out;
  }

  void expect_end() {
    if (i_ != s_.size()) fail("unexpected text");
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw JsonPathError(why + " at position " + std::to_string(i_) + " of " + std::string(s_));
  }

  std::string identifier() {
    size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' ||
                              s_[i_] == '-' || s_[i_] == '/' || s_[i_] == '$'))
      ++i_;
    return std::string(s_.substr(start, i_ - start));
  }

  void skip_spaces() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }

  std::string quoted() {
    char quote = s_[i_++];
    std::string out;
    while (i_ < s_.size() && s_[i_] != quote) {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
      out.push_back(s_[i_++]);
    }
    if (i_ >= s_.size()) fail("unterminated string");
    ++i_;
    return out;
  }

  Step bracket() {
    ++i_;  // '['
    skip_spaces();
    if (i_ >= s_.size()) fail("unterminated [");
    Step step;
    if (s_[i_] == '*') {
      ++i_;
      step.kind = Step::Kind::Wildcard;
    } else if (s_[i_] == '\'' || s_[i_] == '"') {
      step.kind = Step::Kind::Field;
      step.name = quoted();
    } else if (s_[i_] == '?') {
      ++i_;
      skip_spaces();
      if (i_ >= s_.size() || s_[i_] != '(') fail("expected ( after ?");
      ++i_;
      skip_spaces();
      if (i_ >= s_.size() || s_[i_] != '@') fail("a filter starts with @");
      ++i_;
      auto filter = std::make_shared<Filter>();
      filter->operand = steps(true);
      skip_spaces();
      if (i_ < s_.size() && s_[i_] != ')') {
        size_t start = i_;
        while (i_ < s_.size() && (s_[i_] == '=' || s_[i_] == '!' || s_[i_] == '<' || s_[i_] == '>')) ++i_;
        filter->op = std::string(s_.substr(start, i_ - start));
        if (filter->op != "==" && filter->op != "!=" && filter->op != "<" && filter->op != ">" &&
            filter->op != "<=" && filter->op != ">=")
          fail("unknown operator " + filter->op);
        skip_spaces();
        filter->literal = literal();
        skip_spaces();
      }
      if (i_ >= s_.size() || s_[i_] != ')') fail("expected ) to end the filter");
      ++i_;
      step.kind = Step::Kind::Filter;
      step.filter = std::move(filter);
    } else {
      size_t start = i_;
      if (s_[i_] == '-') ++i_;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      long index = 0;
      auto [end, ec] = std::from_chars(s_.data() + start, s_.data() + i_, index);
      if (ec != std::errc() || end != s_.data() + i_) fail("expected an index");
      step.kind = Step::Kind::Index;
      step.index = index;
    }
    skip_spaces();
    if (i_ >= s_.size() || s_[i_] != ']') fail("expected ]");
    ++i_;
    return step;
  }

  json::value literal() {
    if (i_ < s_.size() && (s_[i_] == '\'' || s_[i_] == '"')) return json::value(quoted());
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ')' && s_[i_] != ' ') ++i_;
    std::string_view text = s_.substr(start, i_ - start);
    if (text == "true") return true;
    if (text == "false") return false;
    double d = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) fail("expected a literal");
    return d;
  }

  std::string_view s_;
  size_t i_ = 0;
};

void walk(const std::vector<Step>& steps, size_t at, const json::value& v,
          std::vector<const json::value*>& out);

using machinery::as_number;

bool compare(const json::value& a, const std::string& op, const json::value& b) {
  auto na = as_number(a), nb = as_number(b);
  if (na && nb) {
    if (op == "==") return *na == *nb;
    if (op == "!=") return *na != *nb;
    if (op == "<") return *na < *nb;
    if (op == ">") return *na > *nb;
    if (op == "<=") return *na <= *nb;
    return *na >= *nb;
  }
  if (op == "==") return a == b;
  if (op == "!=") return a != b;
  if (a.is_string() && b.is_string()) {
    const auto& x = a.get_string();
    const auto& y = b.get_string();
    if (op == "<") return x < y;
    if (op == ">") return x > y;
    if (op == "<=") return x <= y;
    return x >= y;
  }
  return false;
}

bool keep(const Filter& f, const json::value& item) {
  std::vector<const json::value*> found;
  walk(f.operand, 0, item, found);
  if (f.op.empty()) return !found.empty();
  for (const auto* v : found)
    if (compare(*v, f.op, f.literal)) return true;
  return false;
}

void descend_all(const std::vector<Step>& steps, size_t at, const json::value& v,
                 std::vector<const json::value*>& out) {
  walk(steps, at, v, out);
  if (const auto* o = v.if_object())
    for (const auto& m : *o) descend_all(steps, at, m.value(), out);
  else if (const auto* a = v.if_array())
    for (const auto& item : *a) descend_all(steps, at, item, out);
}

void walk(const std::vector<Step>& steps, size_t at, const json::value& v,
          std::vector<const json::value*>& out) {
  if (at == steps.size()) {
    out.push_back(&v);
    return;
  }
  const Step& step = steps[at];
  switch (step.kind) {
    case Step::Kind::Field:
      if (const auto* o = v.if_object())
        if (const auto* m = o->if_contains(step.name)) walk(steps, at + 1, *m, out);
      break;
    case Step::Kind::Index:
      if (const auto* a = v.if_array()) {
        long i = step.index < 0 ? static_cast<long>(a->size()) + step.index : step.index;
        if (i >= 0 && static_cast<size_t>(i) < a->size())
          walk(steps, at + 1, (*a)[static_cast<size_t>(i)], out);
      }
      break;
    case Step::Kind::Wildcard:
      if (const auto* a = v.if_array())
        for (const auto& item : *a) walk(steps, at + 1, item, out);
      else if (const auto* o = v.if_object())
        for (const auto& m : *o) walk(steps, at + 1, m.value(), out);
      break;
    case Step::Kind::Recursive: descend_all(steps, at + 1, v, out); break;
    case Step::Kind::Filter:
      if (const auto* a = v.if_array())
        for (const auto& item : *a)
          if (keep(*step.filter, item)) walk(steps, at + 1, item, out);
      break;
  }
}

// As walk(), from an object held outside any json::value (a stored object, not copied).
void walk_object(const std::vector<Step>& steps, size_t at, const json::object& o,
                 std::vector<const json::value*>& out) {
  if (at == steps.size()) return;  // the root itself is no json::value to point at
  const Step& step = steps[at];
  switch (step.kind) {
    case Step::Kind::Field:
      if (const auto* m = o.if_contains(step.name)) walk(steps, at + 1, *m, out);
      break;
    case Step::Kind::Wildcard:
      for (const auto& m : o) walk(steps, at + 1, m.value(), out);
      break;
    case Step::Kind::Recursive:
      walk_object(steps, at + 1, o, out);
      for (const auto& m : o) descend_all(steps, at + 1, m.value(), out);
      break;
    case Step::Kind::Index:
    case Step::Kind::Filter: break;  // an object has no items
  }
}

}  // namespace

JsonPath JsonPath::parse(std::string_view text) {
  if (text.size() >= 2 && text.front() == '{' && text.back() == '}') text = text.substr(1, text.size() - 2);
  if (text.empty()) throw JsonPathError("the path is empty");
  if (text.front() != '.' && text.front() != '[')
    throw JsonPathError("the path must start with . or [: " + std::string(text));
  Parser parser(text);
  JsonPath path;
  path.steps_ = std::make_shared<const std::vector<Step>>(parser.steps(false));
  parser.expect_end();
  return path;
}

std::vector<const json::value*> JsonPath::find(const json::value& root) const {
  std::vector<const json::value*> out;
  if (steps_) walk(*steps_, 0, root, out);
  return out;
}

std::vector<const json::value*> JsonPath::find(const json::object& root) const {
  std::vector<const json::value*> out;
  if (steps_) walk_object(*steps_, 0, root, out);
  return out;
}

}  // namespace ukube::apiextensions
