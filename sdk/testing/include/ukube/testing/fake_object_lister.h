#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/scheduler/object_lister.h"
#include "ukube/types.h"

// The scheduler's informer listers (ukube/scheduler/object_lister.h) over objects a test
// files by hand: answered from memory, by group and resource (the version is not
// compared) and namespace, as the informer caches answer.
namespace ukube::testing {

class FakeObjectLister final : public scheduler::ObjectLister {
 public:
  // Files `object` under `resource`; its namespace and name come from its metadata.
  void add(const GroupVersionResource& resource, std::shared_ptr<const boost::json::object> object);
  void add(const GroupVersionResource& resource, std::string_view json);
  void clear() { objects_.clear(); }

  std::vector<std::shared_ptr<const boost::json::object>> list(const GroupVersionResource& resource,
                                                               std::string_view ns) const override;
  std::shared_ptr<const boost::json::object> get(const GroupVersionResource& resource, std::string_view ns,
                                                 std::string_view name) const override;

 private:
  struct Filed {
    GroupVersionResource resource;
    std::string ns;
    std::string name;
    std::shared_ptr<const boost::json::object> object;
  };
  static bool same_resource(const GroupVersionResource& a, const GroupVersionResource& b) {
    return a.group == b.group && a.resource == b.resource;
  }
  std::vector<Filed> objects_;
};

}  // namespace ukube::testing
