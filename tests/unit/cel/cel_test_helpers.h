// Helpers shared by the CEL evaluation tests: compile and evaluate an expression, and
// compare its result with the result of an expected expression, an expected Value, an
// error message or a compile error. Each reports failures at the caller's line and names
// the expression, so a failing case can be found from the test output alone.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <source_location>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ukube/cel/program.h"
#include "ukube/cel/types.h"
#include "ukube/cel/value.h"

namespace ukube::cel::celtest {

// Variables for an expression: their declarations and, in the same order, their values.
struct Vars {
  Env env;
  std::vector<Value> values;

  Vars() = default;
  Vars(std::initializer_list<std::tuple<std::string, TypePtr, Value>> vars) {
    for (const auto& [name, type, value] : vars) {
      env.variables.push_back({name, type});
      values.push_back(value);
    }
  }
};

inline const Vars& no_vars() {
  static const Vars empty;
  return empty;
}

// An Object type (a schema with properties) named `name` with the given fields.
inline TypePtr object_type(std::string name, std::vector<Type::Field> fields) {
  auto t = std::make_shared<Type>();
  t->kind = Type::Kind::Object;
  t->name = std::move(name);
  t->fields = std::move(fields);
  return t;
}

// A value of an Object type: a map carrying the type's name.
inline Value object_value(std::string type_name, std::vector<std::pair<Value, Value>> entries) {
  MapData data;
  data.entries = std::move(entries);
  data.type_name = std::move(type_name);
  return Value(std::move(data));
}

inline Value map_value(std::vector<std::pair<Value, Value>> entries) {
  MapData data;
  data.entries = std::move(entries);
  return Value(std::move(data));
}

inline Value list_value(std::vector<Value> elements) {
  return Value(std::move(elements));
}

struct Outcome {
  bool compiled = false;
  std::string compile_error;
  Value value;
  uint64_t cost = 0;
};

inline Outcome run(std::string_view source, const Vars& vars = no_vars(), uint64_t cost_limit = UINT64_MAX) {
  Outcome out;
  try {
    Program program = compile(source, vars.env);
    out.compiled = true;
    out.value = program.evaluate(std::span<const Value>(vars.values), out.cost, cost_limit);
  } catch (const CompileError& e) {
    out.compile_error = e.what();
  }
  return out;
}

inline std::string describe(const Value& v) {
  return debug_string(v) + " (" + v.type_name() + ")";
}

#define UKUBE_CEL_FAIL_AT(where) ADD_FAILURE_AT((where).file_name(), static_cast<int>((where).line()))

// `source` evaluates without error to a value equal to (and of the same type as) what
// `expected` evaluates to.
inline void expect_eq(const Vars& vars, std::string_view source, std::string_view expected,
                      std::source_location where = std::source_location::current()) {
  Outcome got = run(source, vars);
  Outcome want = run(expected);
  if (!want.compiled || want.value.is_error()) {
    UKUBE_CEL_FAIL_AT(where) << "bad expectation " << expected << ": " << want.compile_error
                             << describe(want.value);
    return;
  }
  if (!got.compiled) {
    UKUBE_CEL_FAIL_AT(where) << source << "\n  does not compile:\n" << got.compile_error;
    return;
  }
  if (got.value.is_error()) {
    UKUBE_CEL_FAIL_AT(where) << source << "\n  evaluates to error: " << got.value.as_string()
                             << "\n  expected: " << describe(want.value);
    return;
  }
  if (!equals(got.value, want.value) || got.value.type_name() != want.value.type_name()) {
    UKUBE_CEL_FAIL_AT(where) << source << "\n  evaluates to: " << describe(got.value)
                             << "\n  expected:     " << describe(want.value);
  }
}

inline void expect_eq(std::string_view source, std::string_view expected,
                      std::source_location where = std::source_location::current()) {
  expect_eq(no_vars(), source, expected, where);
}

inline void expect_true(const Vars& vars, std::string_view source,
                        std::source_location where = std::source_location::current()) {
  expect_eq(vars, source, "true", where);
}

inline void expect_true(std::string_view source,
                        std::source_location where = std::source_location::current()) {
  expect_eq(no_vars(), source, "true", where);
}

// `source` evaluates to `expected` (for results no CEL literal can spell, like infinity).
inline void expect_value(std::string_view source, const Value& expected,
                         std::source_location where = std::source_location::current()) {
  Outcome got = run(source);
  if (!got.compiled) {
    UKUBE_CEL_FAIL_AT(where) << source << "\n  does not compile:\n" << got.compile_error;
  } else if (got.value.is_error() || !equals(got.value, expected) ||
             got.value.type_name() != expected.type_name()) {
    UKUBE_CEL_FAIL_AT(where) << source << "\n  evaluates to: " << describe(got.value)
                             << "\n  expected:     " << describe(expected);
  }
}

// `source` compiles, and evaluating it fails with a message containing `message`.
inline void expect_error(const Vars& vars, std::string_view source, std::string_view message,
                         std::source_location where = std::source_location::current()) {
  Outcome got = run(source, vars);
  if (!got.compiled) {
    UKUBE_CEL_FAIL_AT(where) << source << "\n  does not compile:\n" << got.compile_error;
  } else if (!got.value.is_error()) {
    UKUBE_CEL_FAIL_AT(where) << source << "\n  evaluates to: " << describe(got.value)
                             << "\n  expected an error containing: " << message;
  } else if (got.value.as_string().find(message) == std::string::npos) {
    UKUBE_CEL_FAIL_AT(where) << source << "\n  fails with: " << got.value.as_string()
                             << "\n  expected an error containing: " << message;
  }
}

inline void expect_error(std::string_view source, std::string_view message,
                         std::source_location where = std::source_location::current()) {
  expect_error(no_vars(), source, message, where);
}

// `source` does not compile, with a message containing `message`.
inline void expect_compile_error(const Vars& vars, std::string_view source, std::string_view message,
                                 std::source_location where = std::source_location::current()) {
  Outcome got = run(source, vars);
  if (got.compiled) {
    UKUBE_CEL_FAIL_AT(where) << source << "\n  compiles (and evaluates to " << describe(got.value)
                             << "); expected a compile error containing: " << message;
  } else if (got.compile_error.find(message) == std::string::npos) {
    UKUBE_CEL_FAIL_AT(where) << source << "\n  compile error:\n"
                             << got.compile_error << "\n  expected it to contain: " << message;
  }
}

inline void expect_compile_error(std::string_view source, std::string_view message,
                                 std::source_location where = std::source_location::current()) {
  expect_compile_error(no_vars(), source, message, where);
}

// Fails either way, at compile time or when evaluated (cel-go reports some errors, such as
// a bad constant regex, when it builds the program; others only when it runs it).
inline void expect_compile_or_eval_error(const Vars& vars, std::string_view source, std::string_view message,
                                         std::source_location where = std::source_location::current()) {
  Outcome got = run(source, vars);
  const std::string& text = got.compiled ? got.value.as_string() : got.compile_error;
  if (got.compiled && !got.value.is_error()) {
    UKUBE_CEL_FAIL_AT(where) << source << "\n  evaluates to: " << describe(got.value)
                             << "\n  expected an error containing: " << message;
  } else if (text.find(message) == std::string::npos) {
    UKUBE_CEL_FAIL_AT(where) << source << "\n  fails with: " << text
                             << "\n  expected an error containing: " << message;
  }
}

inline void expect_compile_or_eval_error(std::string_view source, std::string_view message,
                                         std::source_location where = std::source_location::current()) {
  expect_compile_or_eval_error(no_vars(), source, message, where);
}

}  // namespace ukube::cel::celtest
