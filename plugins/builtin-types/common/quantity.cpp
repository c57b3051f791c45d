#include "common/quantity.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace ukube::builtin {

std::string quantity_text(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return boost::json::serialize(v);
}

}  // namespace ukube::builtin
