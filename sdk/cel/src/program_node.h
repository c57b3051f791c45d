#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ukube/cel/program.h"

// The checked form of an expression, which the evaluator walks: names resolved to
// variable or iteration slots, calls narrowed to the overloads that fit the argument
// types, macros kept as loops.
namespace ukube::cel {

struct Program::Node {
  enum class Kind : uint8_t {
    Constant,     // constant
    Variable,     // the slot-th variable of the activation
    IterVar,      // the slot-th iteration variable of the enclosing macros
    Select,       // args[0].field
    Has,          // has(args[0].field)
    OptSelect,    // args[0].?field
    OptIndex,     // args[0][?args[1]]
    Call,         // function(args) with its candidate overloads
    And,          // args[0] && args[1]
    Or,           // args[0] || args[1]
    Conditional,  // args[0] ? args[1] : args[2]
    List,         // [args]; optional[i] when written [?x]
    Map,          // {args[0]: args[1], ...}; optional[i] for entry i written {?k: v}
    Macro,        // macro over args[0] with iteration variable `slot`
  };
  enum class Macro : uint8_t { All, Exists, ExistsOne, Map, MapFilter, Filter, OptMap, OptFlatMap };

  Kind kind = Kind::Constant;
  Macro macro = Macro::All;
  size_t offset = 0;
  size_t slot = 0;
  Value constant;
  std::string field;  // Select, Has, OptSelect; the function's name for Call
  std::vector<const Overload*> overloads;
  std::vector<std::shared_ptr<const Node>> args;
  std::vector<bool> optional;
};

using NodePtr = std::shared_ptr<const Program::Node>;

}  // namespace ukube::cel
