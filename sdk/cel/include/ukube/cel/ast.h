#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

// The syntax tree of a CEL expression (the Common Expression Language of Kubernetes'
// x-kubernetes-validations rules and admission policies), as parse() builds it. Operators
// are calls of functions named as CEL names them ("_+_", "!_", "_[_]", "_?_:_", "@in"), so
// evaluation and type checking treat them like any other function.
namespace ukube::cel {

struct Bytes {
  std::string data;
  bool operator==(const Bytes&) const = default;
};

struct Null {
  bool operator==(const Null&) const = default;
};

// What the source spells directly.
using Literal = std::variant<Null, bool, int64_t, uint64_t, double, std::string, Bytes>;

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
  enum class Kind : uint8_t {
    Literal,        // literal
    Ident,          // name
    Select,         // operand.name; has(operand.name) when test_only; operand.?name when optional
    Call,           // name(args), or operand.name(args) when operand is set
    List,           // [args]; the elements at optional_elements were written [?x]
    Map,            // {entries}
    Comprehension,  // the macros: operand.name(iter_var, args...) for all, exists,
                    // exists_one, map (one or two args), filter, optMap and optFlatMap
  };
  struct Entry {
    ExprPtr key;
    ExprPtr value;
    bool optional = false;  // {?key: value}
  };

  Kind kind = Kind::Literal;
  size_t offset = 0;  // where it starts in the source, for messages
  Literal literal;
  std::string name;
  ExprPtr operand;
  std::vector<ExprPtr> args;
  std::vector<Entry> entries;
  std::vector<size_t> optional_elements;
  std::string iter_var;
  bool test_only = false;
  bool optional = false;
};

// The expression written back as CEL, fully parenthesised, for tests and messages.
std::string to_string(const Expr& expr);

}  // namespace ukube::cel
