#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

// The JSONPath subset kubectl and additionalPrinterColumns use: `.a.b`, `.a[0]`, `.a[-1]`,
// `.a[*]`, `.a['x.y']`, recursive `..a`, and filters `.a[?(@.type=="Ready")]` with ==, !=,
// <, >, <=, >= and plain existence `[?(@.x)]`. A column's path may be wrapped in braces.
namespace ukube::apiextensions {

class JsonPathError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class JsonPath {
 public:
  // Throws JsonPathError naming what is wrong.
  static JsonPath parse(std::string_view text);

  // Every value the path reaches in `root`, in document order.
  std::vector<const boost::json::value*> find(const boost::json::value& root) const;
  std::vector<const boost::json::value*> find(const boost::json::object& root) const;

  struct Step;

 private:
  std::shared_ptr<const std::vector<Step>> steps_;
};

}  // namespace ukube::apiextensions
