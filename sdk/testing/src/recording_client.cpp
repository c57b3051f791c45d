#include "ukube/testing/recording_client.h"

#include <boost/json/object.hpp>

#include "ukube/machinery/json.h"

namespace ukube::testing {

Reactor fail_with(ApiError error) {
  return [error = std::move(error)](const Action&) -> std::optional<Reaction> { throw error; };
}

Reactor answer_with(ObjectPtr object) {
  return [object = std::move(object)](const Action&) -> std::optional<Reaction> {
    Reaction r;
    r.object = object;
    return r;
  };
}

RecordingClient::RecordingClient(std::shared_ptr<Client> inner) : inner_(std::move(inner)) {}
RecordingClient::~RecordingClient() = default;

void RecordingClient::prepend_reactor(std::string verb, std::string resource, Reactor reactor) {
  std::lock_guard lock(reactors_mutex_);
  reactors_.push_back({std::move(verb), std::move(resource), std::move(reactor)});
}

void RecordingClient::clear_reactors() {
  std::lock_guard lock(reactors_mutex_);
  reactors_.clear();
}

std::optional<Reaction> RecordingClient::react(const Action& action) {
  log_.record(action);
  std::vector<Reactor> matching;  // copied, so a reactor may call back into this client
  {
    std::lock_guard lock(reactors_mutex_);
    for (auto it = reactors_.rbegin(); it != reactors_.rend(); ++it)
      if (action.matches(it->verb, it->resource)) matching.push_back(it->reactor);
  }
  for (const auto& reactor : matching)
    if (auto reaction = reactor(action)) return reaction;
  return std::nullopt;
}

namespace {

Action make_action(std::string verb, const GroupVersionResource& gvr, std::string_view ns,
                   std::string_view name, std::string_view subresource = {}) {
  Action a;
  a.verb = std::move(verb);
  a.resource = gvr;
  a.ns = std::string(ns);
  a.name = std::string(name);
  a.subresource = std::string(subresource);
  return a;
}

ObjectPtr copy_of(const boost::json::object& object) {
  return std::make_shared<const boost::json::object>(object);
}

}  // namespace

ObjectPtr RecordingClient::get(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                               const GetOptions& options, std::string_view subresource) {
  if (auto r = react(make_action("get", gvr, ns, name, subresource))) return r->object;
  return inner_->get(gvr, ns, name, options, subresource);
}

ObjectList RecordingClient::list(const GroupVersionResource& gvr, std::string_view ns,
                                 const ListOptions& options) {
  Action a = make_action("list", gvr, ns, {});
  a.list_options = options;
  if (auto r = react(a)) return std::move(r->list);
  return inner_->list(gvr, ns, options);
}

std::unique_ptr<WatchStream> RecordingClient::watch(const GroupVersionResource& gvr, std::string_view ns,
                                                    const ListOptions& options) {
  Action a = make_action("watch", gvr, ns, {});
  a.list_options = options;
  if (auto r = react(a)) return std::move(r->watch);
  return inner_->watch(gvr, ns, options);
}

ObjectPtr RecordingClient::create(const GroupVersionResource& gvr, std::string_view ns,
                                  const boost::json::object& object, const WriteOptions& options,
                                  std::string_view subresource, std::string_view name) {
  Action a = make_action("create", gvr, ns, name.empty() ? machinery::name_of(object) : std::string(name),
                         subresource);
  a.object = copy_of(object);
  a.write_options = options;
  if (auto r = react(a)) return r->object;
  return inner_->create(gvr, ns, object, options, subresource, name);
}

ObjectPtr RecordingClient::update(const GroupVersionResource& gvr, std::string_view ns,
                                  const boost::json::object& object, const WriteOptions& options,
                                  std::string_view subresource) {
  Action a = make_action("update", gvr, ns, machinery::name_of(object), subresource);
  a.object = copy_of(object);
  a.write_options = options;
  if (auto r = react(a)) return r->object;
  return inner_->update(gvr, ns, object, options, subresource);
}

ObjectPtr RecordingClient::patch(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                                 PatchType type, std::string_view patch, const WriteOptions& options,
                                 std::string_view subresource) {
  Action a = make_action("patch", gvr, ns, name, subresource);
  a.patch_type = type;
  a.patch = std::string(patch);
  a.write_options = options;
  if (auto r = react(a)) return r->object;
  return inner_->patch(gvr, ns, name, type, patch, options, subresource);
}

ObjectPtr RecordingClient::remove(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                                  const DeleteOptions& options) {
  Action a = make_action("delete", gvr, ns, name);
  a.delete_options = options;
  if (auto r = react(a)) return r->object;
  return inner_->remove(gvr, ns, name, options);
}

}  // namespace ukube::testing
