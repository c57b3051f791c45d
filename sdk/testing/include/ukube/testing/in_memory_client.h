#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "ukube/client.h"

// A Client that keeps objects in memory and answers as the API server does, for tests of
// code written against Client (controllers, scheduler plugins, admission helpers):
//  - one monotonic resourceVersion for every write, as the store's revision;
//  - create fills uid, creationTimestamp, generation and a generateName'd name, and
//    refuses an existing name (409 AlreadyExists); update and patch refuse a stale
//    resourceVersion (409 Conflict, upstream's wording) and bump generation when
//    anything outside metadata and status changed; a write that changes nothing is not
//    written, as upstream;
//  - `status`: an update of status changes only status, a plain update keeps the stored
//    status (unless the resource is declared without_status_subresource);
//  - delete honours uid / resourceVersion preconditions and finalizers (the object is
//    marked with deletionTimestamp and goes when an update removes the last finalizer);
//  - list and watch apply label and field selectors (sdk/machinery's parsers; any field
//    path can be selected on, not only the ones the server declares); a watch from
//    resourceVersion "" or "0" first sends the current objects as Added, from a later one
//    the events after it, then Added / Modified / Deleted as they happen; an object that
//    stops (starts) matching the selectors is sent as Deleted (Added);
//  - patch: JSON merge and JSON patch with plugin-api's engines; a strategic merge patch
//    is applied as a JSON merge patch (lists are replaced, no $patch directives), and
//    server-side apply is refused with 415;
//  - pods/binding sets spec.nodeName (409 when the pod is already bound); creates on
//    other subresources only need the parent to exist and change nothing.
// Types are not known: nothing is defaulted or validated, kind and apiVersion are kept as
// sent, and a namespace is whatever the caller passes. Errors are thrown as ApiError.
// Thread-safe.
namespace ukube::testing {

class InMemoryClient final : public Client {
 public:
  InMemoryClient();
  ~InMemoryClient() override;
  InMemoryClient(const InMemoryClient&) = delete;
  InMemoryClient& operator=(const InMemoryClient&) = delete;

  // Stores `object` as a test's starting state, as client-go's tracker.Add: uid,
  // creationTimestamp and generation are kept when set (filled otherwise), the namespace
  // is metadata.namespace, resourceVersion is the next one, an object of that name is
  // replaced. Watchers see it like any other write.
  ObjectPtr add(const GroupVersionResource& gvr, const boost::json::object& object);
  ObjectPtr add(const GroupVersionResource& gvr, std::string_view json);

  // Declares that `gvr` has no status subresource: plain updates then change status too,
  // and writes to `status` are answered with 404.
  void without_status_subresource(const GroupVersionResource& gvr);

  // The resourceVersion of the latest write ("0" before any).
  std::string resource_version() const;

  ObjectPtr get(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                const GetOptions& options = {}, std::string_view subresource = {}) override;
  ObjectList list(const GroupVersionResource& gvr, std::string_view ns,
                  const ListOptions& options = {}) override;
  std::unique_ptr<WatchStream> watch(const GroupVersionResource& gvr, std::string_view ns,
                                     const ListOptions& options = {}) override;
  ObjectPtr create(const GroupVersionResource& gvr, std::string_view ns, const boost::json::object& object,
                   const WriteOptions& options = {}, std::string_view subresource = {},
                   std::string_view name = {}) override;
  ObjectPtr update(const GroupVersionResource& gvr, std::string_view ns, const boost::json::object& object,
                   const WriteOptions& options = {}, std::string_view subresource = {}) override;
  ObjectPtr patch(const GroupVersionResource& gvr, std::string_view ns, std::string_view name, PatchType type,
                  std::string_view patch, const WriteOptions& options = {},
                  std::string_view subresource = {}) override;
  ObjectPtr remove(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                   const DeleteOptions& options = {}) override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ukube::testing
