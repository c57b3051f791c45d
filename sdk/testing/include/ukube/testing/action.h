#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ukube/client.h"
#include "ukube/types.h"

// One call made through a Client, as a test asserts on it afterwards (client-go's fake
// clientset calls them actions). Verbs are Kubernetes' own: get, list, watch, create,
// update, patch, delete.
namespace ukube::testing {

struct Action {
  std::string verb;
  GroupVersionResource resource;
  std::string ns;
  std::string name;  // create / update: the body's metadata.name (or the name argument)
  std::string subresource;
  ObjectPtr object;  // create / update: the body as sent
  PatchType patch_type = PatchType::JsonMerge;
  std::string patch;  // patch: the document as sent
  // create / update / patch: the options as passed (their pointers are the caller's and
  // may be gone once the call returned).
  WriteOptions write_options;
  ListOptions list_options;      // list / watch
  DeleteOptions delete_options;  // delete

  // "*" matches any verb or resource; `resource` is a plural ("pods") or a plural with
  // its subresource ("pods/status"). The group is not compared, as in client-go.
  bool matches(std::string_view verb_pattern, std::string_view resource_pattern) const;
  // "pods", "pods/status": how failures print the resource.
  std::string resource_path() const;
};

// Actions in the order they were made; safe to fill from several threads.
class ActionLog {
 public:
  void record(Action action);
  std::vector<Action> actions() const;
  // The actions matching verb and resource (see Action::matches).
  std::vector<Action> filter(std::string_view verb, std::string_view resource = "*") const;
  size_t count(std::string_view verb, std::string_view resource = "*") const;
  void clear();

 private:
  mutable std::mutex mutex_;
  std::vector<Action> actions_;
};

}  // namespace ukube::testing
