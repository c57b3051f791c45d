// Recursive descent over CEL's grammar (cel-spec langdef):
//   Expr = ConditionalOr ["?" ConditionalOr ":" Expr]
//   ConditionalOr = [ConditionalOr "||"] ConditionalAnd ; ConditionalAnd likewise with "&&"
//   Relation = [Relation Relop] Addition ; Addition, Multiplication ; Unary = {"!"|"-"} Member
//   Member = Primary | Member "." SELECTOR ["(" [ExprList] ")"] | Member "[" Expr "]"
//   Primary = ["."] IDENT ["(" [ExprList] ")"] | "(" Expr ")" | "[" list "]" | "{" map "}" | LITERAL
#include <memory>
#include <string>
#include <utility>

#include "lexer.h"
#include "ukube/cel/parser.h"

namespace ukube::cel {
namespace {

using detail::Lexer;
using detail::Token;

// cel-go's default limit on how deep an expression may nest.
constexpr int kMaxDepth = 250;

class Parser {
 public:
  explicit Parser(std::string_view source) : lex_(source) { lex_.next(); }

  ExprPtr whole() {
    ExprPtr e = expr();
    if (lex_.token() != Token::End) mismatched("<EOF>");
    return e;
  }

 private:
  struct Depth {
    explicit Depth(Parser& p) : p_(p) {
      if (++p_.depth_ > kMaxDepth)
        p_.lex_.fail(p_.lex_.offset(), "expression recursion limit exceeded: " + std::to_string(kMaxDepth));
    }
    ~Depth() { --p_.depth_; }
    Parser& p_;
  };

  bool at(std::string_view punct) const { return lex_.token() == Token::Punct && lex_.text() == punct; }
  bool accept(std::string_view punct) {
    if (!at(punct)) return false;
    lex_.next();
    return true;
  }
  std::string current() const {
    switch (lex_.token()) {
      case Token::End: return "<EOF>";
      case Token::In: return "'in'";
      default:
        return "'" + std::string(lex_.source().substr(lex_.offset(), lex_.end() - lex_.offset())) + "'";
    }
  }
  [[noreturn]] void mismatched(const std::string& expecting) const {
    lex_.fail(lex_.offset(), "mismatched input " + current() + " expecting " + expecting);
  }
  void expect(std::string_view punct) {
    if (!accept(punct)) mismatched("'" + std::string(punct) + "'");
  }

  static ExprPtr call(size_t offset, std::string name, std::vector<ExprPtr> args, ExprPtr target = nullptr) {
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Kind::Call;
    e->offset = offset;
    e->name = std::move(name);
    e->args = std::move(args);
    e->operand = std::move(target);
    return e;
  }

  ExprPtr expr() {
    Depth depth(*this);
    ExprPtr condition = logical("||", "_||_", &Parser::conditional_and);
    // Checker errors point at an operator, as cel-go's do.
    const size_t offset = lex_.offset();
    if (!accept("?")) return condition;
    ExprPtr then = logical("||", "_||_", &Parser::conditional_and);
    expect(":");
    ExprPtr otherwise = expr();
    return call(offset, "_?_:_", {condition, then, otherwise});
  }

  ExprPtr conditional_and() { return logical("&&", "_&&_", &Parser::relation); }

  ExprPtr logical(std::string_view op, const char* function, ExprPtr (Parser::*operand)()) {
    ExprPtr left = (this->*operand)();
    for (size_t offset = lex_.offset(); accept(op); offset = lex_.offset())
      left = call(offset, function, {left, (this->*operand)()});
    return left;
  }

  ExprPtr relation() {
    ExprPtr left = binary({{"+", "_+_"}, {"-", "_-_"}}, &Parser::multiplication);
    while (true) {
      const size_t offset = lex_.offset();
      const char* function = nullptr;
      if (lex_.token() == Token::In) {
        function = "@in";
      } else if (lex_.token() == Token::Punct) {
        static const std::pair<std::string_view, const char*> kRelations[] = {
            {"<", "_<_"}, {"<=", "_<=_"}, {">", "_>_"}, {">=", "_>=_"}, {"==", "_==_"}, {"!=", "_!=_"}};
        for (const auto& [text, name] : kRelations)
          if (lex_.text() == text) function = name;
      }
      if (!function) return left;
      lex_.next();
      left = call(offset, function, {left, binary({{"+", "_+_"}, {"-", "_-_"}}, &Parser::multiplication)});
    }
  }

  ExprPtr multiplication() { return binary({{"*", "_*_"}, {"/", "_/_"}, {"%", "_%_"}}, &Parser::unary); }

  ExprPtr binary(std::initializer_list<std::pair<std::string_view, const char*>> ops,
                 ExprPtr (Parser::*operand)()) {
    ExprPtr left = (this->*operand)();
    while (true) {
      const size_t offset = lex_.offset();
      const char* function = nullptr;
      for (const auto& [text, name] : ops)
        if (at(text)) function = name;
      if (!function) return left;
      lex_.next();
      left = call(offset, function, {left, (this->*operand)()});
    }
  }

  ExprPtr unary() {
    Depth depth(*this);
    const size_t offset = lex_.offset();
    if (at("!")) {
      int nots = 0;
      while (accept("!")) ++nots;
      ExprPtr e = member();
      for (int i = 0; i < nots; ++i) e = call(offset, "!_", {e});
      return e;
    }
    if (at("-")) {
      int minuses = 0;
      while (accept("-")) ++minuses;
      ExprPtr e;
      // A number right after a minus is a negative literal (so -9223372036854775808 fits).
      if (lex_.token() == Token::Literal && numeric(lex_.literal())) {
        e = member_suffixes(negated_literal(offset));
        --minuses;
      } else {
        e = member();
      }
      for (int i = 0; i < minuses; ++i) e = call(offset, "-_", {e});
      return e;
    }
    return member();
  }

  static bool numeric(const Literal& l) {
    return std::holds_alternative<int64_t>(l) || std::holds_alternative<double>(l);
  }

  ExprPtr negated_literal(size_t minus_offset) {
    auto e = std::make_shared<Expr>();
    e->offset = minus_offset;
    if (const auto* i = std::get_if<int64_t>(&lex_.literal()))
      e->literal = lex_.min_int_magnitude() ? *i : -*i;
    else
      e->literal = -std::get<double>(lex_.literal());
    lex_.next();
    return e;
  }

  ExprPtr member() { return member_suffixes(primary()); }

  ExprPtr member_suffixes(ExprPtr e) {
    while (true) {
      const size_t offset = lex_.offset();
      if (accept(".")) {
        const bool optional = accept("?");
        if (lex_.token() != Token::Ident) mismatched("IDENTIFIER");
        std::string name(lex_.text());
        lex_.next();
        if (!optional && at("(")) {
          const size_t open = lex_.offset();
          lex_.next();
          e = receiver_call(open, e, std::move(name), arguments(")"));
          continue;
        }
        auto select = std::make_shared<Expr>();
        select->kind = Expr::Kind::Select;
        select->offset = offset;
        select->operand = e;
        select->name = std::move(name);
        select->optional = optional;
        e = select;
      } else if (accept("[")) {
        const bool optional = accept("?");
        ExprPtr index = expr();
        expect("]");
        e = call(offset, optional ? "_[?_]" : "_[_]", {e, index});
      } else {
        return e;
      }
    }
  }

  // Comma-separated expressions up to `close` (consumed); a trailing comma is allowed.
  std::vector<ExprPtr> arguments(std::string_view close) {
    std::vector<ExprPtr> out;
    while (!accept(close)) {
      out.push_back(expr());
      if (!accept(",")) {
        expect(close);
        break;
      }
    }
    return out;
  }

  ExprPtr receiver_call(size_t offset, ExprPtr target, std::string name, std::vector<ExprPtr> args) {
    const bool macro = ((name == "all" || name == "exists" || name == "exists_one" || name == "filter" ||
                         name == "optMap" || name == "optFlatMap") &&
                        args.size() == 2) ||
                       (name == "map" && (args.size() == 2 || args.size() == 3));
    if (!macro) return call(offset, std::move(name), std::move(args), std::move(target));
    if (args.front()->kind != Expr::Kind::Ident)
      lex_.fail(args.front()->offset, "argument must be a simple name");
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Kind::Comprehension;
    e->offset = offset;
    e->name = std::move(name);
    e->operand = std::move(target);
    e->iter_var = args.front()->name;
    e->args.assign(args.begin() + 1, args.end());
    return e;
  }

  ExprPtr primary() {
    Depth depth(*this);
    const size_t offset = lex_.offset();
    if (lex_.token() == Token::Literal) {
      if (lex_.min_int_magnitude()) lex_.fail(offset, "integer literal out of range");
      auto e = std::make_shared<Expr>();
      e->offset = offset;
      e->literal = lex_.literal();
      lex_.next();
      return e;
    }
    const bool rooted = accept(".");
    if (lex_.token() == Token::Ident) {
      std::string name = (rooted ? "." : "") + std::string(lex_.text());
      lex_.next();
      const size_t open = lex_.offset();
      if (accept("(")) {
        std::vector<ExprPtr> args = arguments(")");
        if (name == "has") return has(offset, std::move(args));
        return call(open, std::move(name), std::move(args));
      }
      if (at("{")) lex_.fail(lex_.offset(), "message construction is not supported");
      auto e = std::make_shared<Expr>();
      e->kind = Expr::Kind::Ident;
      e->offset = offset;
      e->name = std::move(name);
      return e;
    }
    if (rooted) mismatched("IDENTIFIER");
    if (accept("(")) {
      ExprPtr e = expr();
      expect(")");
      return e;
    }
    if (accept("[")) return list(offset);
    if (accept("{")) return map(offset);
    if (lex_.token() == Token::End) lex_.fail(offset, "unexpected end of input");
    mismatched("an expression");
  }

  ExprPtr has(size_t offset, std::vector<ExprPtr> args) {
    if (args.size() != 1 || args.front()->kind != Expr::Kind::Select || args.front()->optional)
      lex_.fail(offset, "invalid argument to has() macro");
    auto e = std::make_shared<Expr>(*args.front());
    e->test_only = true;
    e->offset = offset;
    return e;
  }

  ExprPtr list(size_t offset) {
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Kind::List;
    e->offset = offset;
    while (!accept("]")) {
      if (accept("?")) e->optional_elements.push_back(e->args.size());
      e->args.push_back(expr());
      if (!accept(",")) {
        expect("]");
        break;
      }
    }
    return e;
  }

  ExprPtr map(size_t offset) {
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Kind::Map;
    e->offset = offset;
    while (!accept("}")) {
      Expr::Entry entry;
      entry.optional = accept("?");
      entry.key = expr();
      expect(":");
      entry.value = expr();
      e->entries.push_back(std::move(entry));
      if (!accept(",")) {
        expect("}");
        break;
      }
    }
    return e;
  }

  Lexer lex_;
  int depth_ = 0;
};

}  // namespace

ExprPtr parse(std::string_view source) {
  return Parser(source).whole();
}

}  // namespace ukube::cel
