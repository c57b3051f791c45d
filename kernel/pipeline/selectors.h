#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/labels.h"
#include "ukube/types.h"

// `?labelSelector=` and `?fieldSelector=` of list and watch requests. Parsing is
// sdk/machinery's; this adds what only the API server knows (which fields a type can
// select on) and turns parse errors into ApiError 400.
namespace ukube::pipeline {

class LabelSelector {
 public:
  static LabelSelector parse(std::string_view text);
  bool empty() const { return selector_.empty(); }
  bool matches(const boost::json::object& object) const;  // reads metadata.labels
  const ukube::LabelSelector& selector() const { return selector_; }

 private:
  ukube::LabelSelector selector_;
};

class FieldSelector {
 public:
  // Fields other than metadata.name / metadata.namespace must be in type.selectable_fields.
  static FieldSelector parse(std::string_view text, const TypeInfo& type);
  bool empty() const { return terms_.empty(); }
  bool matches(const boost::json::object& object) const;

 private:
  struct Term {
    bool equals;
    std::string value;
    FieldGetter get;
  };
  std::vector<Term> terms_;
};

}  // namespace ukube::pipeline
