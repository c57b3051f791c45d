#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ukube/cel/types.h"
#include "ukube/cel/value.h"

// The functions an expression may call, each with its overloads. Operators are functions
// too ("_+_", "_==_", "_[_]", "@in", "!_", "-_"). A library registers overloads; the
// checker picks the ones that fit the argument types, the evaluator the one that fits the
// values.
namespace ukube::cel {

// How much a call costs, in cel-go's units, from the sizes of its arguments (code points
// of a string, bytes, elements of a list or map). The estimate at CRD write uses each
// argument's largest possible size; evaluation uses the actual sizes.
struct CallCost {
  enum class Shape : uint8_t {
    Constant,  // 1
    Linear,    // 1 + ceil(factor * size(args[arg])), or of the sum of all sizes when arg < 0
    Product,   // ceil(factor * (1 + size(args[0]))) * ceil(factor2 * size(args[1])): regexes
  };
  Shape shape = Shape::Constant;
  double factor = 0.1;
  int arg = 0;
  double factor2 = 0.25;

  static CallCost constant() { return {}; }
  static CallCost linear(double factor = 0.1, int arg = 0) { return {Shape::Linear, factor, arg}; }
  static CallCost regex() { return {Shape::Product, 0.1, 0, 0.25}; }

  uint64_t of(std::span<const uint64_t> sizes) const;
};

// A function's result, or Value::error(...) with cel-go's message ("division by zero",
// "no such key: x", "index out of bounds: 3"). Arguments are never errors: the evaluator
// propagates those before calling.
using FunctionImpl = std::function<Value(std::span<const Value> args)>;

struct Overload {
  std::string id;               // cel-go's overload id: "add_int64", "string_contains"
  bool member = false;          // called as args[0].name(args[1..])
  std::vector<TypePtr> params;  // the receiver first when member
  TypePtr result;
  FunctionImpl impl;
  CallCost cost;
};

class Library {
 public:
  void add(std::string_view function, Overload overload);
  const std::vector<Overload>* find(std::string_view function) const;

 private:
  std::unordered_map<std::string, std::vector<Overload>> functions_;
};

// CEL's standard functions and operators with Kubernetes' extension libraries (lists,
// strings, regex, url, quantity, optionals), as CRD validation rules see them.
const Library& kubernetes_library();

// Each part of it, for libraries that want a different mix.
void add_standard_functions(Library& library);
void add_optional_functions(Library& library);
void add_string_functions(Library& library);    // charAt, indexOf, lowerAscii, split, join, ...
void add_list_functions(Library& library);      // isSorted, sum, min, max, indexOf, ...
void add_regex_functions(Library& library);     // find, findAll
void add_url_functions(Library& library);       // url, isURL, getScheme, getHost, ...
void add_quantity_functions(Library& library);  // quantity, isQuantity, add, compareTo, ...

}  // namespace ukube::cel
