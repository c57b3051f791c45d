#include "ukube/controller/cache_indexes.h"

#include <boost/json/object.hpp>

#include "ukube/machinery/json.h"
#include "ukube/machinery/owners.h"

namespace ukube::controller {

std::vector<std::string> index_by_namespace(const boost::json::object& object) {
  return {machinery::namespace_of(object)};
}

std::vector<std::string> index_by_controller_uid(const boost::json::object& object) {
  const auto* ref = machinery::controller_of(object);
  if (!ref) return {};
  std::string uid = machinery::string_at(*ref, {"uid"});
  if (uid.empty()) return {};
  return {std::move(uid)};
}

std::vector<std::string> index_orphans_by_namespace(const boost::json::object& object) {
  if (machinery::controller_of(object)) return {};
  return {machinery::namespace_of(object)};
}

}  // namespace ukube::controller
