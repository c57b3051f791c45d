#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/types.h"

// Label and field selectors with upstream's syntax; parse errors are ApiError 400.
namespace ukube::pipeline {

class LabelSelector {
 public:
  static LabelSelector parse(std::string_view text);
  bool empty() const { return requirements_.empty(); }
  bool matches(const boost::json::object& object) const;  // reads metadata.labels

  enum class Op { Exists, NotExists, Equals, NotEquals, In, NotIn, GreaterThan, LessThan };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };
  const std::vector<Requirement>& requirements() const { return requirements_; }

 private:
  std::vector<Requirement> requirements_;
};

class FieldSelector {
 public:
  // Fields other than metadata.name / metadata.namespace must be in type.selectable_fields.
  static FieldSelector parse(std::string_view text, const TypeInfo& type);
  bool empty() const { return terms_.empty(); }
  bool matches(const boost::json::object& object) const;

 private:
  struct Term {
    std::string field;
    bool equals;
    std::string value;
    FieldGetter get;
  };
  std::vector<Term> terms_;
};

}  // namespace ukube::pipeline
