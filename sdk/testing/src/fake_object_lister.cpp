#include "ukube/testing/fake_object_lister.h"

#include <stdexcept>

#include <boost/json.hpp>

#include "ukube/machinery/json.h"

namespace ukube::testing {

void FakeObjectLister::add(const GroupVersionResource& resource,
                           std::shared_ptr<const boost::json::object> object) {
  std::string ns = machinery::namespace_of(*object);
  std::string name = machinery::name_of(*object);
  objects_.push_back({resource, std::move(ns), std::move(name), std::move(object)});
}

void FakeObjectLister::add(const GroupVersionResource& resource, std::string_view json) {
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(json, ec);
  if (ec || !doc.is_object())
    throw std::invalid_argument("FakeObjectLister::add: not a JSON object: " + std::string(json));
  add(resource, std::make_shared<const boost::json::object>(std::move(doc.get_object())));
}

std::vector<std::shared_ptr<const boost::json::object>> FakeObjectLister::list(
    const GroupVersionResource& resource, std::string_view ns) const {
  std::vector<std::shared_ptr<const boost::json::object>> out;
  for (const auto& f : objects_)
    if (same_resource(f.resource, resource) && f.ns == ns) out.push_back(f.object);
  return out;
}

std::shared_ptr<const boost::json::object> FakeObjectLister::get(const GroupVersionResource& resource,
                                                                 std::string_view ns,
                                                                 std::string_view name) const {
  for (const auto& f : objects_)
    if (same_resource(f.resource, resource) && f.ns == ns && f.name == name) return f.object;
  return nullptr;
}

}  // namespace ukube::testing
