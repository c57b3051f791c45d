#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ukube/client.h"
#include "ukube/errors.h"
#include "ukube/testing/action.h"

// A Client decorator that records every call as an Action and lets a test step in before
// the call reaches the client it wraps, as client-go's fake clientset does with its
// reactors: to inject errors, to answer for a resource the inner client does not serve,
// or to swallow writes. Wrap a real LocalClient to count server reads, or use FakeClient
// (fake_client.h), which wraps an InMemoryClient.
namespace ukube::testing {

// A reactor's answer; only the member of the answered verb is read (object for get,
// create, update, patch and delete, list for list, watch for watch).
struct Reaction {
  ObjectPtr object;
  ObjectList list;
  std::unique_ptr<WatchStream> watch;
};

// Answers an action (a Reaction), declines it (nullopt: the next reactor, and finally the
// inner client, gets it) or fails it by throwing, usually an ApiError.
using Reactor = std::function<std::optional<Reaction>(const Action& action)>;

// Reactors for the common cases.
Reactor fail_with(ApiError error);      // every matching call throws a copy of `error`
Reactor answer_with(ObjectPtr object);  // every matching call returns `object` (may be null)

class RecordingClient : public Client {
 public:
  explicit RecordingClient(std::shared_ptr<Client> inner);
  ~RecordingClient() override;

  // Runs `reactor` for actions matching `verb` and `resource` (see Action::matches),
  // before every reactor added earlier.
  void prepend_reactor(std::string verb, std::string resource, Reactor reactor);
  void clear_reactors();

  std::vector<Action> actions() const { return log_.actions(); }
  std::vector<Action> actions(std::string_view verb, std::string_view resource = "*") const {
    return log_.filter(verb, resource);
  }
  size_t count(std::string_view verb, std::string_view resource = "*") const {
    return log_.count(verb, resource);
  }
  void clear_actions() { log_.clear(); }
  Client& inner() { return *inner_; }

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
  struct Registered {
    std::string verb;
    std::string resource;
    Reactor reactor;
  };
  // Records the action, then asks the reactors, newest first.
  std::optional<Reaction> react(const Action& action);

  std::shared_ptr<Client> inner_;
  ActionLog log_;
  mutable std::mutex reactors_mutex_;
  std::vector<Registered> reactors_;  // oldest first
};

}  // namespace ukube::testing
