#include "kernel/pipeline/selectors.h"

#include <boost/json/object.hpp>

#include "ukube/errors.h"
#include "ukube/machinery/fields.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"

namespace ukube::pipeline {

LabelSelector LabelSelector::parse(std::string_view text) {
  LabelSelector out;
  try {
    out.selector_ = machinery::parse_selector(text);
  } catch (const machinery::SelectorError& e) {
    throw ApiError::bad_request(e.what());
  }
  return out;
}

bool LabelSelector::matches(const boost::json::object& object) const {
  return machinery::matches(selector_, machinery::labels_of(object));
}

FieldSelector FieldSelector::parse(std::string_view text, const TypeInfo& type) {
  std::vector<machinery::FieldRequirement> requirements;
  try {
    requirements = machinery::parse_field_selector(text);
  } catch (const machinery::FieldSelectorError& e) {
    throw ApiError::bad_request(e.what());
  }
  FieldSelector sel;
  for (auto& r : requirements) {
    Term t{r.equals, std::move(r.value), {}};
    if (r.field == "metadata.name") {
      t.get = [](const boost::json::object& o) { return machinery::meta_string(o, "name"); };
    } else if (r.field == "metadata.namespace") {
      t.get = [](const boost::json::object& o) { return machinery::meta_string(o, "namespace"); };
    } else {
      for (const auto& f : type.selectable_fields)
        if (f.name == r.field) t.get = f.get;
    }
    if (!t.get) {
      std::string known = "\"metadata.name\", \"metadata.namespace\"";
      for (const auto& f : type.selectable_fields) known += ", \"" + f.name + "\"";
      throw ApiError::bad_request("\"" + r.field + "\" is not a known field selector: only " + known);
    }
    sel.terms_.push_back(std::move(t));
  }
  return sel;
}

bool FieldSelector::matches(const boost::json::object& object) const {
  for (const auto& t : terms_)
    if ((t.get(object) == t.value) != t.equals) return false;
  return true;
}

}  // namespace ukube::pipeline
