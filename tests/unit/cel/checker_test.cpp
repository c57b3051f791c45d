// The type checker and cost accounting: compile errors in cel-go's words, the result type
// of an expression, the checker's cost estimate and the evaluator's cost limit. Messages
// are cel-go's (checker/errors.go in google/cel-go); the runtime costs of library calls
// are from kubernetes/kubernetes
// staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation_test.go
// ("cost for extended lib calculated correctly" cases).
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cel_test_helpers.h"
#include "ukube/cel/program.h"
#include "ukube/cel/types.h"
#include "ukube/cel/value.h"

namespace ukube::cel {
namespace {

using celtest::expect_compile_error;
using celtest::list_value;
using celtest::object_type;
using celtest::run;
using celtest::Vars;

std::string compile_error_of(std::string_view source, const Env& env = {}) {
  try {
    compile(source, env);
  } catch (const CompileError& e) {
    return e.what();
  }
  return "no error";
}

// self: {spec: {replicas: int, name: string}, items: list(int), labels: map(string, string)}
Env object_env() {
  auto spec = object_type("Object.spec", {{"replicas", types::int64()}, {"name", types::string()}});
  auto self = object_type("Object", {{"spec", spec},
                                     {"items", types::list(types::int64())},
                                     {"labels", types::map(types::string(), types::string())}});
  return Env{{{"self", self}}};
}

Vars object_vars() {
  Vars v;
  v.env = object_env();
  v.values.push_back(Value());
  return v;
}

TEST(CelChecker, UndeclaredReference) {
  EXPECT_EQ(compile_error_of("x"),
            "ERROR: <input>:1:1: undeclared reference to 'x' (in container '')\n | x\n | ^");
  expect_compile_error("x + 1", "undeclared reference to 'x' (in container '')");
  expect_compile_error("self.spec", "undeclared reference to 'self' (in container '')");
  expect_compile_error("oldSelf == self", "undeclared reference to 'oldSelf' (in container '')");
  expect_compile_error("unknownFunction(1)", "undeclared reference to 'unknownFunction' (in container '')");
}

TEST(CelChecker, NoMatchingOverload) {
  expect_compile_error("1 + 'a'", "found no matching overload for '_+_' applied to '(int, string)'");
  expect_compile_error("1.0 == 1", "found no matching overload for '_==_' applied to '(double, int)'");
  expect_compile_error("'a' < 1", "found no matching overload for '_<_' applied to '(string, int)'");
  expect_compile_error("!1", "found no matching overload for '!_' applied to '(int)'");
  expect_compile_error("-'a'", "found no matching overload for '-_' applied to '(string)'");
  expect_compile_error("size(1)", "found no matching overload for 'size' applied to '(int)'");
  expect_compile_error("'abc'.startsWith(1)",
                       "found no matching overload for 'startsWith' applied to 'string.(int)'");
  expect_compile_error("47.5 % 5.5", "found no matching overload for '_%_' applied to '(double, double)'");
  expect_compile_error("[1, 2].all(x, x)", "found no matching overload for '_&&_' applied to '(bool, int)'");
  expect_compile_error(object_vars(), "self.spec.replicas == 'abc'",
                       "found no matching overload for '_==_' applied to '(int, string)'");
}

TEST(CelChecker, UndefinedField) {
  Vars v = object_vars();
  expect_compile_error(v, "self.foo", "undefined field 'foo'");
  expect_compile_error(v, "self.spec.foo == 1", "undefined field 'foo'");
  expect_compile_error(v, "has(self.foo)", "undefined field 'foo'");
  expect_compile_error(v, "self.spec.replicas.x", "type 'int' does not support field selection");
}

TEST(CelChecker, CompileErrorSaysWhere) {
  std::string error = compile_error_of("self.foo", object_env());
  EXPECT_EQ(error.rfind("ERROR: <input>:1:", 0), 0u) << error;
  EXPECT_NE(error.find("undefined field 'foo'\n | self.foo\n | "), std::string::npos) << error;
  error = compile_error_of("true &&\n  self.spec.replicas == 'a'", object_env());
  EXPECT_EQ(error.rfind("ERROR: <input>:2:", 0), 0u) << error;
}

TEST(CelChecker, ResultTypes) {
  struct Case {
    std::string_view source;
    std::string_view type;
  };
  const Case cases[] = {
      {"1 < 2", "bool"},
      {"1 + 2", "int"},
      {"1u", "uint"},
      {"1.5", "double"},
      {"'a' + 'b'", "string"},
      {"b'a'", "bytes"},
      {"null", "null_type"},
      {"[1, 2]", "list(int)"},
      {"[1, 2] + [3]", "list(int)"},
      {"[1, 'a']", "list(dyn)"},
      {"{'a': 1}", "map(string, int)"},
      {"{'a': [1]}", "map(string, list(int))"},
      {"[1, 2].map(x, x * 2)", "list(int)"},
      {"['a'].map(x, x.size() > 0)", "list(bool)"},
      {"[1, 2].filter(x, x > 1)", "list(int)"},
      {"[1, 2].exists(x, x > 1)", "bool"},
      {"size('a')", "int"},
      {"int('1')", "int"},
      {"dyn(1)", "dyn"},
      {"type(1)", "type(int)"},
      {"optional.of(1)", "optional_type(int)"},
      {"optional.of(1).orValue(2)", "int"},
      {"'a b'.split(' ')", "list(string)"},
      {"'abc'.matches('a')", "bool"},
      {"'abc'.findAll('[a-z]')", "list(string)"},
      {"[1, 2].sum()", "int"},
      {"quantity('1Gi')", "kubernetes.Quantity"},
      {"self.spec", "Object.spec"},
      {"self.spec.replicas", "int"},
      {"self.?spec", "optional_type(Object.spec)"},
      {"self.items", "list(int)"},
      {"self.items.filter(x, x > 1)", "list(int)"},
      {"self.labels", "map(string, string)"},
      {"self.labels['a']", "string"},
      {"self.labels[?'a']", "optional_type(string)"},
  };
  Env env = object_env();
  for (const Case& c : cases) {
    try {
      Program program = compile(c.source, env);
      ASSERT_NE(program.result_type(), nullptr) << c.source;
      EXPECT_EQ(program.result_type()->to_string(), c.type) << c.source;
    } catch (const CompileError& e) {
      ADD_FAILURE() << c.source << " does not compile:\n" << e.what();
    }
  }
}

TEST(CelChecker, EstimatedCostGrowsWithSizes) {
  const std::string_view rule = "self.all(x, x.matches('^[a-z]+$'))";
  Env unbounded{{{"self", types::list(types::string())}}};
  Env bounded{{{"self", types::sized(types::list(types::sized(types::string(), 16)), 10)}}};
  try {
    CostEstimate big = compile(rule, unbounded).estimated_cost();
    CostEstimate small = compile(rule, bounded).estimated_cost();
    EXPECT_LE(small.min, small.max);
    EXPECT_LE(big.min, big.max);
    EXPECT_GT(small.max, 0u);
    EXPECT_LT(small.max, 1000u) << "10 strings of at most 16 code points";
    EXPECT_GT(big.max / 100, small.max) << "unbounded: " << big.max << ", bounded: " << small.max;

    // A larger bound costs more.
    Env larger{{{"self", types::sized(types::list(types::sized(types::string(), 16)), 100)}}};
    EXPECT_GT(compile(rule, larger).estimated_cost().max, small.max);

    // Constants alone cost next to nothing.
    EXPECT_LT(compile("1 + 2 == 3", Env{}).estimated_cost().max, 10u);
  } catch (const CompileError& e) {
    FAIL() << e.what();
  }
}

TEST(CelChecker, RuntimeCostLimit) {
  const std::string_view rule = "self.all(x, x.matches('^[a-z]+$'))";
  Env env{{{"self", types::list(types::string())}}};
  std::vector<Value> items(100, Value("abc"));
  std::vector<Value> values{list_value(items)};
  try {
    Program program = compile(rule, env);

    uint64_t cost = 0;
    Value result = program.evaluate(std::span<const Value>(values), cost);
    ASSERT_FALSE(result.is_error()) << result.as_string();
    EXPECT_TRUE(result.as_bool());
    EXPECT_GT(cost, 100u) << "one regex match per element at least";

    // The cost accumulates across evaluations.
    uint64_t first = cost;
    program.evaluate(std::span<const Value>(values), cost);
    EXPECT_GT(cost, first);

    cost = 0;
    Value limited = program.evaluate(std::span<const Value>(values), cost, 10);
    ASSERT_TRUE(limited.is_error()) << debug_string(limited);
    EXPECT_EQ(limited.as_string(), kCostLimitExceeded);
  } catch (const CompileError& e) {
    FAIL() << e.what();
  }
}

// Library calls cost by the size of what they traverse, as Kubernetes' cost model says.
TEST(CelChecker, RuntimeCostOfLibraryCallsGrowsWithTheirInput) {
  EXPECT_LT(run("[1,2,3,4].isSorted()").cost,
            run("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20].isSorted()").cost);
  EXPECT_LT(
      run("'abc 123'.split(' ').size() > 0").cost,
      run("'abc 123 def 123 abc 123 def 123 abc 123 def 123 abc 123 def 123'.split(' ').size() > 0").cost);
  EXPECT_LT(run("'abc'.matches('^[a-z]+$')").cost,
            run("'abcdefghijklmnopqrstuvwxyzabcdefghijklmnop'.matches('^[a-z]+$')").cost);
  EXPECT_GT(run("url('https://kubernetes.io/').getHostname() != 'test'").cost, 0u);
}

}  // namespace
}  // namespace ukube::cel

namespace ukube::cel {
namespace {

// What a caller must build of a variable: the fields it selects, or all of it.
TEST(CelChecker, FieldsUsedOfAVariable) {
  const Env env = object_env();
  using Fields = std::optional<std::vector<std::string>>;
  EXPECT_EQ(compile("self.spec.replicas > 1 && has(self.items)", env).fields_used(0),
            Fields(std::vector<std::string>{"spec", "items"}));
  EXPECT_EQ(compile("self.?labels.hasValue() || self.spec.name == 'a'", env).fields_used(0),
            Fields(std::vector<std::string>{"labels", "spec"}));
  EXPECT_EQ(compile("1 == 1", env).fields_used(0), Fields(std::vector<std::string>{}));
  EXPECT_EQ(compile("self.items.all(i, i > 0) && [self].size() > 0", env).fields_used(0), std::nullopt);
  EXPECT_EQ(compile("self == self", env).fields_used(0), std::nullopt);
}

}  // namespace
}  // namespace ukube::cel
