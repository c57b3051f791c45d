#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ukube/cel/ast.h"
#include "ukube/cel/library.h"
#include "ukube/cel/types.h"
#include "ukube/cel/value.h"

// Compiling (parse + type check + cost estimate) and evaluating an expression.
namespace ukube::cel {

// A parse or type-check error in cel-go's words, with location and caret:
//   ERROR: <input>:1:6: undefined field 'foo'
//    | self.foo
//    | .....^
class CompileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Variable {
  std::string name;
  TypePtr type;
};

// What an expression may refer to: its variables (in the order evaluate() takes their
// values) and its functions.
struct Env {
  std::vector<Variable> variables;
  const Library* library = &kubernetes_library();
};

struct CostEstimate {
  uint64_t min = 0;
  uint64_t max = 0;
};

// cel-go's message when an evaluation runs past its cost limit.
inline constexpr std::string_view kCostLimitExceeded = "operation cancelled: actual cost limit exceeded";

class Program {
 public:
  struct Node;  // the checked expression, defined where it is built and walked

  const TypePtr& result_type() const { return result_type_; }
  // The checker's bound on the cost of one evaluation, from the sizes of the variables'
  // types.
  const CostEstimate& estimated_cost() const { return estimated_cost_; }
  const std::string& source() const { return source_; }
  // Whether the expression refers to the index-th variable of its Env (a rule that reads
  // oldSelf is a transition rule).
  bool uses_variable(size_t index) const { return index < used_variables_.size() && used_variables_[index]; }
  // The fields the expression selects from the index-th variable (self.a, has(self.b),
  // self.?c), or nullopt when it uses the variable as a whole (size(self), self == oldSelf):
  // a caller may then build only those fields of the variable's value.
  std::optional<std::vector<std::string>> fields_used(size_t index) const;

  // The result, or a Value of Kind::Error with cel-go's message. `cost` grows by what the
  // evaluation cost; past `cost_limit` it stops with kCostLimitExceeded.
  Value evaluate(std::span<const Value> variables, uint64_t& cost, uint64_t cost_limit = UINT64_MAX) const;

 private:
  friend Program compile(std::string_view source, const Env& env);
  std::string source_;
  std::shared_ptr<const Node> root_;
  TypePtr result_type_;
  CostEstimate estimated_cost_;
  size_t iteration_depth_ = 0;
  std::vector<bool> used_variables_;  // how many macros nest, for the evaluator's frame
};

// Throws CompileError.
Program compile(std::string_view source, const Env& env);

}  // namespace ukube::cel
