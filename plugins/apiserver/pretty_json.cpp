#include "pretty_json.h"

#include "request_options.h"

namespace ukube::apiserver {

bool wants_pretty(const std::string* pretty, std::string_view user_agent) {
  // An empty value counts as no parameter; a value Go cannot read as a boolean as false.
  if (pretty && !pretty->empty()) return go_bool(*pretty).value_or(false);
  return user_agent.starts_with("curl") || user_agent.starts_with("Wget") ||
         user_agent.starts_with("Mozilla/5.0");
}

std::string indent_json(std::string_view json) {
  std::string out;
  out.reserve(json.size() + json.size() / 2);
  size_t depth = 0;
  bool opened = false;  // just after { or [: the line break waits for the next token
  auto new_line = [&] {
    out += '\n';
    out.append(2 * depth, ' ');
  };
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (opened && c != '}' && c != ']') {
      opened = false;
      new_line();
    }
    switch (c) {
      case '{':
      case '[':
        out += c;
        ++depth;
        opened = true;
        break;
      case '}':
      case ']':
        if (depth > 0) --depth;
        if (opened)
          opened = false;
        else
          new_line();
        out += c;
        break;
      case ',':
        out += c;
        new_line();
        break;
      case ':': out += ": "; break;
      case '"': {
        // Copied whole, escapes included.
        size_t end = i + 1;
        while (end < json.size() && json[end] != '"') end += json[end] == '\\' ? 2 : 1;
        out.append(json.substr(i, end + 1 - i));
        i = end;
        break;
      }
      default: out += c;
    }
  }
  return out;
}

}  // namespace ukube::apiserver
