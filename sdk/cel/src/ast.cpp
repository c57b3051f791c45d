#include <charconv>
#include <cstdio>
#include <string>

#include "ukube/cel/ast.h"

namespace ukube::cel {
namespace {

std::string quoted(const std::string& s, const char* prefix) {
  std::string out = std::string(prefix) + "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        // Control characters, and in bytes every non-ASCII byte, print escaped.
        if (c < 0x20 || (c >= 0x80 && prefix[0] == 'b')) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

std::string literal_text(const Literal& l) {
  struct Print {
    std::string operator()(Null) const { return "null"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(uint64_t u) const { return std::to_string(u) + "u"; }
    std::string operator()(double d) const {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
      std::string text(buf, end);
      if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
      return text;
    }
    std::string operator()(const std::string& s) const { return quoted(s, ""); }
    std::string operator()(const Bytes& b) const { return quoted(b.data, "b"); }
  };
  return std::visit(Print{}, l);
}

std::string joined(const std::vector<ExprPtr>& list) {
  std::string out;
  for (size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + to_string(*list[i]);
  return out;
}

// Operators print in their usual spelling; the name tells their shape.
std::string call_text(const Expr& e) {
  const std::string& n = e.name;
  if (!e.operand && e.args.size() == 2 && n.size() > 2 && n.front() == '_' && n.back() == '_' &&
      n.find('[') == std::string::npos && n != "_?_:_")
    return "(" + to_string(*e.args[0]) + " " + n.substr(1, n.size() - 2) + " " + to_string(*e.args[1]) + ")";
  if (n == "@in") return "(" + to_string(*e.args[0]) + " in " + to_string(*e.args[1]) + ")";
  if (n == "_?_:_")
    return "(" + to_string(*e.args[0]) + " ? " + to_string(*e.args[1]) + " : " + to_string(*e.args[2]) + ")";
  if (n == "_[_]") return to_string(*e.args[0]) + "[" + to_string(*e.args[1]) + "]";
  if (n == "_[?_]") return to_string(*e.args[0]) + "[?" + to_string(*e.args[1]) + "]";
  if (n == "!_") return "!" + to_string(*e.args[0]);
  if (n == "-_") return "-" + to_string(*e.args[0]);
  return (e.operand ? to_string(*e.operand) + "." : "") + n + "(" + joined(e.args) + ")";
}

}  // namespace

std::string to_string(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Literal: return literal_text(e.literal);
    case Expr::Kind::Ident: return e.name;
    case Expr::Kind::Select: {
      std::string s = to_string(*e.operand) + (e.optional ? ".?" : ".") + e.name;
      return e.test_only ? "has(" + s + ")" : s;
    }
    case Expr::Kind::Call: return call_text(e);
    case Expr::Kind::List: {
      std::string out = "[";
      for (size_t i = 0; i < e.args.size(); ++i) {
        bool optional = false;
        for (size_t at : e.optional_elements) optional = optional || at == i;
        out += (i ? ", " : "") + std::string(optional ? "?" : "") + to_string(*e.args[i]);
      }
      return out + "]";
    }
    case Expr::Kind::Map: {
      std::string out = "{";
      for (size_t i = 0; i < e.entries.size(); ++i)
        out += (i ? ", " : "") + std::string(e.entries[i].optional ? "?" : "") +
               to_string(*e.entries[i].key) + ": " + to_string(*e.entries[i].value);
      return out + "}";
    }
    case Expr::Kind::Comprehension:
      return to_string(*e.operand) + "." + e.name + "(" + e.iter_var + ", " + joined(e.args) + ")";
  }
  return {};
}

}  // namespace ukube::cel
